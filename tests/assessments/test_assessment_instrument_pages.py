"""Loading an instrument from its definition file, and downloading a definition."""

from __future__ import annotations

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from openqi.assessments.models import Instrument
from tests.base import BaseTestCase


def _upload(definition: dict | str) -> SimpleUploadedFile:
    body = definition if isinstance(definition, str) else json.dumps(definition)
    return SimpleUploadedFile("definition.json", body.encode(), "application/json")


class InstrumentPageTests(BaseTestCase):
    def setUp(self) -> None:
        self.builtin = (
            Instrument.objects.filter(organisation__isnull=True).order_by("pk").first()
        )
        self.url = reverse(
            "assessments:instrument_import", kwargs={"slug": self.org.slug}
        )

    def _definition(self, **changes: object) -> dict:
        definition = dict(self.builtin.definition)
        definition.update(
            key="our-climate-survey", name="Our climate survey", **changes
        )
        return definition

    def test_editor_loads_a_valid_definition(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(self.url, {"file": _upload(self._definition())})
        self.assertRedirects(
            response, reverse("assessments:list", kwargs={"slug": self.org.slug})
        )
        instrument = Instrument.objects.get(organisation=self.org)
        self.assertEqual(instrument.name, "Our climate survey")
        listing = self.client.get(response["Location"])
        self.assertContains(listing, "Our climate survey")

    def test_bad_definition_lists_every_problem_and_saves_nothing(self) -> None:
        self.sign_in(self.editor)
        broken = self._definition()
        broken["sections"] = [
            dict(
                broken["sections"][0],
                items=[{"key": "x", "text": "Q", "scale": "nope"}],
            )
        ]
        response = self.client.post(self.url, {"file": _upload(broken)})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "nothing was saved", status_code=400)
        self.assertContains(response, "nope", status_code=400)
        self.assertFalse(Instrument.objects.filter(organisation=self.org).exists())

    def test_text_that_is_not_json_is_refused(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(self.url, {"file": _upload("not json at all")})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Instrument.objects.filter(organisation=self.org).exists())

    def test_a_built_in_key_is_refused(self) -> None:
        self.sign_in(self.editor)
        clash = dict(self.builtin.definition)
        response = self.client.post(self.url, {"file": _upload(clash)})
        self.assertContains(response, "built-in instrument", status_code=400)

    def test_missing_file_re_shows_the_form(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(self.url, {})
        self.assertContains(response, "Choose the definition file to load.")

    def test_viewer_cannot_load_and_outsider_gets_404(self) -> None:
        self.sign_in(self.viewer)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.assertEqual(
            self.client.post(
                self.url, {"file": _upload(self._definition())}
            ).status_code,
            403,
        )
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertFalse(Instrument.objects.filter(organisation__isnull=False).exists())

    def test_download_gives_a_definition_that_loads_again(self) -> None:
        self.sign_in(self.viewer)
        url = reverse(
            "assessments:instrument_export",
            kwargs={"slug": self.org.slug, "pk": self.builtin.pk},
        )
        response = self.client.get(url)
        self.assertEqual(response["Content-Type"], "application/json")
        self.assertIn("attachment;", response["Content-Disposition"])
        self.assertEqual(json.loads(response.content)["key"], self.builtin.key)

    def test_another_organisations_instrument_cannot_be_downloaded(self) -> None:
        theirs = Instrument.objects.create(
            organisation=self.other_org,
            key="theirs",
            name="Theirs",
            definition=self.builtin.definition,
        )
        self.sign_in(self.editor)
        url = reverse(
            "assessments:instrument_export",
            kwargs={"slug": self.org.slug, "pk": theirs.pk},
        )
        self.assertEqual(self.client.get(url).status_code, 404)
