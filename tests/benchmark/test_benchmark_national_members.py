"""A system's benchmark takes its members' values from a national file, each member
by its ODS code (issue 15: values "entered, imported, or computed from a national
file"); the expected figures are summed here from the CSV with the csv module."""

from __future__ import annotations

import csv
import datetime

from django.urls import reverse

from openqi.benchmark.models import Value
from openqi.data import AE_ATTENDANCES
from openqi.organisations.models import Organisation, Role
from tests.base import BaseTestCase
from tests.benchmark.helpers import make_benchmark
from tests.factories import make_member, make_organisation


def _by_hand(code: str, month: str) -> tuple[int, int]:
    """(seen within 4 hours, attendances) of ``code`` in ``month``, all types."""
    within = attendances = 0
    with AE_ATTENDANCES.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["org_code"] == code and row["period"] == month:
                attendances += int(row["attendances"])
                within += int(row["attendances"]) - int(row["breaches"])
    return within, attendances


class MemberValuesFromNationalFileTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.system = make_organisation(
            name="Lowland system", slug="lowland", kind=Organisation.Kind.SYSTEM
        )
        cls.org.system = cls.system
        cls.org.ods_code = "RJZ"
        cls.org.save()
        cls.peer = make_organisation(name="Peer Trust", slug="peer", system=cls.system)
        cls.system_lead = make_member(cls.system, Role.QI_TEAM)
        cls.benchmark = make_benchmark(
            cls.system,
            name="Seen within 4 hours",
            numerator_definition="Left A&E within 4 hours",
            denominator_definition="A&E attendances",
        )
        cls.url = reverse(
            "benchmark:from_national",
            kwargs={"slug": cls.system.slug, "pk": cls.benchmark.pk},
        )

    def test_a_member_with_its_code_gets_every_month_of_the_file(self) -> None:
        self.sign_in(self.system_lead)
        response = self.client.post(self.url, {"file": "ae-4-hour"}, follow=True)
        page = response.content.decode()
        self.assertIn(f"for {self.org.name}", page)
        self.assertIn(
            "Not in A&amp;E 4-hour performance, England by their national code: Peer Trust",
            page,
        )
        mine = Value.objects.filter(participant__organisation=self.org)
        self.assertEqual(mine.count(), 36)  # April 2016 to March 2019
        march = mine.get(period=datetime.date(2019, 3, 1))
        within, attendances = _by_hand("RJZ", "2019-03-01")
        self.assertEqual((march.numerator, march.denominator), (within, attendances))
        self.assertFalse(Value.objects.filter(participant__organisation=self.peer))
        # Again: the same values, nothing added.
        self.client.post(self.url, {"file": "ae-4-hour"})
        self.assertEqual(mine.count(), 36)

    def test_an_unknown_file_or_a_member_changes_nothing(self) -> None:
        self.sign_in(self.system_lead)
        page = self.client.post(self.url, {"file": "nonsense"}, follow=True)
        self.assertContains(page, "Choose one of the national files listed")
        self.sign_in(self.member)  # a member organisation's person
        self.assertIn(
            self.client.post(self.url, {"file": "ae-4-hour"}).status_code, (403, 404)
        )
        self.assertFalse(Value.objects.exists())
