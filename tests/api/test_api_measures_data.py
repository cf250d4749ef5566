"""A measure's data points (all-or-nothing bulk upsert) and its chart through the API."""

from __future__ import annotations

import datetime
import json

from django.urls import reverse

from openqi.audit.models import AuditEvent
from openqi.measures.models import DataPoint, Measure
from openqi.measures.services import chart_for
from openqi.spc import render_svg
from tests.api.base import SESSION, ApiTestCase
from tests.api.routes_strategy_projects_measures import FALLS, add_points, make_measure

SLUG = {"slug": "northfield"}


class DataPointTests(ApiTestCase):
    def setUp(self) -> None:
        self.measure = make_measure(self.org, kind="count", frequency="monthly")
        add_points(self.measure, [5, 6, 7])  # January to March 2023
        self.points = reverse(
            "api:data-points", kwargs={**SLUG, "measure_id": self.measure.pk}
        )

    def stored(self, measure: Measure | None = None) -> dict[str, float | None]:
        measure = measure or self.measure
        return {p.period.isoformat(): p.value for p in measure.points.all()}

    def test_viewer_lists_the_points_oldest_first_a_page_at_a_time(self) -> None:
        body = self.call("get", self.points, self.viewer, data={"limit": 2}).json()
        self.assertEqual(body["total"], 3)
        self.assertEqual(
            [(p["period"], p["value"]) for p in body["items"]],
            [("2023-01-01", 5.0), ("2023-02-01", 6.0)],
        )

    def test_upsert_adds_new_periods_and_changes_existing_ones(self) -> None:
        rows = [
            {"period": "2023-01-01", "value": 5},  # unchanged
            {"period": "2023-02-14", "value": 8},  # changed; any day in the month
            {"period": "Apr 2023", "value": "9"},  # new; a numeric string is fine
            {"period": "2023-05", "value": None},  # new, missing
        ]
        response = self.call("post", self.points, self.editor, data=rows)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(
            response.json(), {"new": 2, "changed": 1, "unchanged": 1, "total": 5}
        )
        self.assertEqual(
            self.stored(),
            {
                "2023-01-01": 5.0,
                "2023-02-01": 8.0,
                "2023-03-01": 7.0,
                "2023-04-01": 9.0,
                "2023-05-01": None,
            },
        )

    def test_one_bad_row_saves_nothing_and_every_problem_is_listed(self) -> None:
        before = self.stored()
        events = AuditEvent.objects.count()
        rows = [
            {"period": "2023-02-01", "value": 80},  # good, would change
            {"period": "2023-13-01", "value": 3},
            {"period": "2023-06-01", "value": "lots"},
            {"period": "2023-07-01", "value": -2},
            {"period": "2023-08-01", "value": 4},  # good, would be new
            {"period": "2023-02-20", "value": 1},  # February again
        ]
        body = self.assert_error(
            self.call("post", self.points, self.editor, data=rows), 422
        )
        self.assertEqual(
            [(d["index"], d["field"]) for d in body["details"]],
            [(1, "period"), (2, "value"), (3, "value"), (5, "period")],
        )
        self.assertIn("4 of 6 rows", body["error"])
        self.assertIn("nothing was saved", body["error"])
        messages = {d["index"]: d["message"] for d in body["details"]}
        self.assertIn("not a real date", messages[1])
        self.assertIn("give a number", messages[2])
        self.assertIn("cannot be negative", messages[3])
        self.assertIn("at index 0", messages[5])
        self.assertEqual(self.stored(), before)
        self.assertEqual(AuditEvent.objects.count(), events)

    def test_proportions_need_a_denominator_no_smaller_than_the_numerator(self) -> None:
        measure = make_measure(self.org, kind="proportion", multiplier=100)
        url = reverse("api:data-points", kwargs={**SLUG, "measure_id": measure.pk})
        rows = [
            {"period": "2024-01-01", "value": 40, "denominator": 50},
            {"period": "2024-02-01", "value": 40},
            {"period": "2024-03-01", "value": 60, "denominator": 50},
            {"period": "2024-04-01", "value": 0, "denominator": 0},
        ]
        body = self.assert_error(self.call("post", url, self.editor, data=rows), 422)
        self.assertEqual(
            [(d["index"], d["field"]) for d in body["details"]],
            [(1, "denominator"), (2, "value"), (3, "denominator")],
        )
        self.assertFalse(measure.points.exists())
        response = self.call("post", url, self.editor, data=rows[:1])
        self.assertEqual(response.json()["new"], 1)
        self.assertEqual(measure.points.get().denominator, 50.0)

    def test_an_empty_list_or_an_object_is_refused(self) -> None:
        body = self.assert_error(
            self.call("post", self.points, self.editor, data=[]), 422
        )
        self.assertIn("at least one", body["error"])
        self.assert_error(
            self.call("post", self.points, self.editor, data={"period": "2024-01-01"}),
            422,
        )
        self.assertEqual(self.measure.points.count(), 3)

    def test_new_points_are_audited_via_api(self) -> None:
        response = self.call(
            "post",
            self.points,
            self.editor,
            via=SESSION,
            data=[{"period": "2023-04-01", "value": 4}],
        )
        self.assertEqual(response.status_code, 200, response.content)
        # One event for the whole upsert, holding every period's new numbers.
        event = AuditEvent.objects.filter(model="measures.Measure").latest("pk")
        self.assertEqual(
            (event.action, event.actor, event.via), ("update", self.editor, "api")
        )
        self.assertEqual(
            event.after["bulk_rows"],
            {"2023-04-01": {"value": 4.0, "denominator": None}},
        )

    def test_viewer_outsider_and_anonymous_cannot_upsert(self) -> None:
        rows = [{"period": "2023-04-01", "value": 4}]
        self.assert_error(self.call("post", self.points, self.viewer, data=rows), 403)
        self.assert_error(self.call("post", self.points, self.outsider, data=rows), 404)
        self.assert_error(self.call("post", self.points, None, data=rows), 401)
        self.assert_error(self.call("get", self.points, self.outsider), 404)
        self.assertEqual(self.measure.points.count(), 3)


class ChartTests(ApiTestCase):
    def setUp(self) -> None:
        self.measure = make_measure(
            self.org, name="Falls a month", improvement="decrease", unit_label="falls"
        )
        add_points(self.measure, FALLS)
        self.chart = reverse(
            "api:chart", kwargs={**SLUG, "measure_id": self.measure.pk}
        )

    def test_the_chart_is_chart_for_as_a_dict(self) -> None:
        response = self.call("get", self.chart, self.viewer)
        self.assertEqual(response.status_code, 200, response.content)
        expected = json.loads(json.dumps(chart_for(self.measure).to_dict()))
        self.assertEqual(response.json(), expected)
        body = response.json()
        self.assertEqual(body["chart"], "xmr")
        self.assertEqual(len(body["points"]), len(FALLS))
        self.assertEqual(body["summary"]["variation"], "improvement_low")
        self.assertTrue(body["summary"]["signals"])

    def test_a_phase_break_rebases_the_chart(self) -> None:
        self.measure.phase_breaks.create(
            period=datetime.date(2023, 11, 1), reason="Hourly rounds"
        )
        body = self.call("get", self.chart, self.viewer).json()
        self.assertEqual(body["options"]["rebase"], ["2023-11"])
        self.assertEqual(len(body["summary"]["phases"]), 2)

    def test_svg_is_the_rendered_chart(self) -> None:
        response = self.call("get", self.chart, self.viewer, data={"format": "svg"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "image/svg+xml")
        expected = render_svg(
            chart_for(self.measure),
            title="Falls a month",
            y_label="falls",
            x_label="Period",
        )
        self.assertEqual(response.content.decode(), expected)

    def test_an_unknown_format_is_a_422(self) -> None:
        body = self.assert_error(
            self.call("get", self.chart, self.viewer, data={"format": "png"}), 422
        )
        self.assertEqual(body["details"][0]["field"], "format")

    def test_a_measure_without_data_has_no_chart(self) -> None:
        empty = make_measure(self.org)
        url = reverse("api:chart", kwargs={**SLUG, "measure_id": empty.pk})
        body = self.assert_error(self.call("get", url, self.viewer), 404)
        self.assertIn("data-points", body["error"])

    def test_data_the_chart_cannot_use_is_a_conflict_with_the_reason(self) -> None:
        measure = make_measure(self.org, kind="proportion")
        DataPoint.objects.create(
            measure=measure, period=datetime.date(2024, 1, 1), value=5, denominator=3
        )
        url = reverse("api:chart", kwargs={**SLUG, "measure_id": measure.pk})
        body = self.assert_error(self.call("get", url, self.viewer), 409)
        self.assertIn("more than its denominator", body["error"])

    def test_outsider_and_anonymous_cannot_see_the_chart(self) -> None:
        self.assert_error(self.call("get", self.chart, self.outsider), 404)
        self.assert_error(self.call("get", self.chart), 401)
        svg = self.call("get", self.chart, self.outsider, data={"format": "svg"})
        self.assert_error(svg, 404)
