"""The library pages and API, for the access walk (see tests/access.py)."""

from __future__ import annotations

from typing import Any

from openqi.library.models import Kind
from tests.access import Route, Write
from tests.library.helpers import (
    fields,
    make_measure,
    make_project,
    make_publication,
    publish_form,
)


def _org(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug}


def _own(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug, "pk": make_publication(cast.org).pk}


def _theirs(cast: Any) -> dict[str, Any]:
    """A publication of another organisation, shared with everyone."""
    return {"slug": cast.org.slug, "pk": make_publication(cast.other_org).pk}


def _publish_project(cast: Any) -> dict[str, Any]:
    return {
        "slug": cast.org.slug,
        "kind": Kind.PROJECT,
        "pk": make_project(cast.org).pk,
    }


def _spare_own(cast: Any) -> dict[str, Any]:
    return {"pk": make_publication(cast.org).pk}


def _api_own(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug, "publication_id": make_publication(cast.org).pk}


def _api_theirs(cast: Any) -> dict[str, Any]:
    return {
        "slug": cast.org.slug,
        "publication_id": make_publication(cast.other_org).pk,
    }


def _api_spare_theirs(cast: Any) -> dict[str, Any]:
    return {"publication_id": make_publication(cast.other_org).pk}


def _api_spare_own(cast: Any) -> dict[str, Any]:
    return {"publication_id": make_publication(cast.org).pk}


def _api_publish(cast: Any) -> dict[str, Any]:
    data = fields(title="Sepsis screening in the emergency department")
    return {**data, "kind": "measure", "source_id": make_measure(cast.org).pk}


#: The library's API paths (for tests/api/test_api_openapi.py).
LIBRARY_PATHS = {
    "/api/v1/organisations/{slug}/library",
    "/api/v1/organisations/{slug}/library/{publication_id}",
    "/api/v1/organisations/{slug}/library/{publication_id}/withdraw",
    "/api/v1/organisations/{slug}/library/{publication_id}/adopt",
}

ROUTES: list[Route] = [
    Route("library:search", kwargs=_org),
    Route("library:ours", kwargs=_org),
    Route("library:publication", kwargs=_own),
    Route(
        "library:publish",
        kwargs=_publish_project,
        writes=(Write(data=lambda cast: publish_form()),),
    ),
    Route(
        "library:withdraw",
        kwargs=lambda cast: {"slug": cast.org.slug, "pk": 0},
        get=False,
        writes=(Write(setup=_spare_own),),
    ),
    Route(
        "library:adopt",
        kwargs=_theirs,
        writes=(Write(setup=lambda cast: {"pk": make_publication(cast.other_org).pk}),),
    ),
    Route(
        "api:library",
        kwargs=_org,
        writes=(Write("post", data=_api_publish),),
        is_api=True,
    ),
    Route("api:library_item", kwargs=_api_own, is_api=True),
    Route(
        "api:library_withdraw",
        kwargs=lambda cast: {"slug": cast.org.slug, "publication_id": 0},
        get=False,
        writes=(Write("post", setup=_api_spare_own),),
        is_api=True,
    ),
    Route(
        "api:library_adopt",
        kwargs=_api_theirs,
        get=False,
        writes=(Write("post", setup=_api_spare_theirs),),
        is_api=True,
    ),
]
