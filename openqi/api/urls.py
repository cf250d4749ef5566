"""/api/v1/: the ninja API's URLs, namespaced ``api`` (route names ``api:<url_name>``).

Two additions to what ninja gives: a method an endpoint does not serve gets a
405 in the API's error shape (ninja answers it in plain text), and the API root
says where the OpenAPI document and the docs page are.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import ninja
from django.http import FileResponse, HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.urls import URLPattern, path, reverse
from ninja.operation import PathView

from .api import api
from .errors import error_response, method_not_allowed
from .parsing import WHOLE_NUMBER, is_beyond_integer

app_name = "api"

#: Swagger UI as shipped inside the installed django-ninja package (not copied here).
_DOCS_ASSETS = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-init.js": "text/javascript",
}
_NINJA_STATIC = Path(ninja.__file__).parent / "static" / "ninja"

View = Callable[..., HttpResponseBase]


def _path_view(callback: View) -> PathView | None:
    # ninja's view for a path is a closure over the PathView holding its operations.
    for cell in getattr(callback, "__closure__", None) or ():
        if isinstance(cell.cell_contents, PathView):
            return cell.cell_contents
    return None


def _json_405(callback: View, path_view: PathView) -> View:
    @wraps(callback)
    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        allowed = {m for operation in path_view.operations for m in operation.methods}
        if request.method not in allowed:
            return method_not_allowed(request, sorted(allowed))
        for value in kwargs.values():
            # No row has an id beyond what the database holds (and SQLite raises
            # OverflowError when asked), so such a path names nothing.
            if WHOLE_NUMBER.fullmatch(value) and is_beyond_integer(value):
                return error_response(
                    404, f"There is nothing at {request.path}: {value} is no id."
                )
        return callback(request, *args, **kwargs)

    view.csrf_exempt = True  # type: ignore[attr-defined]  # ninja checks CSRF itself
    return view


def _get_only(callback: View) -> View:
    @wraps(callback)
    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method not in ("GET", "HEAD"):
            return method_not_allowed(request, ["GET"])
        return callback(request, *args, **kwargs)

    return view


@_get_only
def root(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {
            "title": api.title,
            "version": api.version,
            "openapi": reverse("api:openapi-json"),
            "docs": reverse("api:openapi-view"),
        }
    )


@_get_only
def docs_asset(request: HttpRequest, name: str) -> HttpResponseBase:
    if name not in _DOCS_ASSETS:
        return error_response(404, f"There is no documentation file called {name}.")
    response = FileResponse(
        (_NINJA_STATIC / name).open("rb"), content_type=_DOCS_ASSETS[name]
    )
    response["Cache-Control"] = "public, max-age=86400"
    return response


def _patterns() -> list[URLPattern]:
    patterns = []
    for pattern in api.urls[0]:
        assert isinstance(pattern, URLPattern)
        if pattern.name == "api-root":
            pattern = path("", root, name="api-root")
        elif (path_view := _path_view(pattern.callback)) is not None:
            pattern.callback = _json_405(pattern.callback, path_view)
        else:  # the OpenAPI document and the docs page
            pattern.callback = _get_only(pattern.callback)
        patterns.append(pattern)
    patterns.append(path("docs/assets/<str:name>", docs_asset, name="docs-asset"))
    return patterns


urlpatterns = _patterns()
