"""The portfolio page: filters, counts, rows, pagination, htmx and query counts."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from openqi.improvement.models import PDSACycle
from openqi.portfolio.services import (
    Filters,
    facet_counts,
    page_queryset,
    page_rows,
    portfolio_rows,
    unit_rows,
    with_latest_ratings,
)
from openqi.projects.models import Project
from openqi.strategy.models import StrategicPriority
from tests.base import BaseTestCase
from tests.factories import make_unit
from tests.portfolio.portfolio_data import (
    STEP_DOWN,
    add_cycle,
    add_driver_diagram,
    link,
    make_measure,
    make_project,
    rate,
)

HTMX = {"HTTP_HX_REQUEST": "true"}


def rows(response) -> list[str]:  # type: ignore[no-untyped-def]
    """The titles of the projects listed, in order."""
    pks = [
        int(pk)
        for pk in re.findall(
            r'<tr class="nhsuk-table__row" id="project-(\d+)"',
            response.content.decode(),
        )
    ]
    titles = dict(Project.objects.filter(pk__in=pks).values_list("pk", "title"))
    return [titles[pk] for pk in pks]


URL = "/organisations/northfield/portfolio/"


class PortfolioTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.falls = StrategicPriority.objects.create(
            organisation=cls.org,
            title="Reduce harm from falls",
            period_start=datetime.date(2025, 4, 1),
        )
        cls.flow = StrategicPriority.objects.create(
            organisation=cls.org,
            title="Better patient flow",
            period_start=datetime.date(2025, 4, 1),
            position=1,
        )
        cls.surgery = make_unit(cls.org, name="Surgery")
        cls.night = make_project(
            cls.org,
            title="Fewer falls at night",
            unit=cls.team,
            lead=cls.editor,
            aim_what="Halve falls at night",
            status=Project.Status.SUSTAINING,
        )
        cls.night.team.add(cls.viewer)
        cls.night.priorities.add(cls.falls)
        measure = make_measure(
            cls.org, STEP_DOWN, name="Falls per 1,000 bed days", improvement="decrease"
        )
        link(cls.night, measure)
        add_driver_diagram(cls.night)
        rate(cls.night, "2.0", rated_on=datetime.date(2023, 1, 1))
        rate(cls.night, "3.5", rated_on=datetime.date(2024, 1, 1))
        rate(cls.night, "4.0", "coach")
        cls.discharge = make_project(
            cls.org,
            title="Discharge before noon",
            unit=cls.surgery,
            status=Project.Status.ACTIVE,
            method=Project.Method.LEAN,
        )
        cls.discharge.priorities.add(cls.flow)
        rate(cls.discharge, "1.5")
        cls.loose = make_project(cls.org, title="Unassigned idea")
        make_project(cls.other_org, title="Southmere project")

    def get(self, query: str = "", user=None, **extra):  # type: ignore[no-untyped-def]
        self.sign_in(user or self.editor)
        return self.client.get(URL + query, **extra)

    def titles(self, response) -> list[str]:  # type: ignore[no-untyped-def]
        return rows(response)

    def test_editor_and_viewer_see_every_project_of_the_organisation(self) -> None:
        for user in (self.editor, self.viewer):
            response = self.get(user=user)
            self.assertEqual(response.status_code, 200)
            self.assertEqual(
                self.titles(response),
                ["Discharge before noon", "Fewer falls at night", "Unassigned idea"],
            )
            self.assertNotContains(response, "Southmere project")

    def test_outsider_gets_404(self) -> None:
        self.assertEqual(self.get(user=self.outsider).status_code, 404)

    def test_a_row_shows_ratings_suggestion_and_outcome_icons(self) -> None:
        response = self.get("?status=sustaining")
        self.assertEqual(rows(response), ["Fewer falls at night"])
        cells = re.findall(
            r'nhsuk-table__cell--numeric"><strong>(.*?)</strong>',
            response.content.decode(),
        )
        self.assertEqual(cells, ["3.5", "4.0"])  # the latest team rating, the coach's
        suggested = re.findall(
            r'summary-text">\s*([\d.]+)<span class="nhsuk-u-visually-hidden"> suggested',
            response.content.decode(),
        )
        self.assertEqual(suggested, ["4.5"])
        self.assertContains(response, "Fewer falls at night")
        self.assertContains(response, "Emergency department · Lead: Ada Editor")
        self.assertContains(
            response,
            'aria-label="Falls per 1,000 bed days: Special cause improvement, low"',
        )
        self.assertContains(
            response,
            "Outcome measure &#39;Falls per 1,000 bed days&#39;: special cause "
            "improvement since January 2023 (12 months)",
        )

    def test_filter_by_status_and_method(self) -> None:
        self.assertEqual(
            self.titles(self.get("?status=active")), ["Discharge before noon"]
        )
        self.assertEqual(
            self.titles(self.get("?method=lean")), ["Discharge before noon"]
        )
        self.assertEqual(self.titles(self.get("?method=lean&status=idea")), [])

    def test_filter_by_priority_and_by_no_priority(self) -> None:
        self.assertEqual(
            self.titles(self.get(f"?priority={self.falls.pk}")),
            ["Fewer falls at night"],
        )
        self.assertEqual(self.titles(self.get("?priority=none")), ["Unassigned idea"])

    def test_a_unit_filter_takes_in_every_unit_beneath_it(self) -> None:
        for unit in (self.division, self.directorate, self.team):
            self.assertEqual(
                self.titles(self.get(f"?unit={unit.pk}")), ["Fewer falls at night"]
            )
        self.assertEqual(
            self.titles(self.get(f"?unit={self.surgery.pk}")), ["Discharge before noon"]
        )
        self.assertEqual(self.titles(self.get("?unit=none")), ["Unassigned idea"])

    def test_filter_by_the_latest_team_rating(self) -> None:
        # The night project's latest team rating is 3.5 (2.0 was earlier); its coach's 4.0.
        self.assertEqual(
            self.titles(self.get("?score_min=3.0")), ["Fewer falls at night"]
        )
        self.assertEqual(
            self.titles(self.get("?score_max=2.0")), ["Discharge before noon"]
        )
        self.assertEqual(
            self.titles(self.get("?score_min=1.5&score_max=3.5")),
            ["Discharge before noon", "Fewer falls at night"],
        )
        self.assertEqual(self.titles(self.get("?score_min=4.0")), [])

    def test_a_reversed_rating_range_is_an_error_and_filters_nothing(self) -> None:
        response = self.get("?score_min=4.0&score_max=2.0")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "There is a problem")
        self.assertContains(
            response, "The highest rating must not be below the lowest."
        )
        self.assertEqual(len(self.titles(response)), 3)

    def test_an_unknown_choice_is_an_error(self) -> None:
        response = self.get("?priority=999999&unit=abc")
        self.assertContains(response, "Select a valid choice.")
        self.assertEqual(len(self.titles(response)), 3)

    def test_counts_for_each_filter_keep_the_other_filters(self) -> None:
        division = Filters(unit=self.division.pk)
        nodes = unit_rows(self.org)
        priorities = list(StrategicPriority.objects.filter(organisation=self.org))
        facets = facet_counts(self.org, division, nodes, priorities)
        status = {o.text: o.count for o in facets.status}
        self.assertEqual(status["Sustaining"], 1)
        self.assertEqual(status["Active"], 0)
        # The unit counts show the level beneath the chosen unit.
        units = {o.text: o.count for o in facets.unit}
        self.assertEqual(units, {"Emergency care": 1})
        facets = facet_counts(self.org, Filters(), nodes, priorities)
        self.assertEqual(
            {o.text: o.count for o in facets.unit},
            {"Medicine": 1, "Surgery": 1, "No unit": 1},
        )
        self.assertEqual(
            {o.text: o.count for o in facets.priority},
            {"Reduce harm from falls": 1, "Better patient flow": 1, "No priority": 1},
        )
        rating = {o.text: o.count for o in facets.rating}
        self.assertEqual(
            rating,
            {
                "Not yet rated": 1,
                "1.5 Planning for the project has begun": 1,
                "3.5 Improvement": 1,
            },
        )
        response = self.get(f"?unit={self.division.pk}")
        self.assertContains(response, "Sustaining (1)</a>")
        self.assertContains(response, "Emergency care (1)</a>")

    def test_htmx_request_returns_the_results_fragment_only(self) -> None:
        response = self.get("?status=active", **HTMX)
        page = response.content.decode()
        self.assertTrue(
            page.lstrip().startswith('<div id="portfolio-results">'), page[:80]
        )
        self.assertNotIn("<html", page)
        self.assertIn("Discharge before noon", page)

    def test_the_page_works_without_javascript(self) -> None:
        response = self.get()
        self.assertContains(
            response, f'<form class="openqi-filters" method="get" action="{URL}"'
        )
        self.assertContains(response, "Apply filters")


class PortfolioScaleTests(BaseTestCase):
    def make_projects(self, count: int, offset: int = 0) -> None:
        measure = make_measure(self.org, STEP_DOWN, improvement="decrease")
        for i in range(offset, offset + count):
            project = make_project(
                self.org,
                title=f"Project {i:03}",
                unit=self.team,
                lead=self.editor,
                aim_what="Aim",
            )
            project.team.add(self.viewer)
            idea = add_driver_diagram(project)[0]
            add_cycle(
                project, idea, stage=PDSACycle.Stage.ACT, act="adopt", study="Done"
            )
            link(project, measure)
            link(
                project,
                make_measure(self.org, STEP_DOWN, improvement="decrease"),
                "process",
            )
            rate(project, "2.5")
            rate(project, "3.0", "coach")

    def queries(self) -> int:
        self.sign_in(self.editor)
        with CaptureQueriesContext(connection) as captured:
            self.assertEqual(self.client.get(URL).status_code, 200)
        return len(captured)

    def test_the_number_of_queries_does_not_grow_with_the_projects(self) -> None:
        self.make_projects(2)
        few = self.queries()
        # session, user, membership; units, priorities; four grouped counts
        # (status and method together, priority, unit, team rating: computed
        # here, as this test's data are changed in its open transaction; kept
        # in the cache otherwise, test_portfolio_kept_counts.py); the page's
        # projects, their ratings, team, driver diagrams, PDSA cycles, measure
        # links and the measures' stored chart summaries.
        self.assertEqual(few, 16)
        self.make_projects(30, offset=2)
        self.assertEqual(self.queries(), few)
        self.sign_in(self.editor)
        with self.assertNumQueries(few):
            self.client.get(URL + "?status=idea&score_min=2.0&page=2")

    def test_a_page_reads_what_the_prefetching_queryset_reads(self) -> None:
        # page_rows reads a page's ratings, team, driver diagrams, cycles and
        # links in its own queries; page_queryset prefetches them.
        self.make_projects(3)
        rate(Project.objects.get(title="Project 001"), "3.5")
        projects = Project.objects.filter(organisation=self.org).order_by("title")
        fast = page_rows(projects[0:3])
        slow = portfolio_rows(page_queryset(with_latest_ratings(projects))[0:3])
        self.assertEqual(len(fast), 3)
        for a, b in zip(fast, slow, strict=True):
            self.assertEqual(a.project, b.project)
            self.assertEqual(
                (a.team_score, a.coach_score), (b.team_score, b.coach_score)
            )
            self.assertEqual(a.suggestion.score, b.suggestion.score)
            self.assertEqual(a.suggestion.reasons, b.suggestion.reasons)
            self.assertEqual(
                [(o.measure, o.variation, o.assurance) for o in a.outcomes],
                [(o.measure, o.variation, o.assurance) for o in b.outcomes],
            )
        self.assertEqual(fast[1].team_score, Decimal("3.5"))

    def test_pages_of_25(self) -> None:
        self.make_projects(27)
        self.sign_in(self.editor)
        response = self.client.get(URL)
        self.assertEqual(len(rows(response)), 25)
        self.assertContains(response, "Showing 1 to 25")
        self.assertContains(
            response, 'href="/organisations/northfield/portfolio/?page=2"'
        )
        response = self.client.get(URL + "?page=2")
        self.assertEqual(rows(response), ["Project 025", "Project 026"])
