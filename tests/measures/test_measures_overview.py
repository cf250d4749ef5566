"""The measures overview: concerns first, the latest signal in words, read from
stored chart summaries; the batch engine gives what chart_for gives."""

from __future__ import annotations

from unittest import mock

import numpy as np

from openqi.measures import services, summaries
from openqi.measures.charts import refresh_chart_choice
from openqi.measures.models import Measure
from openqi.measures.overview import measures_overview, status_from_chart
from openqi.measures.services import chart_for
from openqi.measures.summaries import compute_summaries, summary_from_chart
from tests.base import BaseTestCase
from tests.portfolio.portfolio_data import (
    FLAT,
    STEP_DOWN,
    STEP_UP,
    link,
    make_measure,
    make_project,
    months,
)

URL = "/organisations/northfield/portfolio/measures/"

#: Every field of a stored summary that a page reads.
SUMMARY_FIELDS = (
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
    "engine",
)


class OverviewOrderTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # Lower is better throughout.
        cls.improving = make_measure(
            cls.org, STEP_DOWN, name="A improving", improvement="decrease"
        )
        cls.common = make_measure(
            cls.org, FLAT, name="B common cause", improvement="decrease"
        )
        cls.failing = make_measure(
            cls.org, FLAT, name="C failing its target", improvement="decrease", target=5
        )
        cls.concern = make_measure(
            cls.org, STEP_UP, name="D concern shift", improvement="decrease"
        )
        cls.empty = make_measure(cls.org, [], name="E no data")
        cls.project = make_project(cls.org, title="Fewer falls at night")
        link(cls.project, cls.concern)
        make_measure(cls.other_org, FLAT, name="Southmere measure")

    def test_concerns_come_first_then_inconsistent_common_cause_and_improvement(
        self,
    ) -> None:
        overview = measures_overview(self.org)
        self.assertEqual(
            [s.measure.name for s in overview],
            [
                "D concern shift",
                "C failing its target",
                "B common cause",
                "A improving",
                "E no data",
            ],
        )
        self.assertEqual(
            [s.group for s in overview],
            ["concern", "concern", "common_cause", "improvement", "no_data"],
        )

    def test_an_inconsistent_target_sorts_between_concerns_and_common_cause(
        self,
    ) -> None:
        make_measure(
            self.org, FLAT, name="F inconsistent", improvement="decrease", target=10
        )
        names = [s.measure.name for s in measures_overview(self.org)]
        self.assertEqual(names.index("F inconsistent"), 2)

    def test_each_measure_has_its_icons_latest_value_and_signal_in_words(self) -> None:
        by_name = {s.measure.name: s for s in measures_overview(self.org)}
        concern = by_name["D concern shift"]
        self.assertEqual(concern.variation, "concern_high")
        self.assertEqual(concern.latest_value, 15)
        self.assertEqual(concern.latest_period, "2023-12")
        self.assertEqual(
            concern.phrase,
            "Special cause concern since January 2023: the latest point is part of a "
            "run of 7 or more above the mean (12 special cause points in a row).",
        )
        self.assertEqual(
            [(link.title, link.role) for link in concern.projects],
            [("Fewer falls at night", "Outcome")],
        )
        failing = by_name["C failing its target"]
        self.assertEqual(failing.assurance, "consistent_fail")
        self.assertEqual(
            failing.phrase,
            "Common cause variation at the latest point. Consistently failing the target of 5.",
        )
        self.assertEqual(by_name["E no data"].phrase, "No data yet.")

    def test_the_page_lists_groups_in_order_for_editor_and_viewer(self) -> None:
        for user in (self.editor, self.viewer):
            self.sign_in(user)
            response = self.client.get(URL)
            self.assertEqual(response.status_code, 200)
            page = response.content.decode()
            order = [
                page.index(name)
                for name in ("D concern shift", "C failing", "B common", "A improving")
            ]
            self.assertEqual(order, sorted(order))
            self.assertIn('aria-label="Special cause concern, high"', page)
            self.assertIn('aria-label="Consistently fails the target"', page)
            self.assertNotIn("Southmere measure", page)

    def test_outsider_gets_404(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(URL).status_code, 404)

    def test_a_fixed_number_of_queries_whatever_the_measures(self) -> None:
        self.sign_in(self.editor)
        self.client.get(URL)
        with self.assertNumQueries(6):
            # session, user, membership; the groups' counts (with a check that
            # every summary is current), the page's measures with their
            # summaries, and their project links
            self.client.get(URL)
        for i in range(25):
            link(
                self.project,
                make_measure(self.org, FLAT, name=f"More {i}", chart_type="run"),
            )
        with self.assertNumQueries(6):
            # ... the same for thirty measures: every summary is stored
            self.client.get(URL)


class BatchMatchesChartForTests(BaseTestCase):
    def test_batch_and_chart_for_give_the_same_statuses(self) -> None:
        rng = np.random.default_rng(20240301)
        measures = []
        for i in range(60):
            n = int(rng.integers(2, 80))
            values: list[float | None] = list(rng.normal(50, 5, n).round(1))
            kind = i % 6
            if kind == 1 and n > 20:  # a shift up at the end
                values[-9:] = [v + 12 for v in values[-9:]]
            elif kind == 2 and n > 10:  # a point far out
                values[-1] = 120.0
            elif kind == 3 and n > 10:  # a trend down
                values[-8:] = [80 - 4 * k for k in range(8)]
            elif kind == 4:  # gaps
                values[n // 2] = None
                if n > 3:
                    values[1] = None
            measures.append(
                make_measure(
                    self.org,
                    values,
                    name=f"Series {i}",
                    frequency=Measure.Frequency.WEEKLY,
                    improvement=("increase", "decrease", "neither")[i % 3],
                    target=None if i % 4 == 0 else float(rng.normal(50, 8)),
                )
            )
        with mock.patch(
            "openqi.measures.summaries.chart_for", wraps=chart_for
        ) as one_at_a_time:
            batch = compute_summaries(measures, batch=True)
        one_by_one = compute_summaries(measures, batch=False)
        for m in measures:
            a, b = batch[m.pk], one_by_one[m.pk]
            try:
                c = summary_from_chart(m, chart_for(m))
            except ValueError as error:
                c = summary_from_chart(m, None, why=str(error))
            with self.subTest(measure=m.name):
                for name in SUMMARY_FIELDS:
                    self.assertEqual(getattr(a, name), getattr(b, name), name)
                    self.assertEqual(getattr(a, name), getattr(c, name), name)
        # Most went through xmr_batch: the short ones and those with gaps that
        # leave no limits went through chart_for.
        self.assertLess(one_at_a_time.call_count, len(measures) - 30)

    def test_p_and_u_batches_give_what_chart_for_gives(self) -> None:
        # Proportions and rates of every shape: steady, shifted, a point far
        # out, over-dispersed (large denominators, wandering proportion: the
        # warning), gaps (a missing numerator, with or without its denominator),
        # short series, a row chart_for refuses, percentages and rates per 1,000,
        # targets, every direction, and p and u charts chosen automatically.
        rng = np.random.default_rng(20240302)
        measures = []
        for i in range(48):
            kind = ("proportion", "rate")[i % 2]
            shape = (i // 2) % 8
            n = int(rng.integers(14, 60)) if shape != 7 else int(rng.integers(2, 13))
            size = 20_000 if shape == 3 else int(rng.integers(20, 400))
            den = rng.integers(size // 2, size + 1, n).astype(float)
            level = rng.uniform(0.05, 0.6, n)[0] + (0.15 if shape == 1 else 0.0) * (
                np.arange(n) >= n - 8
            )
            if shape == 3:
                level = level + rng.normal(0, 0.05, n)
            level = np.clip(level, 0.01, 0.95)
            num = (
                rng.binomial(den.astype(int), level)
                if kind == "proportion"
                else rng.poisson(level * den)
            ).astype(float)
            if shape == 2:
                num[-1] = den[-1] * (0.99 if kind == "proportion" else 2.0)
            values: list[float | None] = [float(v) for v in num]
            denominators: list[float | None] = [float(v) for v in den]
            if shape == 4:
                values[n // 2] = None
                values[1] = None
                denominators[1] = None
            if shape == 5 and kind == "proportion":
                values[3] = denominators[3] + 5  # refused: chart_for says why
            measures.append(
                make_measure(
                    self.org,
                    values,
                    denominators=denominators,
                    name=f"Attribute {i}",
                    kind=kind,
                    frequency=Measure.Frequency.WEEKLY,
                    multiplier=(1.0, 100.0, 1000.0)[i % 3],
                    improvement=("increase", "decrease", "neither")[i % 3],
                    target=None if i % 4 == 0 else float(rng.uniform(1, 60)),
                    # Half pinned to p or u; the rest automatic (p or u, or p′
                    # or u′ where the data are over-dispersed: pp_batch/up_batch).
                    chart_type=("p" if kind == "proportion" else "u")
                    if i % 4 < 2
                    else "",
                )
            )
            refresh_chart_choice(measures[-1])  # as every change to its data does
        with (
            mock.patch(
                "openqi.measures.summaries.chart_for", wraps=chart_for
            ) as one_at_a_time,
            mock.patch(
                "openqi.measures.summaries.p_batch", wraps=summaries.p_batch
            ) as p_calls,
            mock.patch(
                "openqi.measures.summaries.u_batch", wraps=summaries.u_batch
            ) as u_calls,
        ):
            batch = compute_summaries(measures, batch=True)
        one_by_one = compute_summaries(measures, batch=False)
        for m in measures:
            a, b = batch[m.pk], one_by_one[m.pk]
            try:
                c = summary_from_chart(m, chart_for(m))
            except ValueError as error:
                c = summary_from_chart(m, None, why=str(error))
            with self.subTest(measure=m.name):
                for name in SUMMARY_FIELDS:
                    self.assertEqual(getattr(a, name), getattr(b, name), name)
                    self.assertEqual(getattr(a, name), getattr(c, name), name)
        self.assertEqual((p_calls.call_count, u_calls.call_count), (1, 1))
        batched = len(measures) - one_at_a_time.call_count
        self.assertGreater(batched, 20)
        # The over-dispersion warning came through the batch too.
        self.assertTrue(
            any(
                batch[m.pk].warnings and batch[m.pk].chart in ("p", "u")
                for m in measures
            )
        )
        # Measures moved to p′ or u′ by over-dispersion kept their chart.
        moved = [m for m in measures if m.chart_type in ("pp", "up")]
        self.assertTrue(moved)
        for m in measures:
            self.assertEqual(batch[m.pk].chart or m.chart_type, m.chart_type)

    def test_measures_with_phase_breaks_use_chart_for(self) -> None:
        measure = make_measure(
            self.org,
            STEP_DOWN,
            improvement="decrease",
            breaks=[months(13)[12]],
        )
        (status,) = measures_overview(self.org)
        # In its new phase the latest point is common cause; one phase would say improvement.
        self.assertEqual(status.variation, "common_cause")
        self.assertEqual(status.measure, measure)

    def test_all_missing_values_show_the_reason(self) -> None:
        measure = make_measure(self.org, [None, None], name="Gaps only")
        (status,) = measures_overview(self.org)
        self.assertEqual((status.measure, status.group), (measure, "no_data"))


class LeftOutPointsAndFixedLimitsTests(BaseTestCase):
    """The overview judges a measure as its own page does (chart_for), honouring the
    points an editor left out and limits fixed after N points."""

    # Steady around 50 with a wild early point; the last point is 54.5.
    VALUES = [50, 51, 49, 90, 50, 51, 49, 50, 51, 49, 50, 50, 51, 49, 50, 51, 49, 54.5]

    def _page_status(self, measure: Measure) -> tuple[str, str | None]:
        status = status_from_chart(measure, chart_for(measure))
        return status.variation, status.assurance

    def test_a_left_out_point_is_left_out_of_the_overview_too(self) -> None:
        measure = make_measure(self.org, self.VALUES, improvement="increase")
        wild = measure.points.order_by("period")[3]
        services.save_point(
            measure,
            period=wild.period,
            value=wild.value,
            is_excluded=True,
            exclusion_reason="Data entry error",
            point=wild,
        )
        (status,) = measures_overview(self.org)
        # Without the wild point the mean is 50.3 and the mean moving range 1.4,
        # so the upper limit is near 50.3 + 2.66 × 1.4 ≈ 54.0 and 54.5 is special
        # cause; counting it (mean 52.6) would make 54.5 common cause.
        self.assertEqual(status.variation, "improvement_high")
        self.assertEqual(
            (status.variation, status.assurance), self._page_status(measure)
        )

    def test_limits_fixed_after_n_points_hold_in_the_overview(self) -> None:
        # Twelve steady points fix the limits at 50 ± 2.66 × 1.45 (upper ≈ 53.9),
        # so the last point, 54.3, is special cause; limits from all 16 points
        # (with the moving ranges of 3 and 5.3) would be wider and call it common.
        values = [50, 51, 49, 50, 51, 49, 50, 51, 49, 50, 51, 49, 52, 50, 49, 54.3]
        measure = make_measure(self.org, values, improvement="increase", fix_after=12)
        (status,) = measures_overview(self.org)
        self.assertEqual(status.variation, "improvement_high")
        self.assertEqual(
            (status.variation, status.assurance), self._page_status(measure)
        )
