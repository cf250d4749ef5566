"""A long measure keeps its chart facts with its summary, computed when its data
change, and its JSON export streams the chart from them without a first pass —
the same file as when it reads every point twice."""

from __future__ import annotations

import datetime
import json
from unittest import mock

from django.urls import reverse

from openqi.measures import export_series, summaries
from openqi.measures.models import ChartSummary, DataPoint, Measure, PhaseBreak
from tests.base import BaseTestCase
from tests.measures.helpers import make_measure
from tests.measures.test_measure_export_large import old_export, streamed

FIRST = datetime.date(1990, 1, 1)
POINTS = export_series.KEEP_FACTS_FROM + 500


class KeptFactsTests(BaseTestCase):
    def make(self, **fields: object) -> Measure:
        measure = make_measure(self.org, frequency=Measure.Frequency.DAILY, **fields)
        ratio = measure.has_denominator()
        DataPoint.objects.bulk_create(
            DataPoint(
                measure=measure,
                period=FIRST + datetime.timedelta(days=i),
                value=float(40 + (i * 7) % 13 + (9 if i > POINTS // 2 else 0)),
                denominator=100.0 if ratio else None,
                is_excluded=i % 997 == 5,
            )
            for i in range(POINTS)
        )
        PhaseBreak.objects.create(
            measure=measure, period=FIRST + datetime.timedelta(days=POINTS // 3)
        )
        summaries.refresh_summaries([measure])
        measure.refresh_from_db()
        return measure

    def export(self, measure: Measure) -> dict[str, object]:
        self.sign_in(self.viewer)
        url = reverse(
            "measures:export", kwargs={"slug": self.org.slug, "pk": measure.pk}
        )
        response = self.client.get(url, {"format": "json"})
        self.assertEqual(response.status_code, 200)
        body: dict[str, object] = json.loads(streamed(response))
        return body

    def test_a_long_measure_exports_from_its_kept_facts(self) -> None:
        for fields in (
            {"name": "Waits", "improvement": "decrease", "target": 45.0},
            {"name": "Seen", "kind": "proportion", "multiplier": 100, "fix_after": 20},
        ):
            measure = self.make(**fields)
            kept = ChartSummary.objects.get(measure=measure).stream_facts
            self.assertIsNotNone(kept)
            self.assertEqual(len(kept["phases"]), 2)  # type: ignore[index]  # kept is the facts' JSON
            with (
                self.subTest(**fields),
                mock.patch(
                    "openqi.spc.stream.chart_facts",
                    side_effect=AssertionError("a first pass"),
                ),
            ):
                self.assertEqual(self.export(measure), old_export(measure))

    def test_facts_of_other_data_are_not_used(self) -> None:
        measure = self.make(name="Waits")
        # A point added past the services and their signals: the kept facts are
        # for fewer points.
        DataPoint.objects.bulk_create(
            [
                DataPoint(
                    measure=measure,
                    period=FIRST + datetime.timedelta(days=POINTS),
                    value=99.0,
                )
            ]
        )
        with mock.patch(
            "openqi.spc.stream.chart_facts", wraps=export_series.chart_facts
        ) as first_pass:
            self.assertEqual(self.export(measure), old_export(measure))
        self.assertEqual(first_pass.call_count, 1)

    def test_a_short_measure_keeps_none(self) -> None:
        measure = make_measure(self.org, name="Short")
        DataPoint.objects.create(measure=measure, period=FIRST, value=1.0)
        summaries.refresh_summaries([measure])
        self.assertIsNone(ChartSummary.objects.get(measure=measure).stream_facts)
