"""The learning-by-doing page, for the access walk (see tests/access.py)."""

from __future__ import annotations

from typing import Any

from tests.access import Route


def _org(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug}


ROUTES: list[Route] = [
    Route("capability:doing", kwargs=_org),
]
