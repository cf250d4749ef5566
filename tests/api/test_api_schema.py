"""The served OpenAPI document is true: schemathesis calls every operation with
what the document says it takes and checks what comes back against it.

Schemathesis runs in-process against the Django WSGI application, as the cast's
editor with a valid organisation and real rows in the path. It is bounded
(EXAMPLES_PER_OPERATION) so the pass takes about a minute, and checks for server
errors, undocumented status codes and content types, and responses that do not
match their schema. No check measures time.
"""

from __future__ import annotations

import enum
import inspect
from collections.abc import Callable, Iterable
from typing import Any

import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from ninja import Schema
from ninja.openapi.schema import REF_TEMPLATE
from ninja.schema import NinjaGenerateJsonSchema
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from openqi.api import (
    assessments,
    barriers,
    drivers,
    journey,
    measures,
    projects,
    schemas,
    strategy,
    views,
)
from tests.api.base import ApiTestCase
from tests.api.operations import operations

EXAMPLES_PER_OPERATION = 6
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


class _Application:
    """Django's WSGI application, keeping the test's database connection open.

    Django closes a connection at the end of each request; inside a TestCase that
    would end the transaction the test runs in, as Django's own test client knows.
    """

    def __init__(self) -> None:
        self.handler = WSGIHandler()

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Any:
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            return self.handler(environ, start_response)
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


@override_settings(ACCOUNT_RATE_LIMITS=False)
class SchemathesisTests(ApiTestCase):
    def test_every_operation_answers_as_the_document_says(self) -> None:
        app = _Application()
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
        headers = {"Authorization": f"Bearer {self.token_for(self.editor)}"}
        listed = operations(self)
        parameters = {(o.method, o.path): o.path_parameters for o in listed}
        checked = 0
        found = [result.ok() for result in schema.get_all_operations()]
        # Deletions last, so the rows the other operations use are still there.
        found.sort(key=lambda operation: operation.method.lower() == "delete")
        for operation in found:
            label = f"{operation.method.upper()} {operation.path}"
            fixed = parameters.get((operation.method.lower(), operation.path), {})
            with self.subTest(label):
                strategy = operation.as_strategy(
                    path_parameters=fixed or None, headers=headers
                )

                @settings(
                    max_examples=EXAMPLES_PER_OPERATION,
                    derandomize=True,
                    database=None,
                    deadline=None,
                    suppress_health_check=list(HealthCheck),
                )
                @given(case=strategy)
                def call(case: Any) -> None:
                    case.call_and_validate(headers=headers, checks=CHECKS)

                call()
                checked += 1
        self.assertEqual(checked, len(listed))


def _schema_classes() -> Iterable[type[Schema]]:
    for module in (
        schemas,
        views,
        strategy,
        projects,
        drivers,
        measures,
        assessments,
        journey,
        barriers,
    ):
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, Schema) and value.__module__ == module.__name__:
                if not getattr(value, "__parameters__", ()):  # not a generic like Page
                    yield value


class DocumentTests(ApiTestCase):
    def test_every_named_schema_is_the_one_its_models_mean(self) -> None:
        """A name used by two different schemas (Role, Status, Kind) keeps only one."""
        components = self.client.get("/api/v1/openapi.json").json()["components"]
        checked = 0
        for cls in _schema_classes():
            own = cls.model_json_schema(
                ref_template=REF_TEMPLATE, schema_generator=NinjaGenerateJsonSchema
            )
            for name, definition in own.get("$defs", {}).items():
                if name in components["schemas"] and "enum" in definition:
                    with self.subTest(f"{cls.__name__}: {name}"):
                        self.assertEqual(
                            components["schemas"][name]["enum"], definition["enum"]
                        )
                        checked += 1
        self.assertGreater(checked, 20)

    def test_no_enum_schema_is_named_role_status_or_kind_alone(self) -> None:
        names = set(
            self.client.get("/api/v1/openapi.json").json()["components"]["schemas"]
        )
        self.assertEqual(names & {"Role", "Status", "Kind"}, set())
        for name in ("MembershipRole", "ProjectStatus", "MeasureKind", "BarrierStatus"):
            self.assertIn(name, names)

    def test_the_chart_is_documented_as_json_or_svg(self) -> None:
        document = self.client.get("/api/v1/openapi.json").json()
        chart = document["paths"][
            "/api/v1/organisations/{slug}/measures/{measure_id}/chart"
        ]["get"]
        self.assertEqual(
            set(chart["responses"]["200"]["content"]),
            {"application/json", "image/svg+xml"},
        )

    def test_every_write_documents_its_errors_with_the_error_schema(self) -> None:
        document = self.client.get("/api/v1/openapi.json").json()
        for path, entries in document["paths"].items():
            for method, operation in entries.items():
                expected = {"401", "403", "404", "422"}
                if method in ("post", "patch", "put", "delete"):
                    expected |= {"400", "409", "413"}
                with self.subTest(f"{method} {path}"):
                    if path == "/api/v1/me":
                        expected = {"401"}
                    self.assertLessEqual(expected, set(operation["responses"]))
                    for status in expected:
                        content = operation["responses"][status]["content"]
                        self.assertEqual(
                            content["application/json"]["schema"]["$ref"],
                            "#/components/schemas/ErrorOut",
                        )

    def test_the_model_enums_keep_their_values_under_their_new_names(self) -> None:
        components = self.client.get("/api/v1/openapi.json").json()["components"]
        for alias in (
            schemas.MembershipRole,
            schemas.ProjectStatus,
            schemas.MeasureKind,
            schemas.BarrierStatus,
            schemas.StepStatus,
        ):
            choices: type[enum.Enum] = alias.__value__
            with self.subTest(alias.__name__):
                self.assertEqual(
                    components["schemas"][alias.__name__]["enum"],
                    [member.value for member in choices],
                )
