"""The organisation's home page (reports:home): what needs the person, grouped
and bounded, their measures' sparklines, and the organisation's picture for the
QI team and administrators only."""

from __future__ import annotations

import datetime
import re

from django.urls import reverse

from openqi.measures.models import Measure
from openqi.reports import home_views
from tests.base import BaseTestCase
from tests.measures.helpers import add_points, make_measure
from tests.reports import home_data

URL = "/organisations/northfield/"


class HomePageTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        home_data.build(cls)

    def page(self, user: object, url: str = URL) -> str:
        self.sign_in(user)
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return str(response.content.decode())

    def test_home_is_the_organisations_own_address(self) -> None:
        self.assertEqual(reverse("reports:home", kwargs={"slug": "northfield"}), URL)
        self.assertEqual(
            reverse("organisations:detail", kwargs={"slug": "northfield"}),
            URL + "about/",
        )

    def test_the_lead_sees_their_items_with_links(self) -> None:
        page = self.page(self.lead)
        self.assertIn("What needs you", page)
        for heading in (
            "Data to enter",
            "Measures showing a concern",
            "PDSA cycles waiting for their Study",
            "Projects to rate",
        ):
            self.assertIn(heading, page)
        concern = reverse(
            "measures:detail", kwargs={"slug": "northfield", "pk": self.concern.pk}
        )
        self.assertIn(f'href="{concern}"', page)
        self.assertIn("Overdue", page)
        self.assertNotIn("Journey milestones overdue", page)
        self.assertNotIn("at a glance", page)

    def test_the_lead_sees_sparklines_of_their_measures_with_words(self) -> None:
        page = self.page(self.lead)
        self.assertIn("Your measures", page)
        self.assertIn('class="openqi-sparkline"', page)
        self.assertRegex(
            page,
            r'aria-label="Falls with harm: last 14 points, latest 60 \(([A-Z][a-z]+ \d{4})\), '
            r"special cause concern",
        )
        self.assertNotIn("Unowned measure: last", page)

    def test_the_qi_team_sees_the_organisations_picture(self) -> None:
        for user in (self.editor, self.qi_lead):
            page = self.page(user)
            self.assertIn("Northfield Hospitals NHS Trust at a glance", page)
            self.assertIn("Projects by stage", page)
            self.assertIn("Capability against target", page)
            self.assertIn("Readiness", page)
            self.assertIn("Journey milestones overdue", page)
            # The organisation's concerns, owned or not.
            self.assertIn('aria-label="Unowned measure: last 14 points', page)

    def test_a_viewer_is_told_nothing_needs_them(self) -> None:
        page = self.page(self.viewer)
        self.assertIn("Nothing needs you just now.", page)
        self.assertNotIn("at a glance", page)
        self.assertNotIn("Your measures", page)

    def test_the_outsider_gets_page_not_found(self) -> None:
        self.sign_in(self.outsider)
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 404)
        self.assertNotIn("Falls with harm", response.content.decode())

    def test_each_kind_shows_a_few_and_links_to_the_rest(self) -> None:
        for n in range(home_views.SHOWN_OF_A_KIND + 3):
            measure = make_measure(
                self.org, name=f"Late measure {n:02d}", owner=self.lead
            )
            add_points(measure, [1, 2], start=datetime.date(2022, 1, 1))
        page = self.page(self.lead)
        # Every measure the lead owns is late by now (the data end in 2024).
        data = Measure.objects.filter(owner=self.lead).count()
        self.assertIn(f"Data to enter ({data})", page)
        more = data - home_views.SHOWN_OF_A_KIND
        self.assertIn(f"and {more} more", page)
        link = re.search(r'href="([^"]*kind=data[^"]*)"', page)
        assert link is not None
        every = self.page(self.lead, link.group(1).replace("&amp;", "&"))
        self.assertEqual(every.count("Late measure"), home_views.SHOWN_OF_A_KIND + 3)
        self.assertIn("Back to everything that needs you", every)
        self.assertNotIn("PDSA cycles waiting", every)

    def test_an_unknown_kind_shows_everything(self) -> None:
        page = self.page(self.lead, URL + "?kind=%3Cscript%3E")
        self.assertIn("What needs you", page)
        self.assertNotIn("<script>", page.split("<main")[1].split("</main>")[0])


class HomeQueryTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        home_data.build(cls)

    def test_queries_do_not_grow_with_the_items(self) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        def count(user: object) -> int:
            self.sign_in(user)
            self.client.get(URL)  # summaries brought up to date, once
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(URL).status_code, 200)
            return len(queries)

        few_lead, few_admin = count(self.lead), count(self.editor)
        for n in range(20):
            measure = make_measure(
                self.org, name=f"More {n}", owner=self.lead, improvement="decrease"
            )
            add_points(measure, [10, 11, 9, 10, 12, 10, 9, 11, 10, 10, 11, 9, 10, 60])
        self.assertEqual(count(self.lead), few_lead)
        self.assertEqual(count(self.editor), few_admin)
        # The session, the person and their memberships; the items (six, less the
        # milestones and adoptions of published work for a lead); the sparklines'
        # measures and their summaries.
        # The picture's figures are kept between requests, but computed afresh
        # inside a test's transaction (openqi/audit/kept.py).
        self.assertLessEqual(few_lead, 10)
        self.assertLessEqual(few_admin, 23)
