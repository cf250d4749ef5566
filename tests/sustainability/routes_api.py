"""The sustainability API, for the access walk (see tests/access.py)."""

from __future__ import annotations

from typing import Any

from openqi.sustainability.builtin import FACTOR_KEYS
from tests.access import Route, Write
from tests.sustainability.helpers import make_check, team_project


def _project(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug, "project_id": team_project(cast).pk}


def _check(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug, "check_id": make_check(team_project(cast)).pk}


#: The API's paths of this app, for the OpenAPI document's test.
SUSTAINABILITY_PATHS = {
    "/api/v1/organisations/{slug}/projects/{project_id}/sustainability-checks",
    "/api/v1/organisations/{slug}/sustainability-checks/{check_id}",
    "/api/v1/organisations/{slug}/sustainability-checks/{check_id}/ratings",
}

ROUTES: list[Route] = [
    Route("api:sustainability_checks", kwargs=_project, is_api=True),
    Route("api:sustainability_check", kwargs=_check, is_api=True),
    Route(
        "api:sustainability_ratings",
        kwargs=_check,
        get=False,
        writes=(
            Write("post", data=lambda cast: {"scores": dict.fromkeys(FACTOR_KEYS, 3)}),
        ),
        is_api=True,
    ),
]
