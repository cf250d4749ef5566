"""The sustainability pages, for the access walk (see tests/access.py).

The project is led by the cast's lead and has every other member of
organisation A on its team, so the role rules decide: the QI team, an
administrator and the lead open checks and add actions; everyone but the
viewer rates.
"""

from __future__ import annotations

import datetime
from typing import Any

from openqi.sustainability.models import SustainabilityAction
from tests.access import Route, Write
from tests.sustainability.helpers import make_check, rating_data, team_project


def _org(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug}


def _project(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug, "pk": team_project(cast).pk}


def _check(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug, "pk": make_check(team_project(cast)).pk}


def _action(cast: Any) -> dict[str, Any]:
    check = make_check(team_project(cast))
    action = SustainabilityAction.objects.create(
        sustainability_check=check, factor="fit", title="Put it in the business plan"
    )
    return {"slug": cast.org.slug, "pk": action.pk}


def _open_data(cast: Any) -> dict[str, Any]:
    today = datetime.date.today()
    return {
        "opened_on_day": str(today.day),
        "opened_on_month": str(today.month),
        "opened_on_year": str(today.year),
    }


ROUTES: list[Route] = [
    Route("sustainability:portfolio", kwargs=_org),
    Route("sustainability:project", kwargs=_project),
    Route(
        "sustainability:open",
        kwargs=_project,
        get=False,
        writes=(Write(data=_open_data),),
    ),
    Route("sustainability:check", kwargs=_check),
    Route(
        "sustainability:rate",
        kwargs=_check,
        writes=(Write(data=lambda cast: rating_data()),),
    ),
    Route(
        "sustainability:add_action",
        kwargs=_check,
        get=False,
        writes=(Write(data=lambda cast: {"factor": "monitoring"}),),
    ),
    Route(
        "sustainability:action_status",
        kwargs=_action,
        get=False,
        writes=(Write(data=lambda cast: {"status": "done", "version": "1"}),),
    ),
]
