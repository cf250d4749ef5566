"""Exports of any size stream: a 60,000-point measure exports as JSON and CSV (its
JSON export once answered 500), and the streamed JSON is the object the export
always gave. Memory for 1,000,000 points is measured in ``make bench``
(bench/exports.py), not asserted here."""

from __future__ import annotations

import csv
import datetime
import io
import json
from typing import Any
from unittest import mock

import numpy as np
from django.http import StreamingHttpResponse
from django.test import SimpleTestCase
from django.urls import reverse

from openqi.measures import charts, exports
from openqi.measures.models import Annotation, DataPoint, Measure, PhaseBreak
from openqi.spc import spc_chart
from tests.base import BaseTestCase
from tests.measures.helpers import add_points, make_measure

POINTS = 60_000
FIRST = datetime.date(1860, 1, 1)


def streamed(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def old_export(measure: Measure) -> dict[str, Any]:
    """The JSON export as it was built in memory before it streamed."""
    points = list(measure.points.order_by("period"))
    try:
        result = charts.chart_for(measure, points)
        chart, chart_error = (result.to_dict() if result else None), None
    except ValueError as error:
        chart, chart_error = None, str(error)
    return {
        "measure": {
            "id": measure.pk,
            "name": measure.name,
            "definition": measure.definition,
            "kind": measure.kind,
            "numerator_definition": measure.numerator_definition,
            "denominator_definition": measure.denominator_definition,
            "unit_of_measure": measure.unit_label,
            "frequency": measure.frequency,
            "improvement": measure.improvement,
            "target": measure.target,
            "chart_type": measure.chart_type,
            "is_chart_automatic": measure.is_chart_automatic,
            "fix_after": measure.fix_after,
            "multiplier": measure.multiplier,
            "unit": measure.unit.name if measure.unit else None,
        },
        "points": [
            {
                "period": p.period.isoformat(),
                "value": p.value,
                "denominator": p.denominator,
                "note": p.note,
                "is_excluded": p.is_excluded,
                "exclusion_reason": p.exclusion_reason,
            }
            for p in points
        ],
        "phase_breaks": [
            {"period": b.period.isoformat(), "reason": b.reason}
            for b in measure.phase_breaks.all()
        ],
        "annotations": [
            {"period": a.period.isoformat(), "text": a.text}
            for a in measure.annotations.all()
        ],
        "chart": chart,
        "chart_error": chart_error,
    }


class LargeExportTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.measure = make_measure(
            cls.org, name="Daily attendances", frequency=Measure.Frequency.DAILY
        )
        DataPoint.objects.bulk_create(
            (
                DataPoint(
                    measure=cls.measure,
                    period=FIRST + datetime.timedelta(days=i),
                    value=float(100 + i % 17),
                )
                for i in range(POINTS)
            ),
            batch_size=5000,
        )

    def url(self, measure: Measure) -> str:
        return reverse(
            "measures:export", kwargs={"slug": self.org.slug, "pk": measure.pk}
        )

    def test_json_of_60000_points_has_every_point_and_the_chart(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.get(self.url(self.measure), {"format": "json"})
        self.assertEqual(response.status_code, 200)
        self.assertIsInstance(response, StreamingHttpResponse)
        self.assertEqual(response["Content-Type"], "application/json")
        self.assertIn(
            'filename="daily-attendances.json"', response["Content-Disposition"]
        )
        body = json.loads(streamed(response))
        self.assertEqual(len(body["points"]), POINTS)
        self.assertEqual(body["points"][0]["period"], FIRST.isoformat())
        self.assertEqual(body["points"][-1]["value"], float(100 + (POINTS - 1) % 17))
        self.assertEqual(len(body["chart"]["points"]), POINTS)
        self.assertEqual(body["chart"]["chart"], "xmr")
        self.assertIsNone(body["chart_error"])

    def test_csv_of_60000_points_streams_every_row(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.get(self.url(self.measure))
        self.assertEqual(response.status_code, 200)
        self.assertIsInstance(response, StreamingHttpResponse)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn(
            'filename="daily-attendances.csv"', response["Content-Disposition"]
        )
        lines = streamed(response).decode().splitlines()
        self.assertEqual(len(lines), POINTS + 1)
        self.assertEqual(lines[0], "period,value")
        self.assertEqual(lines[1], f"{FIRST.isoformat()},100")
        self.assertEqual(len(set(lines)), POINTS + 1)

    def test_a_large_export_streams_piece_by_piece_without_model_instances(
        self,
    ) -> None:
        self.sign_in(self.viewer)
        no_instances = mock.patch.object(
            DataPoint, "from_db", side_effect=AssertionError("a point model instance")
        )
        for kind in ("json", "csv"):
            with self.subTest(kind=kind), no_instances:
                response = self.client.get(self.url(self.measure), {"format": kind})
                self.assertEqual(response.status_code, 200)
                self.assertIsInstance(response, StreamingHttpResponse)
                self.assertFalse(hasattr(response, "content"))
                pieces = []
                # Consumed one piece at a time (the test client closes the
                # response, as a server does, once the last piece is read).
                for piece in response.streaming_content:
                    self.assertLess(len(piece), 1_000_000)
                    pieces.append(piece)
                self.assertGreater(len(pieces), 10)
                text = b"".join(pieces).decode()
                if kind == "json":
                    body = json.loads(text)
                    self.assertEqual(len(body["points"]), POINTS)
                    self.assertEqual(len(body["chart"]["points"]), POINTS)
                    self.assertEqual(
                        body["chart"]["points"][-1]["period"],
                        (FIRST + datetime.timedelta(days=POINTS - 1)).isoformat(),
                    )
                else:
                    rows = list(csv.reader(io.StringIO(text)))
                    self.assertEqual(rows[0], ["period", "value"])
                    self.assertEqual(len(rows), POINTS + 1)
                    self.assertTrue(all(len(row) == 2 for row in rows))

    def test_streamed_json_is_the_object_the_export_always_gave(self) -> None:
        ratio = make_measure(
            self.org,
            name="Seen in 4 hours",
            kind="proportion",
            multiplier=100,
            improvement="increase",
            target=95,
            unit_label="%",
            unit=self.team,
        )
        values = [90, 80.5, 85, None, 70, 88, 91, 86, 84, 90, 87, 89]
        points = add_points(ratio, values, denominators=[100] * 3 + [None] + [110] * 8)
        points[4].is_excluded = True
        points[4].exclusion_reason = "Coding error"
        points[4].note = 'A "quoted" note, with a comma\nand a line'
        points[4].save()
        PhaseBreak.objects.create(measure=ratio, period=points[6].period, reason="New")
        Annotation.objects.create(measure=ratio, period=points[2].period, text="Ü")
        for measure in (ratio, make_measure(self.org, name="Empty")):
            self.sign_in(self.viewer)
            response = self.client.get(self.url(measure), {"format": "json"})
            with self.subTest(measure=measure.name):
                self.assertEqual(json.loads(streamed(response)), old_export(measure))

    def test_data_point_lines_are_the_text_json_dumps_writes(self) -> None:
        measure = make_measure(self.org, name="Notes", kind="rate")
        points = add_points(measure, [1.5, None, 3], denominators=[10, None, 1e20])
        points[0].note = 'A "quoted" note, with a comma\nand a line \u00dc \U0001f600'
        points[2].is_excluded = True
        points[2].exclusion_reason = "Tab\there"
        for point in points:
            point.save()
        lines = [line for chunk in exports._data_points(measure) for line in chunk]
        self.assertEqual(
            lines,
            [
                json.dumps(
                    {
                        "period": p.period.isoformat(),
                        "value": p.value,
                        "denominator": p.denominator,
                        "note": p.note,
                        "is_excluded": p.is_excluded,
                        "exclusion_reason": p.exclusion_reason,
                    }
                )
                for p in measure.points.order_by("period")
            ],
        )

    def test_a_chart_that_cannot_be_drawn_still_exports_the_points(self) -> None:
        broken = make_measure(self.org, name="Broken", kind="proportion")
        add_points(broken, [3, 4], denominators=[0, 5])
        self.sign_in(self.viewer)
        response = self.client.get(self.url(broken), {"format": "json"})
        body = json.loads(streamed(response))
        self.assertEqual(body, old_export(broken))
        self.assertIsNone(body["chart"])
        self.assertEqual(len(body["points"]), 2)


class ChartPointsTests(SimpleTestCase):
    def test_chunked_chart_lines_are_the_charts_points_for_every_chart(self) -> None:
        rng = np.random.default_rng(11)
        n = 2 * exports.CHUNK + 17
        periods = [(FIRST + datetime.timedelta(days=i)).isoformat() for i in range(n)]
        for chart in ("xmr", "run", "p", "pp", "u", "up", "c", "g", "t"):
            ratio = chart in ("p", "pp", "u", "up")
            values: list[float | None] = [float(v) for v in rng.integers(1, 50, n)]
            denominators: list[float | None] | None = [100.0] * n if ratio else None
            values[5] = None
            if denominators:
                denominators[5] = None
            result = spc_chart(
                chart,
                values,
                denominators,
                periods,
                exclude=[periods[9]],
                rebase=[periods[n // 2]],
                **({"multiply": 100} if ratio else {}),
            )
            lines = [
                line
                for start in range(0, n, exports.CHUNK)
                for line in exports._chart_points(result, start, start + exports.CHUNK)
            ]
            with self.subTest(chart=chart):
                # The very text json.dumps writes for each of the chart's points.
                self.assertEqual(lines, [json.dumps(p) for p in result.points()])
                self.assertEqual(
                    [list(json.loads(line).items()) for line in lines],
                    [list(p.items()) for p in result.points()],
                )
