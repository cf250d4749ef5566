"""The measure's page holds under a long series: a fixed number of queries however
many points, notes and phases it has, and the data table a page at a time, newest
first, with every value on one of its pages."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openqi.measures.models import Annotation, DataPoint, Measure, PhaseBreak
from openqi.measures.views import TABLE_ROWS
from openqi.projects.models import ProjectMeasure
from tests.base import BaseTestCase
from tests.measures.helpers import make_measure
from tests.projects.project_helpers import make_project

#: Queries at most (sign-in, membership and page header included).
MOST = 14
START = datetime.date(2020, 1, 6)  # a Monday


def _weeks(measure: Measure, first: int, count: int) -> None:
    DataPoint.objects.bulk_create(
        DataPoint(
            measure=measure,
            period=START + datetime.timedelta(weeks=week),
            value=float(10 + week % 5),
            denominator=200.0,
        )
        for week in range(first, first + count)
    )


class MeasurePageQueryTests(BaseTestCase):
    def setUp(self) -> None:
        self.measure = make_measure(
            self.org, name="Falls per 1,000 bed days", kind="rate", frequency="weekly"
        )
        self.url = reverse(
            "measures:detail", kwargs={"slug": self.org.slug, "pk": self.measure.pk}
        )
        self.made = 0
        self.sign_in(self.editor)

    def add(self, weeks: int) -> None:
        """More points, a note and a phase break for every 20 of them, and a project."""
        _weeks(self.measure, self.made, weeks)
        for week in range(self.made, self.made + weeks, 20):
            period = START + datetime.timedelta(weeks=week)
            Annotation.objects.create(
                measure=self.measure, period=period, text=f"Note {week}"
            )
            if week:
                PhaseBreak.objects.create(
                    measure=self.measure, period=period, reason=f"Change {week}"
                )
            ProjectMeasure.objects.create(
                project=make_project(self.org, title=f"Project {week}"),
                measure=self.measure,
            )
        self.made += weeks

    def queries(self, **query: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(self.url, query)
        self.assertEqual(response.status_code, 200)
        return len(captured)

    def test_the_queries_do_not_grow_with_the_points(self) -> None:
        self.add(30)
        self.queries()
        few = self.queries()
        self.add(270)
        many = self.queries()
        self.assertEqual(few, many, f"{few} queries with 30 points, {many} with 300")
        self.assertLessEqual(many, MOST)
        self.assertEqual(self.queries(page="3"), many)


class MeasurePageTableTests(BaseTestCase):
    def setUp(self) -> None:
        self.measure = make_measure(
            self.org, name="Falls per 1,000 bed days", kind="rate", frequency="weekly"
        )
        _weeks(self.measure, 0, 130)
        self.url = reverse(
            "measures:detail", kwargs={"slug": self.org.slug, "pk": self.measure.pk}
        )
        self.sign_in(self.viewer)

    def rows(self, page: str) -> list[str]:
        body = page.split('<tbody class="nhsuk-table__body">', 1)[1].split("</tbody>")[
            0
        ]
        return [
            cell.split("</td>")[0]
            for cell in body.split(
                '<tr class="nhsuk-table__row">\n        <td class="nhsuk-table__cell">'
            )[1:]
        ]

    def test_the_newest_points_come_first_a_page_at_a_time(self) -> None:
        page = self.client.get(self.url).content.decode()
        self.assertIn("Showing 1–52 of 130 points, newest first.", page)
        rows = self.rows(page)
        self.assertEqual(len(rows), TABLE_ROWS)
        last = START + datetime.timedelta(weeks=129)
        self.assertEqual(rows[0], f"week of {last.day} {last:%B %Y}")
        self.assertIn("?page=2#data", page)
        self.assertIn("Older data", page)
        self.assertNotIn("Newer data", page)
        # The chart still draws every point.
        self.assertEqual(page.count('class="point '), 130)

    def test_every_value_is_on_a_page(self) -> None:
        seen = []
        for number in ("1", "2", "3"):
            seen += self.rows(
                self.client.get(self.url, {"page": number}).content.decode()
            )
        self.assertEqual(len(seen), 130)
        self.assertEqual(len(set(seen)), 130)
        first = f"week of {START.day} {START:%B %Y}"
        self.assertEqual(seen[-1], first)
        last_page = self.client.get(self.url, {"page": "3"}).content.decode()
        self.assertIn("Showing 105–130 of 130 points, newest first.", last_page)
        self.assertIn("Newer data", last_page)
        self.assertIn("CSV download", last_page)

    def test_a_page_out_of_range_shows_the_last(self) -> None:
        page = self.client.get(self.url, {"page": "99"}).content.decode()
        self.assertIn("Showing 105–130 of 130 points", page)

    def test_a_short_series_has_one_page(self) -> None:
        short = make_measure(self.org, name="Short", frequency="weekly")
        _weeks(short, 0, 12)
        url = reverse("measures:detail", kwargs={"slug": self.org.slug, "pk": short.pk})
        page = self.client.get(url).content.decode()
        self.assertIn("12 points, newest first.", page)
        self.assertNotIn("Older data", page)
