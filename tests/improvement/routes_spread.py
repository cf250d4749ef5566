"""The spread pages and API (openqi/improvement/spread.py), for the access walk (see
tests/access.py), and the builders the spread tests share.

Adopting is an object rule on the adopting project: its lead, the QI team and
administrators adopt; another member who may change work is refused (403).
"""

from __future__ import annotations

import itertools
from typing import Any

from openqi.improvement.models import DriverNode, PDSACycle
from openqi.organisations.models import Organisation, Unit
from openqi.projects.models import Project
from tests.access import Route, Write
from tests.improvement.routes import make_cycle, make_diagram, make_driver_project

_seq = itertools.count(1)


def make_proven(idea: DriverNode) -> PDSACycle:
    """A decided cycle on ``idea`` that ended in "Adopt"."""
    return make_cycle(
        idea,
        do="Ran it for a week.",
        study="9 of 10 done, as predicted.",
        act="adopt",
        stage="act",
    )


def make_team_project(
    organisation: Organisation, title: str, unit: Unit | None = None, **fields: Any
) -> tuple[Project, dict[str, DriverNode]]:
    """A project with a small diagram (primary, secondary, change idea)."""
    project = make_driver_project(organisation, title=title, unit=unit, **fields)
    return project, make_diagram(project)


def _source(cast: Any) -> DriverNode:
    project = Project.objects.filter(
        organisation=cast.org, title="Spread source"
    ).first()
    if project is None:
        project, nodes = make_team_project(cast.org, "Spread source")
        make_proven(nodes["idea"])
        return nodes["idea"]
    return DriverNode.objects.filter(project=project, kind="change_idea").first()


def _idea_kwargs(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug, "idea_pk": _source(cast).pk}


def _new_target(cast: Any) -> dict[str, Any]:
    """A fresh project led by the cast's project lead, to adopt into."""
    make_team_project(cast.org, f"Spread target {next(_seq)}", lead=cast.lead)
    return {}


def _target_data(cast: Any) -> dict[str, Any]:
    project = Project.objects.filter(
        organisation=cast.org, title__startswith="Spread target"
    ).latest("pk")
    parent = DriverNode.objects.filter(project=project, kind="secondary").first()
    return {"project": project.pk, "parent": parent.pk}


def _api_target_data(cast: Any) -> dict[str, Any]:
    data = _target_data(cast)
    return {"project_id": data["project"], "parent_id": data["parent"]}


#: The lead leads the target; a plain member leads nothing, so is refused.
_ADOPT_EXPECT = {"member": 403}

#: The spread API's paths in the OpenAPI document (tests/api/test_api_openapi.py).
SPREAD_PATHS = {
    "/api/v1/organisations/{slug}/spread",
    "/api/v1/organisations/{slug}/spread/{idea_id}/adopt",
}

ROUTES: list[Route] = [
    Route("improvement:spread", kwargs=lambda c: {"slug": c.org.slug}),
    Route("improvement:spread_idea", kwargs=_idea_kwargs),
    Route(
        "improvement:spread_adopt",
        kwargs=_idea_kwargs,
        writes=(Write(setup=_new_target, data=_target_data, expect=_ADOPT_EXPECT),),
    ),
    Route("api:spread", kwargs=lambda c: {"slug": c.org.slug}, is_api=True),
    Route(
        "api:spread-adopt",
        kwargs=lambda c: {"slug": c.org.slug, "idea_id": _source(c).pk},
        get=False,
        writes=(
            Write(
                "post", setup=_new_target, data=_api_target_data, expect=_ADOPT_EXPECT
            ),
        ),
        is_api=True,
    ),
]
