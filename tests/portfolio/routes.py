"""The portfolio pages, for the access walk (see tests/access.py): read-only,
for every member of the organisation (the measures overview, under the
portfolio's address, is declared in tests/measures/routes_overview.py)."""

from __future__ import annotations

from typing import Any

from tests.access import Route


def _org(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug}


ROUTES: list[Route] = [
    Route("portfolio:portfolio", kwargs=_org),
    Route("portfolio:matrix", kwargs=_org),
]
