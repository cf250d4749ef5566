"""The API's project and measure lists read in a fixed number of queries, however
many rows a page holds and however much each row carries (no N+1)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from openqi.organisations.models import Role
from openqi.projects.models import Partner, ProgressRating, ProjectMeasure, Tag
from tests.base import BaseTestCase
from tests.factories import make_member
from tests.projects.project_helpers import (
    make_measure,
    make_priority,
    make_project,
    make_rating,
)

#: Queries at most, whatever the rows (sign-in and membership included).
MOST = 12


class ApiListQueryCountTests(BaseTestCase):
    def setUp(self) -> None:
        self.sign_in(self.member)
        self.made = 0
        self.priority = make_priority(self.org)

    def add_rows(self, count: int) -> None:
        """``count`` projects with a lead, team, partner, tag, priority, ratings and a
        linked measure each; and ``count`` measures."""
        for i in range(self.made, self.made + count):
            lead = make_member(self.org, Role.PROJECT_LEAD, full_name=f"Lead {i}")
            project = make_project(self.org, title=f"Project {i:02}", lead=lead)
            project.team.add(lead, self.member)
            project.priorities.add(self.priority)
            project.tags.add(Tag.objects.create(organisation=self.org, name=f"tag{i}"))
            Partner.objects.create(project=project, name=f"Partner {i}")
            make_rating(project, rater=lead)
            make_rating(
                project, rater=self.qi_lead, rated_by=ProgressRating.RatedBy.COACH
            )
            measure = make_measure(self.org, name=f"Measure {i:02}")
            ProjectMeasure.objects.create(project=project, measure=measure)
        self.made += count

    def queries(self, url: str) -> tuple[int, dict[str, object]]:
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return len(captured), response.json()

    def assert_fixed(self, url: str) -> dict[str, object]:
        self.add_rows(2)
        few, _ = self.queries(url)
        self.add_rows(18)
        many, body = self.queries(url)
        self.assertEqual(few, many, f"{url}: {few} queries with 2 rows, {many} with 20")
        self.assertLessEqual(many, MOST)
        self.assertEqual(body["total"], 20)
        return body

    def test_projects(self) -> None:
        body = self.assert_fixed("/api/v1/organisations/northfield/projects")
        last = body["items"][-1]  # type: ignore[index]  # the JSON's shape is known
        self.assertEqual(last["title"], "Project 19")
        self.assertEqual(last["lead"]["full_name"], "Lead 19")
        self.assertEqual(
            [p["full_name"] for p in last["team"]], ["Lead 19", "Mo Member"]
        )
        self.assertEqual(
            last["latest_ratings"]["coach"]["rater"]["full_name"], "Quinn Improver"
        )
        self.assertEqual(last["measures"][0]["name"], "Measure 19")
        self.assertEqual(last["tags"], ["tag19"])

    def test_measures(self) -> None:
        self.assert_fixed("/api/v1/organisations/northfield/measures")
