"""Project workspace pages, for the access walk (see tests/access.py).

The driver diagram and PDSA pages are in tests/improvement/routes.py, the
portfolio's in tests/portfolio/routes.py.
"""

from __future__ import annotations

import itertools
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


#: Numbers for measures made per attempt (measure names are unique).
_NUMBERS = itertools.count(1)


def _new_link(cast: Any) -> dict[str, Any]:
    project = Project.objects.get(pk=_project(cast)["pk"])
    measure = make_measure(cast.org, name=f"Measure {next(_NUMBERS)}")
    link = project.measure_links.create(measure=measure, role="process")
    return {"link_pk": link.pk}


def _measure_to_link(cast: Any) -> dict[str, Any]:
    # A measure of its own for each attempt (names are unique).
    measure = make_measure(cast.org, name=f"Falls with harm {next(_NUMBERS)}")
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
        # Deleting is for the project's own lead (an object rule): the cast's
        # project lead leads no project here.
        get_expect={"project_lead": 403, "member": 403},
        writes=(
            Write(setup=_spare_project, expect={"project_lead": 403, "member": 403}),
        ),
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
        # The team's rating is for the project's lead and team (an object rule),
        # the coach's for the QI team: the cast's project lead is on no team here.
        get_expect={"project_lead": 403, "member": 403},
        writes=(
            Write(
                expect={"project_lead": 403, "member": 403},
                data=lambda c: {
                    "score": "2.5",
                    "rated_by": "coach",
                    "rated_on_day": "2",
                    "rated_on_month": "6",
                    "rated_on_year": "2025",
                },
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
