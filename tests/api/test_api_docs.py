"""docs/api.md documents every endpoint the OpenAPI document lists."""

from __future__ import annotations

from pathlib import Path

from tests.api.base import ApiTestCase

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"
ORGANISATION = "/api/v1/organisations/{slug}"


class ApiDocsTests(ApiTestCase):
    def test_every_endpoint_is_documented(self) -> None:
        text = DOCS.read_text()
        document = self.client.get("/api/v1/openapi.json").json()
        missing = []
        for path, operations in document["paths"].items():
            for method in operations:
                written = {f"{method.upper()} {path}"}
                if path.startswith(ORGANISATION + "/"):
                    written.add(f"{method.upper()} …{path.removeprefix(ORGANISATION)}")
                if not any(w in text for w in written):
                    missing.append(f"{method.upper()} {path}")
        self.assertEqual(missing, [], "add these to docs/api.md")

    def test_the_docs_say_where_tokens_are_made(self) -> None:
        self.assertIn("/accounts/tokens/", DOCS.read_text())
