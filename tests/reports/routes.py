"""The reports pages, for the access walk (see tests/access.py)."""

from __future__ import annotations

from tests.access import Route

ROUTES: list[Route] = [
    # The organisation's home page (attention items, sparklines, its picture).
    Route("reports:home", kwargs=lambda cast: {"slug": cast.org.slug}),
]
