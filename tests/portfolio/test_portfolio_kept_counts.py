"""The portfolio's counts kept in the shared cache: read from it while the
organisation's data stay the same, and never shown out of date after a change
through the services or the API.

These tests commit (TransactionTestCase): the kept counts' version changes when
a transaction commits, which a test inside one transaction never does.
"""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal

from django.db import connection, transaction
from django.test import TransactionTestCase
from django.test.utils import CaptureQueriesContext

from openqi.accounts.models import ApiToken
from openqi.organisations.models import Role
from openqi.portfolio.services import Filters, facet_counts, unit_rows
from openqi.projects import services as projects
from openqi.projects.models import Project
from openqi.strategy.models import StrategicPriority
from tests.factories import PASSWORD, make_member, make_organisation, make_unit
from tests.portfolio.portfolio_data import link, make_measure, make_project

URL = "/organisations/kept/portfolio/"


def counts(html: str) -> dict[str, int]:
    """Each count option's text and number, as the page shows them."""
    found = re.findall(r">([^<>()]+) \((\d+)\)</", html)
    return {text: int(n) for text, n in found}


class KeptCountsTests(TransactionTestCase):
    def setUp(self) -> None:
        self.org = make_organisation(name="Kept Counts Trust", slug="kept")
        self.admin = make_member(self.org, Role.ADMIN)
        self.division = make_unit(self.org, name="Medicine")
        self.priority = StrategicPriority.objects.create(
            organisation=self.org,
            title="Reduce harm from falls",
            period_start=datetime.date(2025, 4, 1),
        )
        self.projects = [
            make_project(
                self.org,
                title=f"Project {i}",
                unit=self.division,
                status=Project.Status.ACTIVE,
                aim_what="Fewer falls",
            )
            for i in range(3)
        ]
        link(self.projects[0], make_measure(self.org, [1.0] * 12))
        self.client.login(email=self.admin.email, password=PASSWORD)

    def page(self) -> tuple[dict[str, int], list[str]]:
        """The counts shown and the queries made, but the cache's own (the
        database cache's table, when OPENQI_CACHE_URL=db)."""
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        queries = [q["sql"] for q in captured if "openqi_cache" not in q["sql"]]
        return counts(response.content.decode()), queries

    def test_counts_are_read_from_the_cache_until_the_data_change(self) -> None:
        first, _ = self.page()
        self.assertEqual(first["Active"], 3)
        again, queries = self.page()
        self.assertEqual(again, first)
        # session, user, membership; units, priorities; the page's projects,
        # their ratings, team, driver diagrams, PDSA cycles, measure links and
        # the measures' stored chart summaries. No count of the projects.
        self.assertEqual(len(queries), 12, "\n".join(queries))
        self.assertFalse([q for q in queries if "COUNT(" in q.upper()])
        # More projects: the same queries.
        for i in range(3, 30):
            make_project(self.org, title=f"Project {i}", unit=self.division)
        self.page()
        self.assertEqual(len(self.page()[1]), 12)

    def test_a_change_through_the_services_shows_at_once(self) -> None:
        self.page()
        project = self.projects[0]
        projects.update_project(
            project, author=self.admin, status=Project.Status.COMPLETED
        )
        shown, _ = self.page()
        self.assertEqual((shown["Active"], shown["Completed"]), (2, 1))
        projects.update_project(project, author=self.admin, priorities=[self.priority])
        shown, _ = self.page()
        self.assertEqual(shown[self.priority.title], 1)
        self.assertEqual(shown["No priority"], 2)
        projects.add_rating(
            project,
            rater=self.admin,
            score=Decimal("2.5"),
            rated_by="team",
            rated_on=datetime.date(2025, 5, 1),
        )
        shown, _ = self.page()
        self.assertEqual(shown["Not yet rated"], 2)
        self.assertEqual(shown["2.5 Changes tested, but no improvement"], 1)
        projects.delete_project(self.projects[1])
        shown, _ = self.page()
        self.assertEqual(shown["Active"], 1)
        moved = make_unit(self.org, name="Surgery")
        projects.update_project(self.projects[2], author=self.admin, unit=moved)
        shown, _ = self.page()
        self.assertEqual((shown["Medicine"], shown["Surgery"]), (1, 1))

    def test_a_change_through_the_api_shows_at_once(self) -> None:
        self.page()
        _, raw = ApiToken.issue(self.admin, "tests")
        project = self.projects[0]
        response = self.client.patch(
            f"/api/v1/organisations/kept/projects/{project.pk}",
            json.dumps({"status": "sustaining"}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
        )
        self.assertEqual(response.status_code, 200, response.content[:500])
        shown, _ = self.page()
        self.assertEqual((shown["Active"], shown["Sustaining"]), (2, 1))

    def test_a_transaction_sees_its_own_changes_and_others_see_them_on_commit(
        self,
    ) -> None:
        nodes = unit_rows(self.org)
        priorities = list(StrategicPriority.objects.for_organisation(self.org))

        def active() -> int:
            facets = facet_counts(self.org, Filters(), nodes, priorities)
            return {o.text: o.count for o in facets.status}["Active"]

        self.assertEqual(active(), 3)
        with transaction.atomic():
            Project.objects.get(pk=self.projects[0].pk).delete()
            self.assertEqual(active(), 2)
        self.assertEqual(active(), 2)
        self.assertEqual(self.page()[0]["Active"], 2)
