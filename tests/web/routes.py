"""The project-level routes (openqi/web/urls.py), for the access walk (see tests/access.py)."""

from __future__ import annotations

from tests.access import Route

ROUTES = [
    # Anything under /api/ that no endpoint serves: the API's JSON 404, for anyone.
    Route("api-not-found", public=True, get_ok=(404,), is_api=True),
    # The NHS.UK stylesheet; an outdated digest redirects to the current one.
    Route(
        "nhsuk-stylesheet",
        kwargs=lambda cast: {"digest": "000000000000"},
        public=True,
        get_ok=(302,),
    ),
]
