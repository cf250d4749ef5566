"""The instrument definition format as a page in the app: hospital users cannot
open docs/assessments.md in the repository, so the import form links here."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from openqi.assessments.definition import parse_definition
from openqi.assessments.definition_schema import FIELDS
from tests.base import BaseTestCase

DOC = Path(__file__).resolve().parents[2] / "docs" / "assessments.md"
URL = "/organisations/northfield/assessments/instruments/format/"


def _page_examples(page: str) -> list[dict[str, object]]:
    blocks = re.findall(r"<pre[^>]*><code>(.*?)</code></pre>", page, re.S)
    return [json.loads(html.unescape(block)) for block in blocks]


def _doc_examples() -> list[dict[str, object]]:
    text = DOC.read_text(encoding="utf-8")
    return [json.loads(b) for b in re.findall(r"```json\n(.*?)```", text, re.S)]


class InstrumentFormatPageTests(BaseTestCase):
    def test_editor_and_viewer_read_the_format(self) -> None:
        for person in (self.editor, self.viewer):
            with self.subTest(person=person):
                self.sign_in(person)
                response = self.client.get(URL)
                self.assertEqual(response.status_code, 200)
                page = response.content.decode()
                self.assertIn("The instrument definition format", page)
                self.assertIn("Checks on loading", page)

    def test_only_those_who_may_load_are_offered_the_load_link(self) -> None:
        load = "/organisations/northfield/assessments/instruments/load/"
        self.sign_in(self.editor)
        self.assertIn(load, self.client.get(URL).content.decode())
        self.sign_in(self.viewer)
        self.assertNotIn(load, self.client.get(URL).content.decode())

    def test_outsider_gets_404(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(URL).status_code, 404)

    def test_anonymous_is_sent_to_sign_in(self) -> None:
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 302)
        self.assertIn("sign-in", response["Location"])

    def test_every_field_of_the_format_is_named(self) -> None:
        self.sign_in(self.viewer)
        page = self.client.get(URL).content.decode()
        fields = set().union(*FIELDS.values())
        missing = sorted(name for name in fields if f"<code>{name}</code>" not in page)
        self.assertEqual(missing, [], "name these fields on the format page")

    def test_the_examples_are_the_documents_and_load(self) -> None:
        self.sign_in(self.viewer)
        examples = _page_examples(self.client.get(URL).content.decode())
        self.assertEqual(examples, _doc_examples())
        keys = [parse_definition(example).key for example in examples]
        self.assertEqual(keys, ["ward-huddle-check", "oric"])

    def test_the_load_page_links_here_not_to_a_file_in_the_repository(self) -> None:
        self.sign_in(self.editor)
        page = self.client.get(
            "/organisations/northfield/assessments/instruments/load/"
        ).content.decode()
        self.assertIn(f'href="{URL}"', page)
        self.assertNotIn("docs/assessments.md", page)

    def test_the_assessments_page_links_here(self) -> None:
        self.sign_in(self.viewer)
        page = self.client.get(
            "/organisations/northfield/assessments/"
        ).content.decode()
        self.assertIn(f'href="{URL}"', page)
