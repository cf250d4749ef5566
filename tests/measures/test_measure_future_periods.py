"""A period after the current one is refused: in the point form, the next-period
entry, the import and (in tests/api) the API. The current period is the one that
holds today: its day, week, month or quarter."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from openqi.measures import importing
from openqi.measures.importing import check_rows, future_problem
from tests.measures.helpers import add_points, make_measure
from tests.measures.test_measure_import_pages import ImportTestCase, csv_file
from tests.measures.test_measure_points import date_fields, prefilled

D = datetime.date
TODAY = D(2026, 12, 4)  # a Friday


@pytest.mark.parametrize(
    ("frequency", "last_allowed", "first_refused"),
    [
        ("daily", D(2026, 12, 4), D(2026, 12, 5)),
        ("weekly", D(2026, 12, 6), D(2026, 12, 7)),  # the week of Monday 30 November
        ("monthly", D(2026, 12, 31), D(2027, 1, 1)),
        ("quarterly", D(2026, 12, 31), D(2027, 1, 1)),
    ],
)
def test_the_current_period_may_have_data_and_the_next_may_not(
    frequency: str, last_allowed: datetime.date, first_refused: datetime.date
) -> None:
    assert future_problem(last_allowed, frequency, TODAY) is None
    problem = future_problem(first_refused, frequency, TODAY)
    assert problem is not None
    assert "has not happened yet" in problem
    assert problem.endswith("check the year")


def test_the_message_names_both_periods_in_words() -> None:
    assert future_problem(D(2030, 3, 1), "monthly", TODAY) == (
        "March 2030 has not happened yet: the latest period that can have data is "
        "the current one, December 2026; check the year"
    )


def test_check_rows_refuses_a_future_period_only_when_told_today() -> None:
    records = [(2, "2026-11-01", "4", None), (3, "2030-11-01", "5", None)]
    checked = check_rows(records, kind="count", frequency="monthly", today=TODAY)
    assert [r.number for r in checked.rows] == [2]
    assert [(e.number, e.column) for e in checked.errors] == [(3, "period")]
    assert len(check_rows(records, kind="count", frequency="monthly").rows) == 2


class PointFormFutureTests(ImportTestCase):
    def test_point_form_refuses_a_period_after_the_current_one(self) -> None:
        measure = make_measure(self.org, name="Falls later", frequency="monthly")
        today = timezone.localdate()
        next_month = importing.next_period(today, "monthly")
        url = reverse(
            "measures:add_point", kwargs={"slug": self.org.slug, "pk": measure.pk}
        )
        response = self.client.post(url, {**date_fields(next_month), "value": "6"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "has not happened yet")
        self.assertFalse(measure.points.exists())
        response = self.client.post(url, {**date_fields(today), "value": "6"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(measure.points.get().period, today.replace(day=1))

    def test_changing_a_point_to_a_future_year_is_refused(self) -> None:
        measure = make_measure(self.org, name="Falls typo", frequency="monthly")
        point = add_points(measure, [4], start=D(2023, 6, 1))[0]
        url = reverse(
            "measures:point_edit",
            kwargs={"slug": self.org.slug, "pk": measure.pk, "point": point.pk},
        )
        response = self.client.post(url, {**date_fields(D(2030, 6, 1)), "value": "4"})
        self.assertContains(response, "June 2030 has not happened yet")
        point.refresh_from_db()
        self.assertEqual(point.period, D(2023, 6, 1))

    def test_next_period_entry_offers_no_future_period_when_up_to_date(self) -> None:
        for frequency in ("daily", "weekly", "monthly", "quarterly"):
            with self.subTest(frequency):
                measure = make_measure(self.org, frequency=frequency)
                current = importing.period_start(timezone.localdate(), frequency)
                add_points(measure, [4], start=current)
                detail = self.client.get(
                    reverse(
                        "measures:detail",
                        kwargs={"slug": self.org.slug, "pk": measure.pk},
                    )
                )
                self.assertContains(detail, "Add or change data")
                self.assertNotContains(detail, "Add data for")
                form = self.client.get(
                    reverse(
                        "measures:add_point",
                        kwargs={"slug": self.org.slug, "pk": measure.pk},
                    )
                )
                self.assertContains(form, "already has a value")
                self.assertNotRegex(
                    form.content.decode(), r'name="period_year"[^>]*value="\d+"'
                )

    def test_next_period_entry_offers_the_current_period_when_it_is_next(
        self,
    ) -> None:
        measure = make_measure(self.org, frequency="monthly")
        current = timezone.localdate().replace(day=1)
        previous = importing.period_start(
            current - datetime.timedelta(days=1), "monthly"
        )
        add_points(measure, [4], start=previous)
        response = self.client.get(
            reverse(
                "measures:add_point", kwargs={"slug": self.org.slug, "pk": measure.pk}
            )
        )
        self.assertEqual(prefilled(response), current)


class ImportFutureTests(ImportTestCase):
    def test_a_row_after_the_current_period_is_a_row_error(self) -> None:
        token = self.token(
            self.upload(csv_file("period,value\n2024-01-01,3\n2030-01-01,4\n"))
        )
        response = self.preview(token)
        self.assertContains(response, "The file has errors")
        self.assertContains(response, "January 2030 has not happened yet")
        self.commit(token)
        self.assertFalse(self.measure.points.exists())
