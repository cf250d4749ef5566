"""The system API (openqi/api/system.py), for the access walk (see tests/access.py)."""

from __future__ import annotations

from tests.access import Route, Write
from tests.system.routes import as_system, in_system

#: Every path the system API serves (tests/api/test_api_openapi.py lists them all).
SYSTEM_PATHS = {
    "/api/v1/organisations/{slug}/system/portfolio",
    "/api/v1/organisations/{slug}/system/projects",
    "/api/v1/organisations/{slug}/sharing",
}

ROUTES: list[Route] = [
    Route("api:system_portfolio", kwargs=as_system, is_api=True),
    Route("api:system_projects", kwargs=as_system, is_api=True),
    Route(
        "api:sharing",
        kwargs=in_system,
        writes=(Write("patch", data=lambda cast: {"portfolio": True}),),
        is_api=True,
    ),
]
