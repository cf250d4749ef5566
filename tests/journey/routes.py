"""The journey pages, for the access walk (see tests/access.py)."""

from __future__ import annotations

from typing import Any

from tests.access import Route, Write
from tests.journey.helpers import make_evidence, make_milestone


def _org(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug}


def _step(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug, "number": 2}


def _milestone(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug, "pk": make_milestone(cast.org).pk}


def _write_only(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug, "pk": 0}


def _spare_milestone(cast: Any) -> dict[str, Any]:
    return {"pk": make_milestone(cast.org, title="Spare milestone").pk}


def _spare_evidence(cast: Any) -> dict[str, Any]:
    return {"pk": make_evidence(cast.org, title="Spare evidence").pk}


def _step_data(cast: Any) -> dict[str, Any]:
    return {
        "status": "in_progress",
        "notes": "The board has had a development session.",
    }


def _milestone_data(cast: Any) -> dict[str, Any]:
    return {
        "title": "Board development session on QI held",
        "due_on_day": "30",
        "due_on_month": "9",
        "due_on_year": "2025",
    }


def _evidence_data(cast: Any) -> dict[str, Any]:
    return {"title": "Board minutes, June", "description": "", "link": ""}


ROUTES: list[Route] = [
    Route("journey:overview", kwargs=_org),
    Route("journey:step", kwargs=_step, writes=(Write(data=_step_data),)),
    Route("journey:step_advance", kwargs=_step, get=False, writes=(Write(),)),
    Route(
        "journey:milestone_add",
        kwargs=_step,
        writes=(Write(data=_milestone_data),),
    ),
    Route(
        "journey:milestone_edit",
        kwargs=_milestone,
        writes=(Write(data=_milestone_data),),
    ),
    Route(
        "journey:milestone_delete",
        kwargs=_write_only,
        get=False,
        writes=(Write(setup=_spare_milestone),),
    ),
    Route(
        "journey:evidence_add",
        kwargs=_step,
        writes=(Write(data=_evidence_data),),
    ),
    Route(
        "journey:evidence_delete",
        kwargs=_write_only,
        get=False,
        writes=(Write(setup=_spare_evidence),),
    ),
]
