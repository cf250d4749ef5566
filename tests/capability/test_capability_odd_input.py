"""No input gives a 500: every capability form, posted odd values in every field."""

from __future__ import annotations

from tests.base import BaseTestCase
from tests.capability.helpers import (
    make_cohort,
    make_enrolment,
    make_level,
    make_programme,
    make_staff,
    make_target,
)

BASE = "/organisations/northfield/capability/"

ODD = (
    "",
    " ",
    "x" * 5000,
    "-1",
    "0",
    "1e309",
    "NaN",
    "99999999999999999999999",
    "nul\x00byte",
    "<script>alert(1)</script>",
    "１２",  # full-width digits
    "2025-02-30",
)

FIELDS = (
    "name who_for description skills audience level provider duration_hours format "
    "project_requirement starts_on_day starts_on_month starts_on_year ends_on_day "
    "ends_on_month ends_on_year status completed_on_day completed_on_month "
    "completed_on_year kind value unit staff_group due_on_day due_on_month "
    "due_on_year person confirm version direction"
).split()


class OddInputTests(BaseTestCase):
    def test_no_form_answers_with_a_server_error(self) -> None:
        level = make_level(self.org)
        programme = make_programme(self.org, level=level)
        cohort = make_cohort(programme)
        enrolment = make_enrolment(cohort, make_staff(self.org))
        target = make_target(self.org, level=level)
        record = make_staff(self.org)
        urls = [
            BASE + "levels/new/",
            f"{BASE}levels/{level.pk}/edit/",
            f"{BASE}levels/{level.pk}/move/",
            BASE + "programmes/new/",
            f"{BASE}programmes/{programme.pk}/edit/",
            f"{BASE}programmes/{programme.pk}/cohorts/new/",
            f"{BASE}cohorts/{cohort.pk}/edit/",
            f"{BASE}cohorts/{cohort.pk}/enrol/",
            f"{BASE}enrolments/{enrolment.pk}/",
            BASE + "targets/new/",
            f"{BASE}targets/{target.pk}/edit/",
            f"{BASE}staff/{record.pk}/erase/",
        ]
        self.sign_in(self.editor)
        for url in urls:
            for odd in ODD:
                with self.subTest(url=url, value=odd[:20]):
                    response = self.client.post(url, dict.fromkeys(FIELDS, odd))
                    self.assertLess(response.status_code, 500)
        for odd in ODD:
            with self.subTest(url="staff search", value=odd[:20]):
                response = self.client.get(BASE + "staff/", {"person": odd})
                self.assertLess(response.status_code, 500)
