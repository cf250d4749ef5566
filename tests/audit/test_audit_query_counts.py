"""The audit trail reads in a fixed number of queries, however many events on the
page name other rows (people, units, projects): one query per kind of row, not one
per row named (no N+1)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openqi.audit.models import AuditEvent
from openqi.audit.services import acting_as
from openqi.organisations.models import Role
from tests.base import BaseTestCase
from tests.factories import make_member, make_unit
from tests.projects.project_helpers import make_project

#: Queries at most, whatever the rows (sign-in, membership and header included).
MOST = 12


class AuditTrailQueryCountTests(BaseTestCase):
    url = "/organisations/northfield/audit/"

    def setUp(self) -> None:
        self.sign_in(self.editor)
        self.made = 0

    def add_rows(self, count: int) -> None:
        """``count`` projects, each naming its own lead and unit."""
        with acting_as(self.editor, "web"):
            for i in range(self.made, self.made + count):
                unit = make_unit(self.org, name=f"Ward {i}", parent=self.team)
                lead = make_member(self.org, Role.PROJECT_LEAD, full_name=f"Lead {i}")
                project = make_project(
                    self.org, title=f"Project {i}", unit=unit, lead=lead
                )
                project.team.add(lead, self.member)
        self.made += count

    def queries(self) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        return len(captured)

    def test_the_trail_reads_in_fixed_queries(self) -> None:
        self.add_rows(2)
        few = self.queries()
        self.add_rows(18)
        many = self.queries()
        self.assertEqual(few, many, f"{few} queries with 2 projects, {many} with 20")
        self.assertLessEqual(many, MOST)
        page = self.client.get(self.url).content.decode()
        self.assertIn("Lead 19", page)
        self.assertIn("Ward 19", page)

    def test_each_row_links_to_its_event(self) -> None:
        """The rows' links are built from the trail's URL, not reversed one by one:
        they must still be the event pages' URLs."""
        self.add_rows(1)
        page = self.client.get(self.url).content.decode()
        for event in AuditEvent.objects.filter(organisation=self.org)[:5]:
            href = reverse(
                "audit:event", kwargs={"slug": self.org.slug, "pk": event.pk}
            )
            self.assertIn(f'href="{href}"', page)
