"""The organisation page and the home page read in a fixed number of queries,
however many units and members the organisation has (no N+1)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from openqi.organisations.models import Membership, Role
from tests.base import BaseTestCase
from tests.factories import make_member, make_organisation, make_unit

#: Queries at most, whatever the rows (sign-in, membership and header included).
MOST = 10


class OrganisationQueryCountTests(BaseTestCase):
    def setUp(self) -> None:
        self.made = 0

    def add_rows(self, count: int) -> None:
        for i in range(self.made, self.made + count):
            make_unit(self.org, name=f"Ward {i}", parent=self.team)
            make_member(self.org, Role.MEMBER, full_name=f"Member {i}")
            other = make_organisation(name=f"Trust {i}", slug=f"trust-{i}")
            Membership.objects.create(user=self.member, organisation=other)
        self.made += count

    def queries(self, url: str, status: int = 200) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(url)
        self.assertEqual(response.status_code, status)
        return len(captured)

    def test_organisation_page(self) -> None:
        self.sign_in(self.member)
        url = "/organisations/northfield/about/"
        self.add_rows(2)
        few = self.queries(url)
        self.add_rows(18)
        many = self.queries(url)
        self.assertEqual(few, many)
        self.assertLessEqual(many, MOST)
        page = self.client.get(url).content.decode()
        self.assertIn(">23<", page.replace("\n", "").replace(" ", ""))  # units
        self.assertIn(">25<", page.replace("\n", "").replace(" ", ""))  # members

    def test_home_page_listing_the_organisations(self) -> None:
        self.sign_in(self.member)
        self.add_rows(2)
        few = self.queries("/")
        self.add_rows(18)
        self.assertEqual(few, self.queries("/"))
        self.assertContains(self.client.get("/"), "Trust 19")
