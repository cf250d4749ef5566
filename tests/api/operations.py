"""Every operation in the served OpenAPI document, with real path parameters.

The property test (test_api_fuzz.py) and the schemathesis pass (test_api_schema.py)
call each operation on real rows of the cast's organisation, so that a request
reaches the code that checks its body instead of stopping at a 404. The rows
come from the access walk's route declarations (``tests/<app>/routes*.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.test import Client
from django.urls import NoReverseMatch, reverse

from tests.test_access_walk import ROUTES

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    #: The operation's entry in the OpenAPI document.
    spec: dict[str, Any]
    path_parameters: dict[str, Any]

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"


def served_document(client: Client) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200, response.content[:300]
    document: dict[str, Any] = response.json()
    return document


def _template_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    regex = "".join(
        f"(?P<{part[1:-1]}>[^/]+)" if part.startswith("{") else re.escape(part)
        for part in parts
    )
    return re.compile(f"^{regex}$")


def real_path_parameters(cast: Any) -> dict[tuple[str, str], dict[str, Any]]:
    """(method, path template) → parameters naming real rows of ``cast.org``.

    A write the walk sets up (a row to delete, say) gets a row of its own, so
    deleting it leaves the rows the other operations use in place.
    """
    found: dict[tuple[str, str], dict[str, Any]] = {}
    document_paths = served_document(cast.client)["paths"]
    patterns = {template: _template_pattern(template) for template in document_paths}
    for route in ROUTES:
        if not route.is_api or route.public:
            continue
        base = route.kwargs(cast)
        tries = [("get", base)] + [
            (write.method, {**base, **write.setup(cast)} if write.setup else base)
            for write in route.writes
        ]
        for method, kwargs in tries:
            try:
                url = reverse(route.name, kwargs=kwargs)
            except NoReverseMatch:  # a write-only route's own kwargs name no row yet
                continue
            for template, pattern in patterns.items():
                if pattern.match(url):
                    found.setdefault((method, template), dict(kwargs))
    return found


def operations(cast: Any) -> list[Operation]:
    """Every operation of the served document, with real path parameters."""
    document = served_document(cast.client)
    parameters = real_path_parameters(cast)
    listed = []
    for path, entries in document["paths"].items():
        for method in METHODS:
            if method in entries:
                listed.append(
                    Operation(
                        method,
                        path,
                        entries[method],
                        parameters.get((method, path), {}),
                    )
                )
    return listed
