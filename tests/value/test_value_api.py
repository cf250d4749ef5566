"""The value API: a project's benefits, investment and the programme's return."""

from __future__ import annotations

import datetime
from decimal import Decimal

from openqi.value.models import Benefit, Investment
from tests.api.base import ApiTestCase
from tests.value.helpers import (
    make_benefit,
    make_investment,
    make_project,
    make_shifted_measure,
)

ORG = "/api/v1/organisations/northfield"


class ValueApiTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.project = make_project(cls.org, lead=cls.lead)
        cls.url = f"{ORG}/projects/{cls.project.pk}/benefits"

    def _benefit(self, **overrides: object) -> dict[str, object]:
        data: dict[str, object] = {
            "title": "Bed days released",
            "kind": "realised",
            "domain": "cost_avoidance",
            "quantity": 240,
            "unit_label": "bed days",
            "unit_value": 350,
            "method": "Centre lines before and after the phase break.",
            "confidence": "medium",
            "recurrence": "recurring",
            "start_date": "2025-01-01",
            "end_date": "2025-12-31",
        }
        data.update(overrides)
        return data

    def test_lead_records_and_lists_benefits(self) -> None:
        measure = make_shifted_measure(self.org, self.project)
        response = self.call(
            "post", self.url, self.lead, data=self._benefit(measure_id=measure.pk)
        )
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual(body["money"], "84000.00")  # 240 × £350, said in the record
        self.assertEqual(body["unit_value"], "350.00")
        listed = self.call("get", self.url, self.viewer).json()
        self.assertEqual(listed["total"], 1)

    def test_bad_input_answers_422_naming_the_field(self) -> None:
        for overrides, field in (
            ({"end_date": "2024-01-01"}, "end_date"),
            ({"domain": "staff", "money": 500}, "money"),
            ({"unit_label": ""}, "unit_label"),
            ({"measure_id": 999999}, "measure_id"),
        ):
            with self.subTest(field):
                response = self.call(
                    "post", self.url, self.qi_lead, data=self._benefit(**overrides)
                )
                body = self.assert_error(response, 422)
                self.assertIn(field, str(body["details"]))
        response = self.call(
            "post", self.url, self.qi_lead, data=self._benefit(money=-5)
        )
        self.assert_error(response, 422)
        self.assertFalse(Benefit.objects.exists())

    def test_a_member_and_another_lead_are_refused(self) -> None:
        self.assert_error(
            self.call("post", self.url, self.member, data=self._benefit()), 403
        )
        other = make_project(self.org, title="Another project")
        url = f"{ORG}/projects/{other.pk}/benefits"
        self.assert_error(self.call("post", url, self.lead, data=self._benefit()), 403)

    def test_investment_and_the_programme_return(self) -> None:
        response = self.call(
            "post",
            f"{ORG}/investments",
            self.qi_lead,
            data={"year": 2024, "category": "central_team", "amount": 100000},
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assert_error(
            self.call(
                "post",
                f"{ORG}/investments",
                self.lead,
                data={"year": 2024, "category": "tools", "amount": 1},
            ),
            403,
        )
        self.assert_error(
            self.call(
                "post",
                f"{ORG}/investments",
                self.editor,
                data={"year": 2024, "category": "tools", "amount": 0},
            ),
            422,
        )
        make_benefit(
            self.project, money=Decimal("150000"), start_date=datetime.date(2024, 9, 1)
        )
        body = self.call("get", f"{ORG}/programme-return", self.viewer).json()
        central = next(s for s in body["scenarios"] if s["name"] == "central")
        self.assertEqual(central["roi"], "0.5000")  # (150,000 − 100,000) / 100,000
        self.assertEqual(central["break_even_year"], 2024)
        self.assertEqual(body["years"][0]["label"], "2024/25")
        listed = self.call("get", f"{ORG}/investments", self.viewer).json()
        self.assertEqual(listed["items"][0]["amount"], "100000.00")
        self.assertEqual(Investment.objects.count(), 1)
        make_investment(self.org, 2025, "10")

    def test_outsider_gets_404(self) -> None:
        self.assert_error(
            self.call("get", f"{ORG}/programme-return", self.outsider), 404
        )
