"""The library pages, for the access walk (see tests/access.py)."""

from __future__ import annotations

from tests.access import Route

ROUTES: list[Route] = []
