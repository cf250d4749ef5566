"""The journey page and its API read in a fixed number of queries, however many
milestones, evidence, projects and measures the organisation holds (no N+1)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openqi.capability.models import Completion
from openqi.measures.models import DataPoint
from openqi.projects.models import Project
from tests.base import BaseTestCase
from tests.capability.helpers import make_level, make_staff, make_target
from tests.journey.helpers import make_evidence, make_milestone
from tests.projects.project_helpers import (
    make_measure,
    make_priority,
    make_project,
    make_rating,
)

#: Queries at most, whatever the rows (sign-in, membership and header included;
#: five of them the capability coverage step 4 reads).
MOST = 17


class JourneyQueryCountTests(BaseTestCase):
    def setUp(self) -> None:
        self.sign_in(self.member)
        self.made = 0
        self.priority = make_priority(self.org)
        self.level = make_level(self.org, name="Improvement awareness")

    def add_rows(self, count: int) -> None:
        """``count`` more of everything the journey reads, spread over the steps."""
        for i in range(self.made, self.made + count):
            number = i % 6 + 1
            make_milestone(self.org, number, title=f"Milestone {i}")
            make_evidence(self.org, number, title=f"Evidence {i}", added_by=self.lead)
            project = make_project(
                self.org, title=f"Project {i}", status=Project.Status.ACTIVE
            )
            project.priorities.add(self.priority)
            make_rating(project, rated_on=datetime.date.today(), score=Decimal("2.5"))
            measure = make_measure(self.org, name=f"Measure {i}")
            DataPoint.objects.bulk_create(
                DataPoint(
                    measure=measure,
                    period=datetime.date(2024, 1, 1) + datetime.timedelta(weeks=w),
                    value=10.0 + w,
                    denominator=100.0,
                )
                for w in range(14)
            )
            person = make_staff(self.org, unit=self.team)
            Completion.objects.create(
                level=self.level,
                staff_record=person,
                unit=self.team,
                completed_on=datetime.date.today() - datetime.timedelta(days=i),
            )
            make_target(self.org, level=self.level, unit=self.team)
        self.made += count

    def queries(self, url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return len(captured)

    def assert_fixed(self, url: str) -> None:
        self.add_rows(2)
        self.queries(url)  # the steps are created on first use
        few = self.queries(url)
        self.add_rows(18)
        many = self.queries(url)
        self.assertEqual(few, many, f"{url}: {few} queries with 2 rows, {many} with 20")
        self.assertLessEqual(many, MOST)

    def test_journey_page(self) -> None:
        self.assert_fixed("/organisations/northfield/journey/")
        page = self.client.get("/organisations/northfield/journey/").content.decode()
        self.assertIn("Evidence 19", page)
        self.assertIn("20 of 20 measures have 12 or more data points", page)

    def test_journey_api(self) -> None:
        self.assert_fixed("/api/v1/organisations/northfield/journey")


class JourneyLinkTests(BaseTestCase):
    def test_links_are_the_step_and_milestone_pages(self) -> None:
        """The pages build step and milestone links from the journey's URL rather
        than reversing each: they must still be those pages' URLs."""
        self.sign_in(self.qi_lead)
        milestone = make_milestone(self.org, 3, title="Board paper")
        slug = self.org.slug
        for url in ("/organisations/northfield/journey/", reverse_step(slug, 3)):
            page = self.client.get(url).content.decode()
            edit = reverse(
                "journey:milestone_edit", kwargs={"slug": slug, "pk": milestone.pk}
            )
            self.assertIn(f'href="{edit}"', page)
        page = self.client.get("/organisations/northfield/journey/").content.decode()
        for number in range(1, 7):
            self.assertIn(f'href="{reverse_step(slug, number)}"', page)


def reverse_step(slug: str, number: int) -> str:
    return reverse("journey:step", kwargs={"slug": slug, "number": number})
