"""A phase break's yearly quantity by kind of measure: a count sums over the year,
a proportion or rate counts the numerator events its change gives on the measure's
own volume, and a measurement gives no yearly quantity by itself."""

from __future__ import annotations

import datetime

from openqi.measures import services as measure_services
from openqi.measures.models import Measure
from openqi.projects.models import ProjectMeasure
from openqi.value import services
from openqi.value.models import Benefit
from tests.base import BaseTestCase
from tests.value.helpers import make_project

ORG = "/organisations/northfield"


def _month(start: datetime.date, n: int) -> datetime.date:
    months = start.month - 1 + n
    return datetime.date(start.year + months // 12, months % 12 + 1, 1)


class YearlyQuantityTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.project = make_project(cls.org, lead=cls.lead)

    def _measure(self, kind: str, points: list[tuple[float, float | None]], **fields):  # type: ignore[no-untyped-def]
        measure = Measure.objects.create(
            organisation=self.org,
            name=f"A {kind} measure",
            kind=kind,
            frequency=Measure.Frequency.MONTHLY,
            improvement=Measure.Improvement.INCREASE,
            **fields,
        )
        start = datetime.date(2024, 1, 1)
        for n, (value, denominator) in enumerate(points):
            measure_services.save_point(
                measure, period=_month(start, n), value=value, denominator=denominator
            )
        measure_services.add_phase_break(
            measure, period=_month(start, 12), reason="New pathway"
        )
        ProjectMeasure.objects.create(project=self.project, measure=measure)
        return measure

    def test_a_percentage_counts_the_numerator_events_on_its_own_volume(self) -> None:
        # 20 % of 200 a month for a year, then 30 % of 180 and 220 in turn (mean 200):
        # 10 points better = 0.1 × 200 = 20 more a month, 240 a year.
        before = [(40.0, 200.0)] * 12
        after = [(54.0, 180.0), (66.0, 220.0)] * 6
        measure = self._measure(
            Measure.Kind.PROPORTION,
            before + after,
            multiplier=100,
            unit_label="%",
            numerator_definition="Discharged with a written plan",
        )
        change = services.phase_change(measure)
        assert change is not None
        self.assertAlmostEqual(change.before_centre, 20.0)
        self.assertAlmostEqual(change.after_centre, 30.0)
        self.assertAlmostEqual(change.mean_denominator or 0, 200.0)
        self.assertAlmostEqual(change.yearly_quantity or 0, 240.0)
        self.assertEqual(change.yearly_unit, "more discharged with a written plan")
        self.sign_in(self.lead)
        form = self.client.get(
            f"{ORG}/projects/{self.project.pk}/benefits/new/?measure={measure.pk}"
        ).content.decode()
        self.assertIn('value="240"', form)
        self.assertIn("÷ 100 (the multiplier) × 200 (the mean denominator", form)
        self.assertNotIn("% a year", form)

    def test_a_measurement_gives_no_yearly_quantity(self) -> None:
        before = [(8.0 + (n % 3) * 0.1, None) for n in range(12)]
        after = [(9.5 + (n % 3) * 0.1, None) for n in range(12)]
        measure = self._measure(
            Measure.Kind.CONTINUOUS, before + after, unit_label="score"
        )
        change = services.phase_change(measure)
        assert change is not None
        self.assertAlmostEqual(change.gain_per_period, 1.5)
        self.assertIsNone(change.yearly_quantity)
        self.sign_in(self.lead)
        form = self.client.get(
            f"{ORG}/projects/{self.project.pk}/benefits/new/?measure={measure.pk}"
        ).content.decode()
        self.assertIn("is not a yearly quantity by itself", form)
        self.assertNotIn('name="quantity" value=', form)


class RecordedOfferTests(BaseTestCase):
    def test_a_recorded_phase_break_is_not_offered_again(self) -> None:
        from tests.value.helpers import make_shifted_measure

        project = make_project(self.org, lead=self.lead)
        measure = make_shifted_measure(self.org, project)
        url = f"{ORG}/projects/{project.pk}/benefits/"
        offer = f"{url}new/?measure={measure.pk}"
        self.sign_in(self.lead)
        self.assertIn(offer, self.client.get(url).content.decode())
        initial = services.benefit_from_phase_break(measure)
        assert initial is not None
        Benefit.objects.create(
            project=project,
            kind=Benefit.Kind.REALISED,
            domain="productivity",
            title=initial["title"],
            quantity=initial["quantity"],
            unit_label=initial["unit_label"],
            method=initial["method"],
            start_date=initial["start_date"],
            end_date=initial["end_date"],
            recurrence=initial["recurrence"],
            measure=measure,
            change_per_period=initial["change_per_period"],
            phase_began=initial["phase_began"],
        )
        page = self.client.get(url).content.decode()
        self.assertNotIn(offer, page)
        self.assertIn("Recorded as a realised benefit below.", page)
