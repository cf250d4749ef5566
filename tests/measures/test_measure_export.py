"""Export as CSV and JSON, and the round trip back through the import."""

from __future__ import annotations

import datetime
import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from openqi.measures import imports
from tests.base import BaseTestCase
from tests.measures.helpers import SHIFTED, add_points, make_measure


def body(response) -> bytes:  # type: ignore[no-untyped-def]
    """A streamed export's bytes."""
    return b"".join(response.streaming_content)


class ExportTests(BaseTestCase):
    def setUp(self) -> None:
        self.measure = make_measure(
            self.org,
            name="Seen in 4 hours",
            kind="proportion",
            multiplier=100,
            improvement="increase",
            target=95,
            unit_label="%",
        )
        add_points(self.measure, [90, 80.5, 85], denominators=[100, 100, 120])
        self.url = reverse(
            "measures:export", kwargs={"slug": self.org.slug, "pk": self.measure.pk}
        )

    def test_csv_has_the_points(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.get(self.url, {"format": "csv"})
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn('filename="seen-in-4-hours.csv"', response["Content-Disposition"])
        self.assertEqual(
            body(response).decode(),
            "period,value,denominator\n2023-01-01,90,100\n2023-02-01,80.5,100\n2023-03-01,85,120\n",
        )

    def test_json_has_the_points_and_the_chart(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.get(self.url, {"format": "json"})
        self.assertEqual(response["Content-Type"], "application/json")
        self.assertIn(
            'filename="seen-in-4-hours.json"', response["Content-Disposition"]
        )
        data = json.loads(body(response))
        self.assertEqual(data["measure"]["name"], "Seen in 4 hours")
        self.assertEqual(len(data["points"]), 3)
        self.assertEqual(
            data["points"][1],
            {
                "period": "2023-02-01",
                "value": 80.5,
                "denominator": 100.0,
                "note": "",
                "is_excluded": False,
                "exclusion_reason": "",
            },
        )
        self.assertEqual(data["chart"]["chart"], "p")
        self.assertEqual(data["chart"]["points"][0]["value"], 90.0)
        self.assertIn("variation", data["chart"]["summary"])
        self.assertIsNone(data["chart_error"])

    def test_outsider_gets_404(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(self.client.get(self.url, {"format": "json"}).status_code, 404)

    def test_export_then_import_round_trip_changes_nothing(self) -> None:
        copy = make_measure(self.org, name="Copy", kind="proportion", multiplier=100)
        self.sign_in(self.editor)
        exported = body(self.client.get(self.url))
        for measure, new in ((self.measure, 0), (copy, 3)):
            response = self.client.post(
                reverse(
                    "measures:import",
                    kwargs={"slug": self.org.slug, "pk": measure.pk},
                ),
                {
                    "file": SimpleUploadedFile("export.csv", exported),
                    "token": imports.new_import_token(),
                },
            )
            imports.run_pending_imports()  # the runner beside the web server
            preview = self.client.get(response["Location"])
            self.assertContains(preview, f"<strong>{new} new</strong>")
            self.client.post(response["Location"] + "commit/")
            imports.run_pending_imports()
        original = list(
            self.measure.points.values_list("period", "value", "denominator")
        )
        self.assertEqual(
            list(copy.points.values_list("period", "value", "denominator")), original
        )
        self.assertEqual(len(original), 3)

    def test_json_of_a_chart_that_cannot_be_drawn_gives_the_reason(self) -> None:
        broken = make_measure(self.org, name="Broken", kind="proportion")
        add_points(broken, [3], denominators=[0], start=datetime.date(2024, 1, 1))
        self.sign_in(self.viewer)
        url = reverse(
            "measures:export", kwargs={"slug": self.org.slug, "pk": broken.pk}
        )
        data = json.loads(body(self.client.get(url, {"format": "json"})))
        self.assertIsNone(data["chart"])
        self.assertIn("must be above zero", data["chart_error"])

    def test_count_measure_exports_without_a_denominator_column(self) -> None:
        falls = make_measure(self.org, name="Falls")
        add_points(falls, SHIFTED[:2])
        self.sign_in(self.viewer)
        url = reverse("measures:export", kwargs={"slug": self.org.slug, "pk": falls.pk})
        self.assertEqual(
            body(self.client.get(url)).decode(),
            "period,value\n2023-01-01,11\n2023-02-01,9\n",
        )
