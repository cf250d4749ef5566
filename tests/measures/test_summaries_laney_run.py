"""Stored chart summaries of p′, u′ and run chart measures: computed through
``pp_batch``, ``up_batch`` and ``run_batch`` in one call each, and the same as
``chart_for`` gives one by one."""

from __future__ import annotations

from typing import Any
from unittest import mock

import numpy as np

from openqi.measures import summaries
from openqi.measures.charts import refresh_chart_choice
from openqi.measures.models import Measure
from openqi.measures.services import chart_for
from openqi.measures.summaries import compute_summaries, summary_from_chart
from tests.base import BaseTestCase
from tests.portfolio.portfolio_data import make_measure

#: Every field of a summary a page or the suggested rating reads.
FIELDS = (
    "chart",
    "variation",
    "assurance",
    "latest_value",
    "latest_period",
    "phrase",
    "group",
    "rank",
    "n_points",
    "warnings",
    "sparkline",
    "progress",
)


class LaneyAndRunBatchTests(BaseTestCase):
    def assert_same_as_chart_for(self, measures: list[Measure], **watch: Any) -> Any:
        patches = {
            name: mock.patch(
                f"openqi.measures.summaries.{name}", wraps=getattr(summaries, name)
            )
            for name in ("chart_for", *watch)
        }
        mocks = {name: p.start() for name, p in patches.items()}
        try:
            batch = compute_summaries(measures, batch=True)
        finally:
            for p in patches.values():
                p.stop()
        one_by_one = compute_summaries(measures, batch=False)
        for m in measures:
            a, b = batch[m.pk], one_by_one[m.pk]
            try:
                c = summary_from_chart(m, chart_for(m))
            except ValueError as error:
                c = summary_from_chart(m, None, why=str(error))
            with self.subTest(measure=m.name):
                for name in FIELDS:
                    self.assertEqual(getattr(a, name), getattr(b, name), name)
                    self.assertEqual(getattr(a, name), getattr(c, name), name)
        for name, calls in watch.items():
            self.assertEqual(mocks[name].call_count, calls, name)
        return mocks["chart_for"].call_count, batch

    def test_laney_measures_chosen_or_moved_by_over_dispersion(self) -> None:
        # Proportions and rates with large denominators and a wandering level
        # (over-dispersed: automatic p and u measures move to p′ and u′), some
        # steady, shifted, with a point far out, gaps, short series, a refused
        # row and no σ_z (every proportion 0); pinned to p′ or u′ or automatic.
        rng = np.random.default_rng(20240311)
        measures = []
        for i in range(40):
            kind = ("proportion", "rate")[i % 2]
            shape = (i // 2) % 8
            n = int(rng.integers(14, 60)) if shape != 7 else int(rng.integers(2, 13))
            size = int(rng.integers(5_000, 20_000))
            den = rng.integers(size // 2, size + 1, n).astype(float)
            level = rng.uniform(0.05, 0.6) + rng.normal(0, 0.03, n)
            if shape == 1:
                level = level + 0.15 * (np.arange(n) >= n - 8)
            level = np.clip(level, 0.01, 0.95)
            num = (
                rng.binomial(den.astype(int), level)
                if kind == "proportion"
                else rng.poisson(level * den)
            ).astype(float)
            if shape == 2:
                num[-1] = den[-1] * (0.99 if kind == "proportion" else 2.0)
            if shape == 6:
                num[:] = 0.0  # p̄ = 0: no σ_z, no limits (chart_for warns)
            values: list[float | None] = [float(v) for v in num]
            denominators: list[float | None] = [float(v) for v in den]
            if shape == 4:
                values[n // 2] = None
                values[1] = None
                denominators[1] = None
            if shape == 5 and kind == "proportion":
                values[3] = denominators[3] + 5  # refused: chart_for says why
            pinned = i % 4 < 2
            measures.append(
                make_measure(
                    self.org,
                    values,
                    denominators=denominators,
                    name=f"Laney {i}",
                    kind=kind,
                    frequency=Measure.Frequency.WEEKLY,
                    multiplier=(1.0, 100.0, 1000.0)[i % 3],
                    improvement=("increase", "decrease", "neither")[i % 3],
                    target=None if i % 4 == 0 else float(rng.uniform(1, 60)),
                    chart_type=("pp" if kind == "proportion" else "up")
                    if pinned
                    else "",
                )
            )
            refresh_chart_choice(measures[-1])  # as every change to its data does
        moved = [
            m for m in measures if m.is_chart_automatic and m.chart_type in ("pp", "up")
        ]
        self.assertGreater(len(moved), 3)
        one_at_a_time, batch = self.assert_same_as_chart_for(
            measures, pp_batch=1, up_batch=1
        )
        laney = [m for m in measures if m.chart_type in ("pp", "up")]
        # Only the short, refused and limitless ones went one by one.
        self.assertLess(one_at_a_time, len(measures) - len(laney) + 15)
        self.assertGreater(len(laney) - one_at_a_time, 15)
        for m in moved:
            self.assertEqual(batch[m.pk].chart, m.chart_type)

    def test_run_chart_measures_with_and_without_denominators(self) -> None:
        rng = np.random.default_rng(20240312)
        measures = []
        for i in range(36):
            n = int(rng.integers(1, 50))
            shape = i % 6
            values: list[float | None] = list(rng.integers(0, 6, n).astype(float))
            if shape == 1 and n > 16:  # a long run at the end
                values[-10:] = [v + 10 for v in values[-10:]]  # type: ignore[operator]
            if shape == 2:
                values[n // 2] = None
            if shape == 3:
                values = [round(v, 1) for v in rng.normal(40, 4, n)]
            with_ratio = i % 3 == 0
            denominators: list[float | None] | None = None
            if with_ratio:
                denominators = [float(rng.integers(10, 200)) for _ in range(n)]
                values = [
                    None if v is None else float(min(v * 3, d))
                    for v, d in zip(values, denominators, strict=True)
                ]
                if shape == 0 and n > 4:
                    denominators[2] = 0.0  # refused: chart_for says why
            measures.append(
                make_measure(
                    self.org,
                    values,
                    denominators=denominators,
                    name=f"Run {i}",
                    kind="proportion" if with_ratio else "count",
                    frequency=Measure.Frequency.WEEKLY,
                    multiplier=(1.0, 100.0)[i % 2],
                    improvement=("increase", "decrease", "neither")[i % 3],
                    target=None if i % 4 == 0 else 3.0,
                    chart_type="run",
                    is_chart_automatic=False,
                )
            )
        one_at_a_time, batch = self.assert_same_as_chart_for(measures, run_batch=2)
        # Only the refused rows (six at most) went one by one.
        self.assertLessEqual(one_at_a_time, 6)
        self.assertTrue(any(batch[m.pk].variation != "common_cause" for m in measures))
        # Every chart a run chart; the refused ones say why, with no chart.
        self.assertEqual({batch[m.pk].chart for m in measures}, {"run", ""})
