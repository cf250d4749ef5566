"""Strategic priority pages, for the access walk (see tests/access.py)."""

from __future__ import annotations

from typing import Any

from openqi.strategy.models import StrategicPriority
from tests.access import Route, Write
from tests.projects.project_helpers import make_priority


def _org(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug}


def _priority(cast: Any) -> dict[str, Any]:
    title = f"Walk priority {StrategicPriority.objects.count()}"
    return {"slug": cast.org.slug, "pk": make_priority(cast.org, title=title).pk}


def _write_only(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug, "pk": 0}


def _spare_priority(cast: Any) -> dict[str, Any]:
    title = f"Spare priority {StrategicPriority.objects.count()}"
    return {"pk": make_priority(cast.org, title=title).pk}


def _priority_data(cast: Any) -> dict[str, Any]:
    return {
        "title": f"Zero avoidable deaths {StrategicPriority.objects.count()}",
        "description": "",
        "period_start_day": "1",
        "period_start_month": "4",
        "period_start_year": "2025",
        "position": "1",
    }


ROUTES: list[Route] = [
    Route("strategy:priorities", kwargs=_org),
    Route(
        "strategy:priority_create",
        kwargs=_org,
        writes=(Write(data=_priority_data),),
    ),
    Route(
        "strategy:priority_edit",
        kwargs=_priority,
        writes=(Write(data=_priority_data),),
    ),
    Route(
        "strategy:priority_delete",
        kwargs=_write_only,
        get=False,
        writes=(Write(setup=_spare_priority),),
    ),
]
