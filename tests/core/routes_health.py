"""The health check's place in the access walk: anyone may ask, signed in or not."""

from __future__ import annotations

from tests.access import Route

ROUTES = [Route("core:healthz", public=True)]
