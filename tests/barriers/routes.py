"""The barrier log pages, for the access walk (see tests/access.py)."""

from __future__ import annotations

from typing import Any

from tests.access import Route, Write
from tests.barriers.helpers import barrier_data, make_barrier


def _org(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug}


def _barrier(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug, "pk": make_barrier(cast.org).pk}


def _write_only(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug, "pk": 0}


def _spare_barrier(cast: Any) -> dict[str, Any]:
    return {"pk": make_barrier(cast.org, title="Spare barrier").pk}


def _create_data(cast: Any) -> dict[str, Any]:
    return barrier_data()


def _edit_data(cast: Any) -> dict[str, Any]:
    return barrier_data(status="in_progress", resolved_on_day="", resolution="")


ROUTES: list[Route] = [
    Route("barriers:list", kwargs=_org),
    Route("barriers:forum", kwargs=_org),
    Route(
        "barriers:create",
        kwargs=_org,
        writes=(Write(data=_create_data),),
    ),
    Route("barriers:detail", kwargs=_barrier),
    Route(
        "barriers:edit",
        kwargs=_barrier,
        writes=(Write(data=_edit_data),),
    ),
    Route(
        "barriers:delete",
        kwargs=_write_only,
        get=False,
        writes=(Write(setup=_spare_barrier),),
    ),
    Route(
        "barriers:escalate",
        kwargs=_barrier,
        get=False,
        writes=(Write(data=lambda cast: {"escalate": "true"}),),
    ),
]
