"""Random JSON to every operation of the served OpenAPI document never gets a 5xx.

As an editor (an administrator) of the organisation, with real rows in the path,
each operation gets bodies built from its own field names holding huge numbers,
NaN and Infinity, far-off dates, deep nesting, long strings, wrong types and
nulls, and random query strings. Hypothesis is seeded (``derandomize``) so the
run is the same on every machine, and bounded so the whole test takes well under
a minute.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.base import ApiTestCase
from tests.api.operations import Operation, operations, served_document

EXAMPLES_PER_OPERATION = 12

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**63 - 2, max_value=10**30),
    st.integers(max_value=-(2**63) + 2, min_value=-(10**30)),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([1e308, -1e308, 1e16, -0.0, 0.5, 5.0, 2**31, 2**63]),
    st.text(max_size=30),
    st.sampled_from(
        ["9999-12-31", "0001-01-01", "2024-03-01", "2024-02-30", "NaN", "x" * 20_000]
    ),
)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
_raw_bodies = st.one_of(
    st.integers(1, 3000).map(lambda n: "[" * n + "]" * n),
    st.integers(1, 3000).map(lambda n: '{"a":' * n + "1" + "}" * n),
    st.sampled_from(
        [
            '{"value": NaN}',
            '{"target": Infinity}',
            '{"id": -Infinity}',
            '{"position": 1' + "0" * 400 + "}",
            "1e99999",
            "",
            "null",
            "not json",
        ]
    ),
)


def _fields(document: dict[str, Any], operation: Operation) -> tuple[list[str], bool]:
    """The body's field names (those of a list's items for a list), and whether it is a list."""
    content = operation.spec.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema", {})

    def resolve(node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            node = document["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
        return node

    schema = resolve(schema)
    if schema.get("type") == "array":
        return list(resolve(schema.get("items", {})).get("properties", {})), True
    return list(schema.get("properties", {})), False


def _bodies(fields: list[str], is_list: bool) -> st.SearchStrategy[str]:
    shaped = st.fixed_dictionaries({}, optional=dict.fromkeys(fields, _values))
    if is_list:
        shaped = st.lists(shaped, max_size=3)  # type: ignore[assignment]
    return st.one_of(shaped.map(json.dumps), _values.map(json.dumps), _raw_bodies)


def _queries(names: list[str]) -> st.SearchStrategy[str]:
    texts = st.one_of(
        st.text(max_size=20),
        st.integers().map(str),
        st.sampled_from(["99999999999999999999999", "-1", "1e3", "9999-12-31", "NaN"]),
    )
    return st.dictionaries(
        st.sampled_from(names) if names else st.just("q"), texts, max_size=4
    ).map(urlencode)


# allauth's rate limits would answer 429 to this many calls with one token.
@override_settings(ACCOUNT_RATE_LIMITS=False)
class RandomJsonTests(ApiTestCase):
    def test_no_random_input_to_any_operation_gets_a_server_error(self) -> None:
        document = served_document(self.client)
        token = self.token_for(self.editor)
        listed = operations(self)
        # Deletions last, so the rows the other operations use are still there.
        listed.sort(key=lambda operation: operation.method == "delete")
        self.assertGreater(len(listed), 60)
        for operation in listed:
            with self.subTest(operation.label):
                self._fuzz(document, operation, token)

    def _fuzz(self, document: dict[str, Any], operation: Operation, token: str) -> None:
        url = operation.path
        for name, value in operation.path_parameters.items():
            url = url.replace("{" + name + "}", str(value))
        query_names = [
            p["name"]
            for p in operation.spec.get("parameters", ())
            if p["in"] == "query"
        ]
        fields, is_list = _fields(document, operation)
        has_body = operation.method in ("post", "put", "patch")

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(
            query=_queries(query_names),
            body=_bodies(fields, is_list) if has_body else st.just(""),
        )
        def call(query: str, body: str) -> None:
            response = self.client.generic(
                operation.method.upper(),
                f"{url}?{query}" if query else url,
                body,
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {token}",
            )
            assert response.status_code < 500, (
                f"{operation.label} ?{query} {body[:300]!r} answered "
                f"{response.status_code}: {response.content[:300]!r}"
            )

        call()
