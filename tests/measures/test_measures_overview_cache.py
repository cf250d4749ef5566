"""The measures overview keeps each measure's line until the measure or its data change."""

from __future__ import annotations

import datetime

from django.core.cache import cache
from django.test import TestCase

from openqi.measures.models import DataPoint, Measure, PhaseBreak
from openqi.measures.overview import measures_overview
from tests.factories import make_organisation
from tests.portfolio.portfolio_data import make_measure, months

# Twenty quiet months: mean 10, moving ranges of 1 -> limits 10 ± 2.66.
QUIET = [10, 11, 10, 9] * 5


class OverviewCacheTests(TestCase):
    def setUp(self) -> None:
        cache.clear()
        self.org = make_organisation()
        self.measure = make_measure(
            self.org, QUIET, improvement=Measure.Improvement.DECREASE, name="Falls"
        )

    def _status(self):  # type: ignore[no-untyped-def]
        (status,) = measures_overview(self.org)
        return status

    def test_a_new_data_point_is_seen_at_once(self) -> None:
        self.assertEqual(self._status().group, "common_cause")
        DataPoint.objects.create(measure=self.measure, period=months(21)[-1], value=40)
        status = self._status()
        self.assertEqual(status.group, "concern")
        self.assertEqual(status.latest_value, 40)

    def test_a_changed_value_is_seen_at_once(self) -> None:
        self.assertEqual(self._status().group, "common_cause")
        point = self.measure.points.order_by("period").last()
        point.value = 40
        point.save()
        self.assertEqual(self._status().group, "concern")

    def test_a_new_target_is_seen_at_once(self) -> None:
        self.assertIsNone(self._status().assurance)
        self.measure.target = 5
        self.measure.save()
        status = self._status()
        self.assertEqual(status.assurance, "consistent_fail")
        self.assertEqual(status.group, "concern")

    def test_a_phase_break_is_seen_at_once(self) -> None:
        before = self._status()
        DataPoint.objects.bulk_create(
            DataPoint(measure=self.measure, period=p, value=20) for p in months(28)[20:]
        )
        # bulk_create sends no signals: the cached line stays until something the
        # key names changes ...
        self.assertEqual(self._status().latest_period, before.latest_period)
        PhaseBreak.objects.create(
            measure=self.measure, period=datetime.date(2023, 9, 1), reason="New process"
        )
        # ... such as a phase break.
        self.assertEqual(self._status().latest_period, "2024-04")

    def test_cached_and_fresh_lines_agree(self) -> None:
        fresh = self._status()
        cached = self._status()
        for field in (
            "variation",
            "assurance",
            "latest_value",
            "latest_period",
            "phrase",
            "group",
        ):
            self.assertEqual(getattr(cached, field), getattr(fresh, field), field)
