"""Through the API: a point left out of the calculations, limits fixed after N
points, no data for periods that have not happened, and the automatic chart."""

from __future__ import annotations

from django.urls import reverse

from openqi.audit.models import AuditEvent
from openqi.measures.services import chart_for
from tests.api.base import ApiTestCase
from tests.measures.helpers import SHIFTED, add_points, make_measure

SLUG = {"slug": "northfield"}
#: The paths this work added to the OpenAPI document (tests/api/test_api_openapi.py).
EXCLUSION_PATHS = {
    "/api/v1/organisations/{slug}/measures/{measure_id}/data-points/{point_id}",
}


class ExcludeDataPointTests(ApiTestCase):
    def setUp(self) -> None:
        self.measure = make_measure(self.org, name="Falls", improvement="decrease")
        self.points = add_points(self.measure, [5, 6, 5, 40, 6, 5, 6, 5, 6, 5, 6, 5])
        self.url = reverse(
            "api:data-point",
            kwargs={
                **SLUG,
                "measure_id": self.measure.pk,
                "point_id": self.points[3].pk,
            },
        )

    def test_editor_leaves_a_point_out_with_a_reason(self) -> None:
        response = self.call(
            "patch",
            self.url,
            self.editor,
            data={"is_excluded": True, "exclusion_reason": "IT outage"},
        )
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual(
            (body["is_excluded"], body["exclusion_reason"], body["value"]),
            (True, "IT outage", 40.0),
        )
        self.assertEqual(
            [e.period for e in chart_for(self.measure).excluded], ["2023-04"]
        )
        event = AuditEvent.objects.filter(model="measures.DataPoint").latest("pk")
        self.assertEqual((event.via, event.actor), ("api", self.editor))
        self.assertEqual(event.after["is_excluded"], True)
        listed = self.call(
            "get",
            reverse("api:data-points", kwargs={**SLUG, "measure_id": self.measure.pk}),
            self.viewer,
        ).json()["items"]
        self.assertEqual(listed[3]["exclusion_reason"], "IT outage")

    def test_a_reason_is_needed_and_the_error_names_the_field(self) -> None:
        body = self.assert_error(
            self.call("patch", self.url, self.editor, data={"is_excluded": True}), 422
        )
        self.assertEqual(body["details"][0]["field"], "exclusion_reason")
        self.points[3].refresh_from_db()
        self.assertFalse(self.points[3].is_excluded)

    def test_bringing_the_point_back_clears_the_reason(self) -> None:
        data = {"is_excluded": True, "exclusion_reason": "IT outage"}
        self.call("patch", self.url, self.editor, data=data)
        response = self.call(
            "patch", self.url, self.editor, data={"is_excluded": False}
        )
        self.assertEqual(response.json()["exclusion_reason"], "")

    def test_viewer_gets_403_outsider_and_unknown_points_404(self) -> None:
        data = {"is_excluded": True, "exclusion_reason": "IT outage"}
        self.assert_error(self.call("patch", self.url, self.viewer, data=data), 403)
        self.assert_error(self.call("patch", self.url, self.outsider, data=data), 404)
        other = make_measure(self.org, name="Other")
        wrong = reverse(
            "api:data-point",
            kwargs={**SLUG, "measure_id": other.pk, "point_id": self.points[3].pk},
        )
        self.assert_error(self.call("patch", wrong, self.editor, data=data), 404)
        self.points[3].refresh_from_db()
        self.assertFalse(self.points[3].is_excluded)


class FixAfterTests(ApiTestCase):
    def setUp(self) -> None:
        self.measure = make_measure(self.org, name="Discharges")
        add_points(self.measure, SHIFTED)
        self.url = reverse(
            "api:measure", kwargs={**SLUG, "measure_id": self.measure.pk}
        )

    def test_fix_after_is_read_and_changed(self) -> None:
        body = self.call("get", self.url, self.viewer).json()
        self.assertEqual((body["fix_after"], body["is_chart_automatic"]), (None, True))
        response = self.call("patch", self.url, self.editor, data={"fix_after": 14})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["fix_after"], 14)
        self.measure.refresh_from_db()
        self.assertAlmostEqual(float(chart_for(self.measure).centre[-1]), 10.0)
        response = self.call("patch", self.url, self.editor, data={"fix_after": None})
        self.assertIsNone(response.json()["fix_after"])

    def test_fewer_points_than_the_engine_allows_are_refused(self) -> None:
        body = self.assert_error(
            self.call("patch", self.url, self.editor, data={"fix_after": 11}), 422
        )
        self.assertEqual(body["details"][0]["field"], "fix_after")
        self.assertIn("at least 12 points", body["details"][0]["message"])
        self.measure.refresh_from_db()
        self.assertIsNone(self.measure.fix_after)


class FuturePeriodTests(ApiTestCase):
    def test_a_period_after_the_current_one_is_refused(self) -> None:
        measure = make_measure(self.org, name="Falls")
        url = reverse("api:data-points", kwargs={**SLUG, "measure_id": measure.pk})
        rows = [{"period": "2024-01-01", "value": 3}, {"period": "2030-01", "value": 4}]
        body = self.assert_error(self.call("post", url, self.editor, data=rows), 422)
        self.assertEqual(
            [(d["index"], d["field"]) for d in body["details"]], [(1, "period")]
        )
        self.assertIn(
            "January 2030 has not happened yet", body["details"][0]["message"]
        )
        self.assertFalse(measure.points.exists())


class JsonNumbersTests(ApiTestCase):
    def test_the_json_api_takes_numbers_not_grouped_text(self) -> None:
        url = reverse("api:measures", kwargs=SLUG)
        data = {"name": "Attendances", "kind": "count", "target": "5,000"}
        self.assert_error(self.call("post", url, self.editor, data=data), 422)
        data["target"] = 5000
        response = self.call("post", url, self.editor, data=data)
        self.assertEqual(response.json()["target"], 5000.0)
