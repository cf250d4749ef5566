"""The core pages, for the access walk (see tests/access.py); core:healthz is in routes_health.py."""

from __future__ import annotations

from tests.access import Route

ROUTES = [
    # Someone in one organisation is sent straight to it; otherwise a list.
    Route("core:home", personal=True, get_ok=(200, 302)),
    # The accessibility statement: anyone may read it, signed in or not.
    Route("core:accessibility", public=True),
]
