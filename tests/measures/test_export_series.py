"""The export's chart, streamed from the database a block at a time
(export_series), is the chart the pages draw from the points (charts.chart_for)."""

from __future__ import annotations

import datetime
import json
from typing import Any

import numpy as np

from openqi.measures import charts, export_series, exports
from openqi.measures.models import Measure, PhaseBreak
from tests.base import BaseTestCase
from tests.measures.helpers import SHIFTED, add_points, make_measure


def both(measure: Measure, chunk: int = 3) -> tuple[Any, Any]:
    """The chart_for chart and the export's, each as ``to_dict()`` (or the error)."""
    out: list[Any] = []
    try:
        result = charts.chart_for(measure)
        out.append(None if result is None else result.to_dict())
    except ValueError as error:
        out.append(("error", str(error)))
    try:
        streamed = export_series.streamed_chart(measure, chunk)
        out.append(
            None
            if streamed is None
            else json.loads(
                "".join(exports._encode(exports._chart_document(streamed), 0))
            )
        )
    except ValueError as error:
        out.append(("error", str(error)))
    return out[0], out[1]


class ExportSeriesTests(BaseTestCase):
    def test_blocks_hold_every_point_in_order_read_in_chunks(self) -> None:
        measure = make_measure(self.org, name="Seen", kind="proportion")
        points = add_points(
            measure,
            [3, None, 5, 6, 7, 8, 9],
            denominators=[10, 10, None, 10] + [20] * 3,
        )
        points[3].is_excluded = True
        points[3].save()
        read = export_series._Reader(measure)
        blocks = [read(0, 2), read(2, 4), read(4, 7)]
        self.assertEqual(
            [p for b in blocks for p in b.periods],
            [
                "2023-01",
                "2023-02",
                "2023-03",
                "2023-04",
                "2023-05",
                "2023-06",
                "2023-07",
            ],
        )
        np.testing.assert_array_equal(
            np.concatenate([b.values for b in blocks]), [3, np.nan, 5, 6, 7, 8, 9]
        )
        np.testing.assert_array_equal(
            np.concatenate([b.denominators for b in blocks]),  # type: ignore[misc]  # a ratio's blocks have denominators
            [10, 10, np.nan, 10, 20, 20, 20],
        )
        self.assertEqual(
            np.concatenate([b.is_excluded for b in blocks]).tolist(),
            [False] * 3 + [True] + [False] * 3,
        )
        # Read again from the start, but never out of order.
        self.assertEqual(list(read(0, 1).periods), ["2023-01"])
        with self.assertRaises(ValueError):
            read(5, 6)

    def test_an_empty_measure_has_no_chart(self) -> None:
        measure = make_measure(self.org, name="Empty")
        self.assertIsNone(export_series.streamed_chart(measure))
        self.assertEqual(both(measure), (None, None))

    def test_the_chart_is_chart_for_with_breaks_exclusions_and_options(self) -> None:
        ratio = make_measure(
            self.org,
            name="Seen in 4 hours",
            kind="proportion",
            multiplier=100,
            improvement="increase",
            target=95,
            fix_after=12,
        )
        n = 40
        values: list[float | None] = [float(80 + (i * 7) % 11) for i in range(n)]
        values[4] = None  # a missing value
        points = add_points(ratio, values, denominators=[100.0] * n)
        for i in (2, 17):
            points[i].is_excluded = True
            points[i].exclusion_reason = "Coding error"
            points[i].save()
        # Before the first point (no phase), on a point, between two points (the
        # next one starts the phase) and two breaks landing on one point.
        for when in (
            datetime.date(2022, 6, 1),
            points[15].period,
            points[25].period - datetime.timedelta(days=3),
            points[25].period,
            datetime.date(2099, 1, 1),
        ):
            PhaseBreak.objects.create(measure=ratio, period=when, reason="Change")
        expected, got = both(ratio)
        self.assertEqual(got, expected)
        self.assertEqual(len(got["summary"]["phases"]), 3)

    def test_every_kind_and_frequency_gives_the_pages_chart(self) -> None:
        cases: list[dict[str, Any]] = [
            {"kind": "count"},
            {"kind": "count", "frequency": Measure.Frequency.DAILY},
            {"kind": "count", "frequency": Measure.Frequency.WEEKLY},
            {"kind": "count", "frequency": Measure.Frequency.QUARTERLY},
            {"kind": "count", "chart_type": "c"},
            {"kind": "count", "chart_type": "run"},
            {"kind": "continuous", "improvement": "decrease", "target": 10},
            {"kind": "time_between"},
            {"kind": "cases_between"},
            {"kind": "rate", "multiplier": 1000},
            {"kind": "rate", "chart_type": "up", "multiplier": 1000},
            {"kind": "proportion", "chart_type": "run", "multiplier": 100},
            {"kind": "proportion", "chart_type": "pp", "multiplier": 100},
        ]
        for fields in cases:
            measure = make_measure(self.org, **fields)
            ratio = fields["kind"] != "count"
            add_points(
                measure,
                SHIFTED,
                denominators=[20.0 + i for i in range(len(SHIFTED))] if ratio else None,
            )
            with self.subTest(**fields):
                expected, got = both(measure)
                self.assertIsNotNone(got)
                self.assertEqual(got, expected)

    def test_data_no_chart_can_use_fails_as_chart_for_does(self) -> None:
        broken = make_measure(self.org, name="Broken", kind="proportion")
        add_points(broken, [3, 4], denominators=[0, 5])
        expected, got = both(broken)
        self.assertEqual(got, expected)
        self.assertEqual(got[0], "error")
