"""What the library adds to lower apps' pages and checks, registered in
``LibraryConfig.ready()``: the "Adopted from …" line and the "Publish to the
library" link on a project, a measure and a driver diagram (``core.slots``), and
published projects in the similar-project check (``projects.elsewhere``)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse

from openqi.measures.models import Measure
from openqi.organisations.models import Membership, Organisation
from openqi.organisations.permissions import has
from openqi.projects import similarity
from openqi.projects.elsewhere import Elsewhere
from openqi.projects.models import Project

from . import services
from .models import Kind
from .permissions import PUBLISH

#: The most published projects the similar-project check compares (the newest).
MAX_COMPARED = 300


def _render(template: str, **context: Any) -> str:
    return render_to_string(template, context)


def _publish_url(membership: Membership, kind: str, pk: int) -> str:
    return reverse(
        "library:publish",
        kwargs={"slug": membership.organisation.slug, "kind": kind, "pk": pk},
    )


def _slot(membership: Membership, origin: Any, kind: str, pk: int, what: str) -> str:
    """The "Adopted from …" line and the "Publish to the library" link of one object."""
    return _render(
        "library/_slot.html",
        membership=membership,
        origin=origin,
        can_publish=has(membership, PUBLISH),
        publish_url=_publish_url(membership, kind, pk),
        what=what,
    )


def project_slot(*, membership: Membership, project: Project, **_: Any) -> str:
    origin = services.origin_of_project(project)
    return _slot(membership, origin, Kind.PROJECT, project.pk, "this project")


def measure_slot(*, membership: Membership, measure: Measure, **_: Any) -> str:
    origin = services.origin_of_measure(measure)
    return _slot(
        membership, origin, Kind.MEASURE, measure.pk, "this measure's definition"
    )


def drivers_slot(*, membership: Membership, project: Project, **_: Any) -> str:
    if not has(membership, PUBLISH):
        return ""
    return _render(
        "library/_drivers_slot.html",
        diagram_url=_publish_url(membership, Kind.DRIVER_DIAGRAM, project.pk),
        idea_url=_publish_url(membership, Kind.CHANGE_IDEA, project.pk),
    )


def similar_published(
    organisation: Organisation, text: similarity.Text
) -> list[Elsewhere]:
    """Projects other organisations published to the library that look like these words."""
    rows = (
        services.visible_publications(organisation)
        .filter(kind=Kind.PROJECT)
        .exclude(organisation=organisation)
        .values_list(
            "pk",
            "title",
            "summary",
            "content__project__aim",
            "content__project__problem",
            "organisation__name",
        )[:MAX_COMPARED]
    )
    texts = []
    names: dict[int, tuple[str, str]] = {}
    for pk, title, summary, aim, problem, publisher in rows:
        texts.append(
            similarity.Text(pk, title, f"{aim or ''} {summary}".strip(), problem or "")
        )
        names[pk] = (title, publisher)
    matches = similarity.similar(text, texts)
    return [
        Elsewhere(
            title=names[int(str(m.key))][0],
            where=f"Published to the library by {names[int(str(m.key))][1]}",
            href=reverse(
                "library:publication",
                kwargs={"slug": organisation.slug, "pk": m.key},
            ),
            match=m,
        )
        for m in matches
    ]
