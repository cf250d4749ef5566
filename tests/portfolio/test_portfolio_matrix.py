"""The priority × unit matrix: counts by priority and unit, totals, links."""

from __future__ import annotations

import datetime

from openqi.organisations.models import Unit
from openqi.portfolio.matrix import priority_unit_matrix
from openqi.projects.models import Project
from openqi.strategy.models import StrategicPriority
from tests.base import BaseTestCase
from tests.factories import make_unit
from tests.portfolio.portfolio_data import make_project

HTMX = {"HTTP_HX_REQUEST": "true"}
URL = "/organisations/northfield/portfolio/matrix/"


class MatrixTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        start = datetime.date(2025, 4, 1)
        cls.falls = StrategicPriority.objects.create(
            organisation=cls.org, title="Reduce harm from falls", period_start=start
        )
        cls.flow = StrategicPriority.objects.create(
            organisation=cls.org,
            title="Better patient flow",
            period_start=start,
            position=1,
        )
        cls.surgery = make_unit(cls.org, name="Surgery")
        both = make_project(cls.org, unit=cls.team, status=Project.Status.ACTIVE)
        both.priorities.add(cls.falls, cls.flow)
        falls = make_project(cls.org, unit=cls.directorate, status=Project.Status.IDEA)
        falls.priorities.add(cls.falls)
        at_division = make_project(
            cls.org, unit=cls.division, status=Project.Status.ACTIVE
        )
        at_division.priorities.add(cls.flow)
        make_project(cls.org, unit=cls.surgery, status=Project.Status.ACTIVE)
        make_project(cls.org, status=Project.Status.ACTIVE)
        make_project(cls.other_org, title="Southmere project")

    def table(self, matrix):  # type: ignore[no-untyped-def]
        return {
            row.label: [c.count for c in row.cells] + [row.total.count]
            for row in [*matrix.rows, matrix.totals]
        }

    def test_divisions_by_priority_with_no_priority_and_totals(self) -> None:
        matrix = priority_unit_matrix(self.org)
        self.assertEqual(matrix.columns, ["Medicine", "Surgery", "No unit"])
        self.assertEqual(
            self.table(matrix),
            {
                "Reduce harm from falls": [2, 0, 0, 2],
                "Better patient flow": [2, 0, 0, 2],
                "No priority": [0, 1, 1, 2],
                "All projects": [3, 1, 1, 5],
            },
        )
        self.assertEqual(matrix.projects, 5)

    def test_teams_as_columns_put_higher_units_in_their_own_column(self) -> None:
        matrix = priority_unit_matrix(self.org, level=Unit.Level.TEAM)
        self.assertEqual(
            matrix.columns, ["Emergency department", "Above team level", "No unit"]
        )
        self.assertEqual(self.table(matrix)["All projects"], [1, 3, 1, 5])
        self.assertIsNone(matrix.totals.cells[1].query)

    def test_status_narrows_the_counts(self) -> None:
        matrix = priority_unit_matrix(self.org, status=Project.Status.ACTIVE)
        self.assertEqual(self.table(matrix)["Reduce harm from falls"], [1, 0, 0, 1])

    def test_cells_link_to_the_filtered_portfolio(self) -> None:
        matrix = priority_unit_matrix(self.org, status="active")
        self.assertEqual(
            matrix.rows[0].cells[0].query,
            {
                "priority": str(self.falls.pk),
                "unit": str(self.division.pk),
                "status": "active",
            },
        )
        self.assertEqual(
            matrix.rows[2].cells[2].query,
            {"priority": "none", "unit": "none", "status": "active"},
        )

    def test_editor_and_viewer_see_the_matrix(self) -> None:
        for user in (self.editor, self.viewer):
            self.sign_in(user)
            response = self.client.get(URL)
            self.assertEqual(response.status_code, 200)
            self.assertContains(response, "<h1>")
            self.assertContains(
                response,
                f'href="/organisations/northfield/portfolio/?priority={self.falls.pk}&amp;unit={self.division.pk}">2</a>',
            )
            self.assertContains(response, "No priority")

    def test_outsider_gets_404(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(URL).status_code, 404)

    def test_a_bad_level_is_shown_as_an_error_and_divisions_are_kept(self) -> None:
        self.sign_in(self.editor)
        response = self.client.get(URL + "?level=ward")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "There is a problem")
        self.assertContains(response, "Medicine")

    def test_htmx_request_returns_fragment_only(self) -> None:
        self.sign_in(self.editor)
        response = self.client.get(URL + "?level=directorate", **HTMX)
        page = response.content.decode()
        self.assertTrue(
            page.lstrip().startswith('<div id="portfolio-matrix">'), page[:80]
        )
        self.assertIn("Emergency care", page)
