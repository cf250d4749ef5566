"""The demo's return on the improvement programme: three years of turnover and
investment, benefits in all six domains, a realised benefit taken from a phase
break, a measure claimed by two projects and counted once, the cumulative return
passing the investment in the third year, and a second run that adds nothing."""

from __future__ import annotations

from decimal import Decimal

from django.test import TestCase

from openqi.audit.models import AuditEvent
from openqi.demo import build_demo, describe
from openqi.organisations.models import Organisation
from openqi.sustainability.models import (
    Rating,
    SustainabilityAction,
    SustainabilityCheck,
)
from openqi.value import services
from openqi.value.models import MONEY_DOMAINS, Benefit, Domain, Investment, Turnover
from openqi.value.returns import Flow, programme_return

MODELS = (
    Benefit,
    Investment,
    Turnover,
    SustainabilityCheck,
    Rating,
    SustainabilityAction,
)
YEARS = [2024, 2025, 2026]


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def _flow(benefit: Benefit) -> Flow:
    assert benefit.money is not None
    return Flow(
        amount=benefit.money,
        start=benefit.start_date,
        end=benefit.end_date,
        is_recurring=benefit.recurrence == Benefit.Recurrence.RECURRING,
        is_realised=benefit.kind == Benefit.Kind.REALISED,
        confidence=benefit.confidence,
        is_cash_releasing=benefit.is_cash_releasing,
    )


class DemoValueTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.demo = build_demo()
        cls.riverside = Organisation.objects.get(slug="riverside")
        cls.benefits = Benefit.objects.for_organisation(cls.riverside).select_related(
            "project", "measure"
        )
        cls.programme = services.programme(cls.riverside)

    def test_three_years_of_turnover_and_investment_in_every_category(self) -> None:
        turnover = dict(
            Turnover.objects.for_organisation(self.riverside).values_list(
                "year", "amount"
            )
        )
        self.assertEqual(sorted(turnover), YEARS)
        self.assertTrue(all(t > Decimal("100000000") for t in turnover.values()))
        investments = Investment.objects.for_organisation(self.riverside)
        by_year: dict[int, Decimal] = {}
        for year in YEARS:
            rows = investments.filter(year=year)
            self.assertEqual(
                set(rows.values_list("category", flat=True)),
                set(Investment.Category.values),
            )
            by_year[year] = sum((r.amount for r in rows), Decimal(0))
            share = by_year[year] * 100 / turnover[year]
            self.assertTrue(Decimal("0.3") <= share <= Decimal("0.8"), share)
        # Rising, then steady.
        self.assertGreater(by_year[2025], by_year[2024] * Decimal("1.3"))
        self.assertLess(abs(by_year[2026] - by_year[2025]), by_year[2025] / 10)
        self.assertEqual([r.year for r in self.programme.result.rows], YEARS)
        self.assertEqual(self.programme.result.years_over_benchmark, ())

    def test_benefits_in_all_six_domains_of_every_sort(self) -> None:
        benefits = list(self.benefits)
        self.assertEqual({b.domain for b in benefits}, set(Domain.values))
        self.assertEqual({b.kind for b in benefits}, set(Benefit.Kind.values))
        self.assertEqual(
            {b.confidence for b in benefits}, set(Benefit.Confidence.values)
        )
        self.assertEqual(
            {b.recurrence for b in benefits}, set(Benefit.Recurrence.values)
        )
        self.assertEqual({b.is_cash_releasing for b in benefits}, {True, False})
        self.assertGreaterEqual(len({b.project_id for b in benefits}), 8)
        for benefit in benefits:
            self.assertTrue(benefit.method)
            self.assertTrue(benefit.money is not None or benefit.quantity is not None)
            if benefit.money is not None:
                self.assertIn(benefit.domain, MONEY_DOMAINS)
            if benefit.quantity is not None:
                self.assertTrue(benefit.unit_label)
            if benefit.unit_value is not None:
                self.assertEqual(benefit.money, benefit.quantity * benefit.unit_value)
            if benefit.recurrence == Benefit.Recurrence.RECURRING:
                self.assertGreaterEqual(benefit.end_date, benefit.start_date)
            else:
                self.assertIsNone(benefit.end_date)
            if benefit.measure is not None:
                self.assertTrue(
                    services.linked_measures(benefit.project)
                    .filter(pk=benefit.measure_id)
                    .exists()
                )
        units = {b.unit_label for b in benefits}
        self.assertTrue({"bed days", "staff hours"} <= units)
        self.assertTrue(any("avoided" in u for u in units))

    def test_a_realised_benefit_from_a_phase_break_matches_the_measure(self) -> None:
        from_break = self.benefits.filter(phase_began__isnull=False)
        self.assertEqual(from_break.count(), 1)
        benefit = from_break.get()
        self.assertEqual(benefit.kind, Benefit.Kind.REALISED)
        self.assertTrue(benefit.measure.phase_breaks.exists())
        change = services.phase_change(benefit.measure)
        assert change is not None
        self.assertGreater(change.gain_per_period, 0)
        self.assertAlmostEqual(benefit.change_per_period, change.change_per_period)
        self.assertAlmostEqual(
            benefit.change_per_period, change.after_centre - change.before_centre
        )
        assert change.yearly_quantity is not None
        self.assertEqual(
            benefit.quantity, Decimal(str(round(change.yearly_quantity, 2)))
        )
        self.assertEqual(benefit.phase_began, change.phase_began)
        self.assertEqual(benefit.start_date, change.phase_began)
        self.assertIn(f"{change.before_centre:.4g}", benefit.method)
        self.assertIn(f"{change.after_centre:.4g}", benefit.method)
        # The benefit page offers the same change.
        self.assertIn(
            benefit.measure_id,
            [c.measure_id for c in services.phase_changes(benefit.project)],
        )

    def test_a_measure_claimed_by_two_projects_is_counted_once(self) -> None:
        self.assertEqual(len(self.programme.shared), 1)
        ((shared_pk, counted),) = self.programme.shared.items()
        shared = self.benefits.get(pk=shared_pk)
        original = self.benefits.get(
            project_id=counted.project_id, title=counted.benefit
        )
        self.assertEqual(shared.measure_id, original.measure_id)
        self.assertEqual(shared.kind, original.kind)
        self.assertNotEqual(shared.project_id, original.project_id)
        self.assertIn(shared.domain, MONEY_DOMAINS)
        # The central total is every realised money benefit but the shared one.
        money = [b for b in self.benefits if b.money is not None]
        counted_flows = [_flow(b) for b in money if b.pk != shared_pk]
        expected = programme_return(counted_flows, {2024: Decimal(1)})
        central = self.programme.result.scenario("central")
        self.assertEqual(central.benefits, expected.scenario("central").benefits)
        twice = programme_return([_flow(b) for b in money], {2024: Decimal(1)})
        self.assertGreater(twice.scenario("central").benefits, central.benefits)

    def test_the_cumulative_return_passes_the_investment_in_the_third_year(
        self,
    ) -> None:
        result = self.programme.result
        central = result.scenario("central")
        self.assertEqual(central.break_even_year, 2026)
        self.assertEqual(central.break_even_label, "2026/27")
        assert central.threshold is not None
        self.assertTrue(2 < central.threshold.position < 3)
        first, second, third = result.rows
        for row in (first, second):
            self.assertLess(
                row.cumulative_benefits["central"], row.cumulative_investment
            )
        self.assertGreater(
            third.cumulative_benefits["central"], third.cumulative_investment
        )
        assert central.roi is not None
        self.assertTrue(Decimal(0) < central.roi < Decimal(1))
        # Only high-confidence realised benefits: not yet paid back.
        self.assertIsNone(result.scenario("low").threshold)
        high = result.scenario("high")
        self.assertEqual(high.break_even_year, 2026)
        assert high.threshold is not None
        self.assertLess(high.threshold.position, central.threshold.position)
        self.assertTrue(any(r.cash_releasing > 0 for r in result.rows))

    def test_on_the_audit_trail_as_the_command(self) -> None:
        events = AuditEvent.objects.filter(organisation=self.riverside)
        for model in ("value.Benefit", "value.Investment", "value.Turnover"):
            self.assertTrue(events.filter(model=model).exists(), model)
        self.assertFalse(
            events.filter(model__startswith="value.").exclude(via="command").exists()
        )
        self.assertFalse(self.benefits.filter(recorded_by=None).exists())

    def test_the_description_counts_what_was_made(self) -> None:
        text = describe(self.demo)
        self.assertIn(f"{self.benefits.count()} benefits", text)
        self.assertIn("15 investments", text)
        self.assertIn("3 years of turnover", text)
        self.assertIn("sustainability checks", text)

    def test_running_again_creates_nothing(self) -> None:
        before = _counts()
        versions = list(Benefit.objects.order_by("pk").values_list("pk", "version"))
        again = build_demo()
        self.assertEqual(_counts(), before)
        self.assertEqual(
            list(Benefit.objects.order_by("pk").values_list("pk", "version")), versions
        )
        self.assertEqual(sum(again.created.values()), 0)


class DemoValueLargeTests(TestCase):
    def test_large_adds_natural_units_only_and_once(self) -> None:
        build_demo()
        riverside = Organisation.objects.get(slug="riverside")
        small = services._programme(riverside)
        build_demo(size="large")
        large = services._programme(riverside)
        self.assertGreater(large.benefit_count, small.benefit_count + 200)
        self.assertEqual(large.money_benefit_count, small.money_benefit_count)
        self.assertEqual(large.result, small.result)
        checks = SustainabilityCheck.objects.for_organisation(riverside).count()
        self.assertGreater(checks, 200)
        before = _counts()
        again = build_demo(size="large")
        self.assertEqual(_counts(), before)
        self.assertEqual(sum(again.created.values()), 0)
