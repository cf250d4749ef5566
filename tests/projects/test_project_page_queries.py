"""The project page reads in a fixed number of queries, however many ratings,
notes, partners, linked measures, driver diagram entries and PDSA cycles the
project has and however many measures the organisation holds, and it never
lists every measure (the "Link a measure" picker fetches a short list)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from openqi.projects.models import Partner, ProjectNote
from tests.base import BaseTestCase
from tests.improvement.routes import make_cycle, make_diagram
from tests.projects.project_helpers import make_measure, make_project, make_rating

#: Queries at most (sign-in, membership and page header included).
MOST = 18


class ProjectPageQueryTests(BaseTestCase):
    def setUp(self) -> None:
        self.project = make_project(self.org, lead=self.lead)
        self.project.team.add(self.member)
        self.url = f"/organisations/northfield/projects/{self.project.pk}/"
        self.made = 0
        self.sign_in(self.editor)

    def add(self, count: int) -> None:
        for i in range(self.made, self.made + count):
            make_rating(
                self.project,
                score=Decimal("2.0"),
                rated_on=datetime.date(2025, 1, 1) + datetime.timedelta(days=i),
            )
            ProjectNote.objects.create(
                project=self.project, author=self.lead, text=f"Note {i}"
            )
            Partner.objects.create(project=self.project, name=f"Partner {i}")
            self.project.measure_links.create(
                measure=make_measure(self.org, name=f"Linked {i}"), role="process"
            )
            make_measure(self.org, name=f"Unlinked {i}")
            make_cycle(make_diagram(self.project)["idea"])
        self.made += count

    def queries(self) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        return len(captured)

    def test_the_queries_do_not_grow_with_the_project(self) -> None:
        self.add(2)
        self.queries()
        few = self.queries()
        self.add(18)
        many = self.queries()
        self.assertEqual(few, many, f"{few} queries with 2 of each, {many} with 20")
        self.assertLessEqual(many, MOST)
        page = self.client.get(self.url).content.decode()
        self.assertIn("Linked 19", page)
        self.assertIn("Note 19", page)
        self.assertIn("Partner 19", page)
        self.assertIn(
            "The driver diagram has 60 entries, 20 of them change ideas.",
            " ".join(page.split()),
        )
        self.assertIn("20 PDSA cycles so far.", page)
        # No measure is offered on the page itself: the picker fetches its list.
        self.assertNotIn("Unlinked", page)
        self.assertIn("Link a measure", page)
