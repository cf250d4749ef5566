"""The OpenAPI document, the docs page and the API root: public, complete, offline."""

from __future__ import annotations

import json
import re

from django.urls import reverse

from tests.api.base import ApiTestCase
from tests.api.routes import ROUTES
from tests.api.test_api_assessments import ASSESSMENT_JOURNEY_PATHS  # noqa: E402
from tests.api.test_api_measures_exclusions import EXCLUSION_PATHS
from tests.api.test_api_strategy import WORK_PATHS  # noqa: E402
from tests.benchmark.routes_api import BENCHMARK_PATHS
from tests.capability.routes_api import CAPABILITY_PATHS
from tests.improvement.routes_spread import SPREAD_PATHS
from tests.library.routes import LIBRARY_PATHS
from tests.reports.routes_report_api import REPORT_PATHS
from tests.sustainability.routes_api import SUSTAINABILITY_PATHS
from tests.system.routes_api import SYSTEM_PATHS


class OpenApiTests(ApiTestCase):
    def test_document_is_public_valid_json_with_every_path(self) -> None:
        response = self.client.get("/api/v1/openapi.json")
        self.assertEqual(response.status_code, 200)
        document = json.loads(response.content)
        self.assertTrue(document["openapi"].startswith("3."))
        self.assertEqual(document["info"]["title"], "OpenQI API")
        self.assertEqual(document["info"]["version"], "1")
        expected = (
            {
                "/api/v1/me",
                "/api/v1/organisations",
                "/api/v1/organisations/{slug}",
                "/api/v1/organisations/{slug}/units",
                "/api/v1/organisations/{slug}/units/{unit_id}",
                "/api/v1/organisations/{slug}/members",
                "/api/v1/organisations/{slug}/members/{member_id}",
                "/api/v1/organisations/{slug}/invitations",
                "/api/v1/organisations/{slug}/invitations/{invitation_id}",
                "/api/v1/organisations/{slug}/audit",
                "/api/v1/organisations/{slug}/staff",
            }
            | WORK_PATHS
            | ASSESSMENT_JOURNEY_PATHS
            | EXCLUSION_PATHS
            | CAPABILITY_PATHS
            | REPORT_PATHS
            | {
                "/api/v1/organisations/{slug}/projects/{project_id}/benefits",
                "/api/v1/organisations/{slug}/investments",
                "/api/v1/organisations/{slug}/programme-return",
            }
            | SPREAD_PATHS
            | SUSTAINABILITY_PATHS
            | SYSTEM_PATHS
            | BENCHMARK_PATHS
            | LIBRARY_PATHS
        )
        self.assertEqual(set(document["paths"]), expected)

    def test_every_operation_is_named_secured_and_documents_its_errors(self) -> None:
        document = self.client.get("/api/v1/openapi.json").json()
        ids = []
        for path, operations in document["paths"].items():
            for method, operation in operations.items():
                with self.subTest(f"{method} {path}"):
                    ids.append(operation["operationId"])
                    self.assertEqual(
                        {next(iter(s)) for s in operation["security"]},
                        {"TokenAuth", "SessionAuth"},
                    )
                    self.assertIn("401", operation["responses"])
                    error = operation["responses"]["401"]["content"]["application/json"]
                    self.assertEqual(
                        error["schema"]["$ref"], "#/components/schemas/ErrorOut"
                    )
        self.assertEqual(len(ids), len(set(ids)))
        schemes = document["components"]["securitySchemes"]
        self.assertEqual(schemes["TokenAuth"]["scheme"], "bearer")

    def test_every_route_declared_for_the_walk_is_served(self) -> None:
        for route in ROUTES:
            with self.subTest(route.name):
                reverse(route.name, kwargs=route.kwargs(self))

    def test_docs_page_is_public_and_loads_nothing_from_the_network(self) -> None:
        response = self.client.get("/api/v1/docs")
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        sources = re.findall(r'(?:src|href)="([^"]+)"', html)
        self.assertEqual(len(sources), 3)
        for source in sources:
            with self.subTest(source):
                self.assertTrue(source.startswith("/api/v1/docs/assets/"), source)
                asset = self.client.get(source)
                self.assertEqual(asset.status_code, 200)
                self.assertGreater(len(b"".join(asset.streaming_content)), 100)
        self.assertNotIn("//cdn", html)
        self.assertIn('"url": "/api/v1/openapi.json"', html)

    def test_an_unknown_docs_asset_is_a_404(self) -> None:
        url = reverse("api:docs-asset", kwargs={"name": "settings.py"})
        self.assert_error(self.client.get(url), 404)

    def test_root_says_where_the_document_is(self) -> None:
        body = self.client.get("/api/v1/").json()
        self.assertEqual(body["openapi"], "/api/v1/openapi.json")
        self.assertEqual(body["docs"], "/api/v1/docs")
