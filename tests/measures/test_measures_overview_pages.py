"""The measures overview a page at a time: pagination in the overview's order,
the search and the group filter, group counts, htmx, stale summaries, and a
number of queries that does not grow with the measures."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from openqi.measures.models import ChartSummary
from openqi.measures.overview import PAGE_SIZE, measures_overview, overview_page
from tests.base import BaseTestCase
from tests.portfolio.portfolio_data import (
    FLAT,
    STEP_DOWN,
    STEP_UP,
    link,
    make_measure,
    make_project,
)

URL = "/organisations/northfield/portfolio/measures/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def names(response) -> list[str]:  # type: ignore[no-untyped-def]
    """The measures listed, in order."""
    return re.findall(
        r'<td class="nhsuk-table__cell"><a class="nhsuk-link" href="/organisations/'
        r'northfield/measures/\d+/">([^<]*)</a>',
        response.content.decode(),
    )


class OverviewPagesTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # Four concerns, then common cause measures past one page, then improvement.
        cls.concerns = [
            make_measure(cls.org, STEP_UP, name=f"Concern {i}", improvement="decrease")
            for i in range(4)
        ]
        cls.common = [
            make_measure(
                cls.org,
                FLAT,
                name=f"Steady {i:02}",
                improvement="decrease",
                unit=cls.team if i == 7 else None,
            )
            for i in range(PAGE_SIZE)
        ]
        cls.improving = make_measure(
            cls.org, STEP_DOWN, name="Improving", improvement="decrease"
        )
        project = make_project(cls.org, title="Fewer falls at night")
        link(project, cls.improving, "process")

    def get(self, query: str = "", **extra):  # type: ignore[no-untyped-def]
        self.sign_in(self.viewer)
        response = self.client.get(URL + query, **extra)
        self.assertEqual(response.status_code, 200)
        return response

    def test_pages_follow_the_overview_order(self) -> None:
        everything = [s.measure.name for s in measures_overview(self.org)]
        first, second = self.get(), self.get("?page=2")
        self.assertEqual(names(first) + names(second), everything)
        self.assertEqual(len(names(first)), PAGE_SIZE)
        self.assertContains(first, "Showing 1–50 of 55")
        self.assertContains(second, "Showing 51–55 of 55")
        # Page 2 continues the common cause group and ends with improvement.
        self.assertContains(second, "50 measures, 47 to 50 here")
        self.assertContains(second, 'id="group-improvement"')
        self.assertNotContains(second, 'id="group-concern"')
        self.assertContains(first, f'href="{URL}?page=2"')
        self.assertContains(second, "(process)")

    def test_a_page_past_the_end_shows_the_last(self) -> None:
        self.assertEqual(names(self.get("?page=99")), names(self.get("?page=2")))
        self.assertEqual(names(self.get("?page=abc")), names(self.get()))

    def test_the_groups_are_counted_and_link_to_a_filter(self) -> None:
        response = self.get()
        self.assertContains(response, f'href="{URL}?group=concern">Concerns (4)</a>')
        self.assertContains(
            response, f'href="{URL}?group=common_cause">Common cause (50)</a>'
        )
        self.assertContains(response, "Not assured (0)")
        concerns = self.get("?group=concern")
        self.assertEqual(names(concerns), [f"Concern {i}" for i in range(4)])
        self.assertContains(concerns, '<strong aria-current="true">Concerns (4)')
        self.assertContains(concerns, f'href="{URL}">Every group (55)</a>')

    def test_search_by_measure_or_unit_name_keeps_the_group_filter(self) -> None:
        self.assertEqual(
            names(self.get("?q=steady 1")), [f"Steady {i}" for i in range(10, 20)]
        )
        # The unit of Steady 07 is "Emergency department".
        self.assertEqual(names(self.get("?q=emergency DEPARTMENT")), ["Steady 07"])
        response = self.get("?q=concern&group=common_cause")
        self.assertEqual(names(response), [])
        self.assertContains(response, "No measures match.")
        self.assertContains(
            response, f'href="{URL}?q=concern&amp;group=concern">Concerns (4)</a>'
        )

    def test_an_unknown_group_is_an_error_and_filters_nothing(self) -> None:
        response = self.get("?group=everything")
        self.assertContains(response, "Select a valid choice.")
        self.assertContains(response, "Showing 1–50 of 55")

    def test_htmx_request_returns_the_results_only(self) -> None:
        page = self.get("?group=improvement", **HTMX).content.decode()
        self.assertTrue(page.lstrip().startswith('<div id="overview-results">'))
        self.assertNotIn("<html", page)
        self.assertIn("Improving", page)

    def test_the_page_works_without_javascript(self) -> None:
        response = self.get()
        self.assertContains(
            response, f'<form class="openqi-filters" method="get" action="{URL}"'
        )
        self.assertContains(response, 'name="q" type="search"')

    def test_a_stale_or_missing_summary_is_computed_once_then_read(self) -> None:
        ChartSummary.objects.filter(measure=self.improving).delete()
        ChartSummary.objects.filter(measure=self.concerns[0]).update(engine="old")
        found = overview_page(self.org, group="improvement")
        self.assertEqual(found.counts["improvement"], 1)
        self.assertEqual(found.counts["concern"], 4)
        (section,) = found.sections
        self.assertEqual([s.measure for s in section.statuses], [self.improving])
        self.assertTrue(ChartSummary.objects.filter(measure=self.improving).exists())
        self.assertFalse(ChartSummary.objects.filter(engine="old").exists())

    def test_the_number_of_queries_does_not_grow_with_the_measures(self) -> None:
        self.sign_in(self.viewer)

        def count(query: str) -> int:
            self.client.get(URL + query)
            with CaptureQueriesContext(connection) as captured:
                self.client.get(URL + query)
            return len(captured)

        # session, user, membership; counts, the page's measures, their links
        few = {query: count(query) for query in ("", "?q=steady&page=2")}
        self.assertEqual(few, {"": 6, "?q=steady&page=2": 6})
        for i in range(60):
            make_measure(self.org, FLAT, name=f"Steady more {i}")
        self.assertEqual({query: count(query) for query in few}, few)
