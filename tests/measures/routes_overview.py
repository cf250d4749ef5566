"""The measures overview (/organisations/<slug>/portfolio/measures/), for the
access walk (see tests/access.py): read-only, for every member."""

from __future__ import annotations

from typing import Any

from tests.access import Route


def _org(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug}


ROUTES: list[Route] = [
    Route("measures:overview", kwargs=_org),
]
