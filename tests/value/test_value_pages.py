"""The value pages: a project's benefits, the realised change of a phase break,
investment and turnover, the programme's return, bad input and query counts."""

from __future__ import annotations

import datetime
from decimal import Decimal

from openqi.audit.models import AuditEvent
from openqi.organisations.models import Role
from openqi.value import services
from openqi.value.models import Benefit, Investment, Turnover
from tests.base import BaseTestCase
from tests.factories import make_member
from tests.value.helpers import (
    benefit_data,
    investment_data,
    make_benefit,
    make_investment,
    make_project,
    make_shifted_measure,
)

ORG = "/organisations/northfield"


class BenefitPageTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.project = make_project(cls.org, lead=cls.lead)
        cls.url = f"{ORG}/projects/{cls.project.pk}/benefits/"

    def test_project_page_links_to_its_benefits(self) -> None:
        self.sign_in(self.viewer)
        page = self.client.get(f"{ORG}/projects/{self.project.pk}/").content.decode()
        self.assertIn(self.url, page)

    def test_every_member_reads_and_only_recorders_see_the_button(self) -> None:
        make_benefit(self.project, title="Fewer agency shifts")
        self.sign_in(self.viewer)
        page = self.client.get(self.url).content.decode()
        self.assertIn("Fewer agency shifts", page)
        self.assertIn("£10,000", page)
        self.assertNotIn("Record a benefit", page)
        self.sign_in(self.lead)
        self.assertIn("Record a benefit", self.client.get(self.url).content.decode())

    def test_lead_records_a_benefit_and_it_is_audited(self) -> None:
        self.sign_in(self.lead)
        response = self.client.post(self.url + "new/", benefit_data())
        self.assertRedirects(response, self.url)
        benefit = Benefit.objects.get(project=self.project)
        self.assertEqual(benefit.money, Decimal("12000.00"))
        self.assertEqual(benefit.recorded_by, self.lead)
        self.assertTrue(AuditEvent.objects.filter(model__icontains="benefit").exists())

    def test_lead_of_another_project_is_refused(self) -> None:
        other_lead = make_member(self.org, Role.PROJECT_LEAD, full_name="Pat Other")
        self.sign_in(other_lead)
        response = self.client.post(self.url + "new/", benefit_data())
        self.assertEqual(response.status_code, 403)
        self.assertContains(
            response, "Only the project&#39;s lead, the QI team", status_code=403
        )
        self.assertFalse(Benefit.objects.exists())

    def test_a_plain_member_is_refused(self) -> None:
        self.sign_in(self.member)
        self.assertEqual(self.client.get(self.url + "new/").status_code, 403)

    def test_outsider_gets_404(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def _errors(self, **overrides: str) -> str:
        self.sign_in(self.qi_lead)
        response = self.client.post(self.url + "new/", benefit_data(**overrides))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Benefit.objects.exists())
        return response.content.decode()

    def test_bad_input_is_refused_with_a_clear_message(self) -> None:
        cases = {
            "negative money": ({"money": "-500"}, "Enter an amount of more than £0"),
            "absurd money": ({"money": "5,000,000,000,000"}, "check for extra noughts"),
            "not a number": ({"money": "lots"}, "Enter a number"),
            "nan": ({"money": "nan"}, "Enter an amount in pounds"),
            "nothing": (
                {"money": ""},
                "Enter the benefit in money, in natural units, or both",
            ),
            "money for patients": (
                {"domain": "patient"},
                "Patient outcomes and experience is counted in natural units, not money",
            ),
            "end before start": (
                {
                    "recurrence": "recurring",
                    "end_date_day": "1",
                    "end_date_month": "1",
                    "end_date_year": "2024",
                },
                "The end date must be on or after the start date.",
            ),
            "recurring without end": (
                {"recurrence": "recurring"},
                "Enter the date a recurring benefit ends",
            ),
            "one-off with end": (
                {"end_date_day": "1", "end_date_month": "1", "end_date_year": "2025"},
                "A one-off benefit has one date",
            ),
            "realised in the future": (
                {"start_date_year": str(datetime.date.today().year + 2)},
                "its start date cannot be in the future",
            ),
            "absurd year": (
                {"start_date_year": "1900"},
                "Enter a date between 2000 and 2100",
            ),
            "units without a label": ({"quantity": "120"}, "Name the natural unit"),
            "too long": (
                {
                    "recurrence": "recurring",
                    "kind": "expected",
                    "end_date_day": "1",
                    "end_date_month": "6",
                    "end_date_year": "2090",
                },
                "at most 30 years",
            ),
        }
        for name, (overrides, message) in cases.items():
            with self.subTest(name):
                self.assertIn(message, self._errors(**overrides))

    def test_money_from_a_unit_value_is_shown_with_it(self) -> None:
        self.sign_in(self.qi_lead)
        data = benefit_data(
            domain="cost_avoidance",
            money="",
            quantity="240",
            unit_label="bed days",
            unit_value="350",
        )
        self.assertEqual(self.client.post(self.url + "new/", data).status_code, 302)
        benefit = Benefit.objects.get()
        self.assertEqual(benefit.money, Decimal("84000.00"))
        page = self.client.get(self.url).content.decode()
        self.assertIn("£84,000; 240 bed days (at £350 each)", page)

    def test_money_that_disagrees_with_the_unit_value_is_refused(self) -> None:
        page = self._errors(quantity="240", unit_label="bed days", unit_value="350")
        self.assertIn(
            "is not the quantity times the value of one unit (£84,000.00)", page
        )

    def test_edit_and_delete(self) -> None:
        benefit = make_benefit(self.project)
        self.sign_in(self.lead)
        edit = f"{self.url}{benefit.pk}/edit/"
        data = benefit_data(title="Fewer bank shifts", version=str(benefit.version))
        self.assertEqual(self.client.post(edit, data).status_code, 302)
        benefit.refresh_from_db()
        self.assertEqual(benefit.title, "Fewer bank shifts")
        stale = benefit_data(title="Stale", version="1")
        self.assertContains(self.client.post(edit, stale), "Someone else saved this")
        self.client.post(f"{self.url}{benefit.pk}/delete/")
        self.assertFalse(Benefit.objects.exists())


class PhaseBreakTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.project = make_project(cls.org, lead=cls.lead)
        cls.measure = make_shifted_measure(cls.org, cls.project)
        cls.url = f"{ORG}/projects/{cls.project.pk}/benefits/"

    def test_the_change_between_the_centre_lines(self) -> None:
        change = services.phase_change(self.measure)
        assert change is not None
        # A year averaging 100 bed days a month, then a year averaging 80.
        self.assertAlmostEqual(change.before_centre, 100.0)
        self.assertAlmostEqual(change.after_centre, 80.0)
        self.assertAlmostEqual(change.change_per_period, -20.0)
        self.assertAlmostEqual(change.gain_per_period, 20.0)  # lower is better
        self.assertAlmostEqual(change.yearly_quantity, 240.0)  # bed days a year
        self.assertEqual(change.phase_began, datetime.date(2025, 1, 1))

    def test_the_page_offers_it_and_the_form_starts_from_it(self) -> None:
        self.sign_in(self.lead)
        page = self.client.get(self.url).content.decode()
        self.assertIn("Bed days lost to delayed discharge", page)
        self.assertIn(
            "the centre line was 100 from 2024-01\n        and 80 from 2025-01", page
        )
        self.assertIn("20 better a monthly period; about 240 bed days a year", page)
        offer = f"{self.url}new/?measure={self.measure.pk}"
        self.assertIn(offer.replace("&", "&amp;"), page)
        form = self.client.get(offer).content.decode()
        self.assertIn('value="240"', form)
        self.assertIn('value="bed days"', form)
        self.assertIn("moved from 100 (from 2024-01) to 80 (from 2025-01)", form)

    def test_an_unlinked_or_bad_measure_offers_nothing(self) -> None:
        self.sign_in(self.lead)
        for query in ("?measure=999999", "?measure=x"):
            response = self.client.get(f"{self.url}new/{query}")
            self.assertEqual(response.status_code, 200)
            self.assertNotIn("From the phase break", response.content.decode())


class ProgrammeTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.first = make_project(cls.org, title="Discharge lounge", lead=cls.lead)
        cls.second = make_project(cls.org, title="Criteria-led discharge")
        cls.measure = make_shifted_measure(cls.org, cls.first)
        make_investment(cls.org, 2024, "100000")
        make_investment(cls.org, 2025, "50000", category=Investment.Category.TRAINING)
        Turnover.objects.create(
            organisation=cls.org, year=2024, amount=Decimal("5000000")
        )

    def _claim(self, project: object, money: str) -> Benefit:
        return make_benefit(
            project,  # type: ignore[arg-type]
            title="Bed days released",
            domain="cost_avoidance",
            money=Decimal(money),
            measure=self.measure,
            recurrence=Benefit.Recurrence.RECURRING,
            start_date=datetime.date(2025, 1, 1),
            end_date=datetime.date(2025, 12, 31),
        )

    def test_two_projects_claiming_one_measure_count_once(self) -> None:
        self._claim(self.first, "73000")
        later = self._claim(self.second, "73000")
        found = services.programme(self.org)
        self.assertEqual(set(found.shared), {later.pk})
        self.assertEqual(found.shared[later.pk].project, "Discharge lounge")
        # £73,000 a year from 1 Jan to 31 Dec 2025: 90 days of 2024/25's 365
        # (£18,000) and 275 of 2025/26's 365 (£55,000); counted once.
        self.assertEqual(found.result.scenario("central").benefits, Decimal("73000.00"))
        self.sign_in(self.viewer)
        page = self.client.get(
            f"{ORG}/projects/{self.second.pk}/benefits/"
        ).content.decode()
        self.assertIn("Shared with", page)
        self.assertIn("Discharge lounge", page)

    def test_the_programme_page_shows_roi_chart_and_natural_units(self) -> None:
        self._claim(self.first, "73000")
        make_benefit(
            self.first,
            title="Calmer discharges",
            domain="patient",
            money=None,
            quantity=Decimal("40"),
            unit_label="complaints avoided",
        )
        self.sign_in(self.viewer)
        page = self.client.get(f"{ORG}/value/").content.decode()
        # (73,000 − 150,000) / 150,000 = −51%
        self.assertIn("-51%", page)
        self.assertIn("<svg", page)
        self.assertIn("Cumulative benefits and investment, 2024/25 to 2025/26", page)
        self.assertIn("complaints avoided", page)
        self.assertIn("2.00%", page)  # 100,000 of 5,000,000
        self.assertIn("(above 1%)", page)
        self.assertNotIn("Record investment and turnover", page)

    def test_navigation_links_to_the_programme(self) -> None:
        self.sign_in(self.member)
        self.assertIn(
            f'href="{ORG}/value/"',
            self.client.get(f"{ORG}/value/investment/").content.decode(),
        )

    def test_query_counts_are_pinned(self) -> None:
        self._claim(self.first, "73000")
        self._claim(self.second, "73000")
        self.sign_in(self.viewer)
        self.client.get(f"{ORG}/value/")
        with self.assertNumQueries(6):
            self.client.get(f"{ORG}/value/")
        with self.assertNumQueries(9):
            self.client.get(f"{ORG}/projects/{self.second.pk}/benefits/")


class InvestmentTests(BaseTestCase):
    url = f"{ORG}/value/investment/"

    def test_qi_team_records_investment_and_turnover(self) -> None:
        self.sign_in(self.qi_lead)
        response = self.client.post(self.url + "new/", investment_data())
        self.assertRedirects(response, self.url)
        self.assertEqual(Investment.objects.get().amount, Decimal("50000.00"))
        self.client.post(
            f"{ORG}/value/turnover/", {"year": "2024", "amount": "400,000,000"}
        )
        self.client.post(
            f"{ORG}/value/turnover/", {"year": "2024", "amount": "410,000,000"}
        )
        self.assertEqual(Turnover.objects.get().amount, Decimal("410000000.00"))
        page = self.client.get(self.url).content.decode()
        self.assertIn("£410,000,000", page)
        self.assertIn("2024/25", page)

    def test_bad_investment_is_refused_clearly(self) -> None:
        self.sign_in(self.editor)
        for overrides, message in (
            ({"amount": "-1"}, "Enter an amount of more than £0"),
            ({"year": "1850"}, "Enter a year from 2000 to 2100"),
            ({"category": ""}, "Choose what the investment paid for"),
            ({"amount": "1e15"}, "check for extra noughts"),
        ):
            with self.subTest(overrides):
                response = self.client.post(
                    self.url + "new/", investment_data(**overrides)
                )
                self.assertContains(response, message)
        response = self.client.post(
            f"{ORG}/value/turnover/", {"year": "2024", "amount": "0"}
        )
        self.assertContains(response, "Enter an amount of more than £0")
        self.assertFalse(Investment.objects.exists() or Turnover.objects.exists())

    def test_project_lead_may_not_record_investment(self) -> None:
        self.sign_in(self.lead)
        response = self.client.post(self.url + "new/", investment_data())
        self.assertEqual(response.status_code, 403)
        self.assertNotIn(
            "Record investment", self.client.get(self.url).content.decode()
        )

    def test_delete(self) -> None:
        investment = make_investment(self.org, 2024, "1000")
        self.sign_in(self.editor)
        self.client.post(f"{self.url}{investment.pk}/delete/")
        self.assertFalse(Investment.objects.exists())
