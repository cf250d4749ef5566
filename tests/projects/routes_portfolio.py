"""The portfolio pages, for the access walk (see tests/access.py): read-only,
for every member of the organisation."""

from __future__ import annotations

from typing import Any

from tests.access import Route


def _org(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug}


ROUTES: list[Route] = [
    Route("projects:portfolio", kwargs=_org),
    Route("projects:portfolio_matrix", kwargs=_org),
    Route("projects:measures_overview", kwargs=_org),
]
