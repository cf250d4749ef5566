"""The one NinjaAPI instance, served at /api/v1/ (see openqi/api/urls.py)."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import escape
from ninja import NinjaAPI
from ninja.openapi.docs import DocsBase
from ninja.operation import Operation

from . import (
    assessments,
    barriers,
    benchmark,
    capability,
    drivers,
    errors,
    journey,
    library,
    measures,
    projects,
    reports,
    spread,
    strategy,
    sustainability,
    system,
    value,
    versions,
)
from .auth import SessionAuth, TokenAuth
from .parsing import BoundedParser
from .views import router

DESCRIPTION = """\
The JSON API of OpenQI. Sign in with the session of a signed-in browser (send the
CSRF token in an X-CSRFToken header on changes) or with a personal API token
(`Authorization: Bearer oqi_…`, created at /accounts/tokens/). Every error has
the shape `{"error": "…", "status": 400}`. See docs/api.md.
"""


class LocalSwagger(DocsBase):
    """Swagger UI from the copy that ships inside the django-ninja package, served
    by :func:`openqi.api.urls.docs_asset`: the page fetches nothing from the internet."""

    def render_page(
        self, request: HttpRequest, api: Any, **kwargs: Any
    ) -> HttpResponse:
        settings = {
            "url": self.get_openapi_url(api, kwargs),
            "layout": "BaseLayout",
            "deepLinking": True,
        }

        # Kept out of reach of a stray "</script>" in a value.
        settings_json = json.dumps(settings).replace("<", "\\u003c")

        def asset(name: str) -> str:
            return escape(reverse("api:docs-asset", kwargs={"name": name}))

        html = f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{escape(api.title)}</title>
  <link rel="stylesheet" href="{asset("swagger-ui.css")}">
</head>
<body data-csrf-token="{escape(get_token(request))}" data-api-csrf="true">
  <script type="application/json" id="swagger-settings">{settings_json}</script>
  <div id="swagger-ui"></div>
  <script src="{asset("swagger-ui-bundle.js")}"></script>
  <script src="{asset("swagger-ui-init.js")}"></script>
</body>
</html>
"""
        return HttpResponse(html)


class OpenQIApi(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        return operation.view_func.__name__

    def create_response(
        self, request: HttpRequest, data: Any, **kwargs: Any
    ) -> HttpResponse:
        """A single record that carries a version answers it as its ETag (api/versions.py)."""
        response = super().create_response(request, data, **kwargs)
        if (
            response.status_code in (200, 201)
            and isinstance(data, dict)
            and isinstance(data.get("version"), int)
        ):
            response[versions.ETAG_HEADER] = versions.etag(data["version"])
        return response


api = OpenQIApi(
    title="OpenQI API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    docs=LocalSwagger(),
    docs_url="/docs",
    parser=BoundedParser(),
)
errors.install(api)
api.add_router("", router)
for _module in (strategy, projects, drivers, measures, assessments, journey, barriers):
    api.add_router("", _module.router)
api.add_router("", capability.router)
api.add_router("", reports.router)
api.add_router("", value.router)
api.add_router("", sustainability.router)
api.add_router("", spread.router)
api.add_router("", benchmark.router)
api.add_router("", library.router)
api.add_router("", system.router)
