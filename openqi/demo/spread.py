"""Spread in the demo: a few of Riverside's proven change ideas adopted by other
teams, in other units, one of them from an adoption that was itself proven (so its
spread is counted to the original); some proven ideas are left unadopted, as
candidates to spread. Idempotent: nothing is added once any adoption exists.

Add :func:`add_spread` to ``openqi.demo.builder.STEPS`` after ``add_projects``.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef

from openqi.improvement import spread
from openqi.improvement.models import DriverNode, PDSACycle
from openqi.organisations.models import Organisation
from openqi.projects.models import Project

from .base import Demo

#: How many teams adopt each of the first proven ideas (the rest stay candidates).
ADOPTERS = (3, 2, 1)


def _open_projects_with_drivers(organisation: Organisation) -> list[Project]:
    drivers = DriverNode.objects.filter(
        project=OuterRef("pk"),
        kind__in=(DriverNode.Kind.PRIMARY, DriverNode.Kind.SECONDARY),
    )
    return list(
        Project.objects.filter(organisation=organisation)
        .exclude(status__in=spread.CLOSED)
        .filter(Exists(drivers))
        .select_related("unit")
        .order_by("pk")
    )


def add_spread(demo: Demo) -> None:
    """Adoptions of Riverside's first proven change ideas by other teams."""
    riverside = demo.organisations["riverside"]
    ideas = DriverNode.objects.for_organisation(riverside).filter(
        kind=DriverNode.Kind.CHANGE_IDEA
    )
    if ideas.filter(spread_source__isnull=False).exists():
        return
    proven = list(
        ideas.filter(
            Exists(
                PDSACycle.objects.filter(
                    change_idea=OuterRef("pk"), act=PDSACycle.Act.ADOPT
                )
            )
        ).order_by("pk")[: len(ADOPTERS)]
    )
    projects = _open_projects_with_drivers(riverside)
    made = 0
    for idea, wanted in zip(proven, ADOPTERS, strict=False):
        # Teams in other units first, so the spread crosses units.
        others = sorted(
            (p for p in projects if p.pk != idea.project_id),
            key=lambda p: (p.unit_id == idea.project.unit_id, p.pk),
        )
        adopted: list[DriverNode] = []
        for project in others:
            if len(adopted) == wanted:
                break
            parent = (
                spread.drivers_of(project).order_by("-kind", "position", "pk").first()
            )
            try:
                spread.check_adoption(idea, project)
            except spread.AdoptionRefused:
                continue
            if parent is not None:
                adopted.append(spread.adopt(idea, project, parent))
        made += len(adopted)
        if adopted and idea is proven[0] and len(others) > wanted:
            # The first adoption is tested and adopted in turn, then spreads on.
            first = adopted[0]
            today = datetime.date.today()
            PDSACycle.objects.create(
                project=first.project,
                change_idea=first,
                title=f"Test 1: {first.text.lower()} here",
                plan="Try it for two weeks on our ward.",
                prediction="It works here as it did at its source.",
                do="Ran as planned.",
                study="It worked as predicted.",
                act=PDSACycle.Act.ADOPT,
                stage=PDSACycle.Stage.ACT,
                start_date=today - datetime.timedelta(days=60),
                end_date=today - datetime.timedelta(days=46),
            )
            for project in others[wanted:]:
                parent = (
                    spread.drivers_of(project)
                    .order_by("-kind", "position", "pk")
                    .first()
                )
                try:
                    spread.check_adoption(first, project)
                except spread.AdoptionRefused:
                    continue
                if parent is not None:
                    spread.adopt(first, project, parent)
                    made += 1
                    break
    demo.created["change ideas adopted from other teams"] += made
