"""Project workspace pages, for the access walk (see tests/access.py).

The driver diagram, PDSA and portfolio pages are in routes_drivers.py and
routes_portfolio.py.
"""

from __future__ import annotations

from typing import Any

from openqi.projects.models import Partner, Project
from tests.access import Route, Write
from tests.projects.project_helpers import make_measure, make_project, project_data


def _org(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug}


def _project(cast: Any) -> dict[str, Any]:
    project = Project.objects.filter(organisation=cast.org).first() or make_project(
        cast.org
    )
    return {"slug": cast.org.slug, "pk": project.pk}


def _spare_project(cast: Any) -> dict[str, Any]:
    return {"pk": make_project(cast.org, title=f"Spare {Project.objects.count()}").pk}


def _new_partner(cast: Any) -> dict[str, Any]:
    project = Project.objects.get(pk=_project(cast)["pk"])
    partner = Partner.objects.create(project=project, name="Rowan")
    return {"partner_pk": partner.pk}


def _new_link(cast: Any) -> dict[str, Any]:
    project = Project.objects.get(pk=_project(cast)["pk"])
    measure = make_measure(cast.org, name=f"Measure {project.measure_links.count()}")
    link = project.measure_links.create(measure=measure, role="process")
    return {"link_pk": link.pk}


def _measure_to_link(cast: Any) -> dict[str, Any]:
    measure = make_measure(cast.org, name="Falls with harm")
    return {"measure": measure.pk, "role": "outcome"}


ROUTES: list[Route] = [
    Route("projects:list", kwargs=_org),
    Route(
        "projects:create",
        kwargs=_org,
        manage_only=True,
        writes=(Write(data=lambda c: project_data()),),
    ),
    Route("projects:similar", kwargs=_org),
    Route("projects:detail", kwargs=_project),
    Route(
        "projects:edit",
        kwargs=_project,
        manage_only=True,
        writes=(Write(data=lambda c: project_data(title="Renamed project")),),
    ),
    Route(
        "projects:delete",
        kwargs=_project,
        manage_only=True,
        writes=(Write(setup=_spare_project),),
    ),
    Route(
        "projects:note_add",
        kwargs=_project,
        get=False,
        writes=(Write(data=lambda c: {"text": "Met the ward sisters."}),),
    ),
    Route(
        "projects:rate",
        kwargs=_project,
        manage_only=True,
        writes=(
            Write(
                data=lambda c: {
                    "score": "2.5",
                    "rated_by": "coach",
                    "rated_on_day": "2",
                    "rated_on_month": "6",
                    "rated_on_year": "2025",
                }
            ),
        ),
    ),
    Route(
        "projects:partner_add",
        kwargs=_project,
        manage_only=True,
        writes=(Write(data=lambda c: {"name": "Morgan", "kind": "carer"}),),
    ),
    Route(
        "projects:partner_remove",
        kwargs=lambda c: {**_project(c), "partner_pk": 0},
        get=False,
        writes=(Write(setup=_new_partner),),
    ),
    Route(
        "projects:measure_link",
        kwargs=_project,
        manage_only=True,
        writes=(Write(data=_measure_to_link),),
    ),
    Route(
        "projects:measure_unlink",
        kwargs=lambda c: {**_project(c), "link_pk": 0},
        get=False,
        writes=(Write(setup=_new_link),),
    ),
]
