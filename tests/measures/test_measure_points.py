"""Data entry for the next period, changing and deleting points, phases and notes."""

from __future__ import annotations

import datetime
import re

from django.urls import reverse

from openqi.measures import charts
from openqi.measures.models import Annotation, DataPoint, PhaseBreak
from tests.base import BaseTestCase
from tests.measures.helpers import SHIFTED, add_points, make_measure


def date_fields(day: datetime.date, prefix: str = "period") -> dict[str, int]:
    return {
        f"{prefix}_day": day.day,
        f"{prefix}_month": day.month,
        f"{prefix}_year": day.year,
    }


def prefilled(response) -> datetime.date:  # type: ignore[no-untyped-def]
    html = response.content.decode()
    parts = {
        part: int(re.search(rf'name="period_{part}"[^>]*value="(\d+)"', html)[1])
        for part in ("day", "month", "year")
    }
    return datetime.date(parts["year"], parts["month"], parts["day"])


class AddPointTests(BaseTestCase):
    def url(self, measure) -> str:  # type: ignore[no-untyped-def]
        return reverse(
            "measures:add_point", kwargs={"slug": self.org.slug, "pk": measure.pk}
        )

    def test_form_is_prefilled_with_the_next_period_for_each_frequency(self) -> None:
        cases = {
            "daily": (datetime.date(2024, 2, 28), datetime.date(2024, 2, 29)),
            "weekly": (datetime.date(2024, 12, 30), datetime.date(2025, 1, 6)),
            "monthly": (datetime.date(2024, 12, 1), datetime.date(2025, 1, 1)),
            "quarterly": (datetime.date(2024, 10, 1), datetime.date(2025, 1, 1)),
        }
        self.sign_in(self.editor)
        for frequency, (latest, expected) in cases.items():
            with self.subTest(frequency):
                measure = make_measure(self.org, frequency=frequency)
                add_points(measure, [4], start=latest)
                response = self.client.get(self.url(measure))
                self.assertEqual(prefilled(response), expected)

    def test_with_no_data_the_last_complete_period_is_offered(self) -> None:
        measure = make_measure(self.org, frequency="monthly")
        self.sign_in(self.editor)
        expected = (
            datetime.date.today().replace(day=1) - datetime.timedelta(days=1)
        ).replace(day=1)
        self.assertEqual(prefilled(self.client.get(self.url(measure))), expected)

    def test_editor_adds_the_next_value_in_one_step(self) -> None:
        measure = make_measure(self.org, name="Falls")
        add_points(measure, [4, 5], start=datetime.date(2024, 1, 1))
        self.sign_in(self.editor)
        response = self.client.post(
            self.url(measure), {**date_fields(datetime.date(2024, 3, 17)), "value": "6"}
        )
        self.assertRedirects(
            response,
            reverse(
                "measures:detail", kwargs={"slug": self.org.slug, "pk": measure.pk}
            ),
        )
        point = measure.points.last()
        self.assertEqual((point.period, point.value), (datetime.date(2024, 3, 1), 6.0))

    def test_save_and_add_another_returns_to_the_form(self) -> None:
        measure = make_measure(self.org, name="Falls")
        self.sign_in(self.editor)
        response = self.client.post(
            self.url(measure),
            {**date_fields(datetime.date(2024, 3, 1)), "value": "6", "another": "1"},
        )
        self.assertRedirects(response, self.url(measure))

    def test_a_period_already_recorded_is_refused(self) -> None:
        measure = make_measure(self.org, name="Falls")
        add_points(measure, [4], start=datetime.date(2024, 3, 1))
        self.sign_in(self.editor)
        response = self.client.post(
            self.url(measure), {**date_fields(datetime.date(2024, 3, 9)), "value": "6"}
        )
        self.assertContains(response, "There is already a value for March 2024")
        self.assertEqual(measure.points.count(), 1)

    def test_proportion_needs_a_denominator_above_zero(self) -> None:
        measure = make_measure(self.org, name="Seen in 4 hours", kind="proportion")
        self.sign_in(self.editor)
        data = {
            **date_fields(datetime.date(2024, 3, 1)),
            "value": "6",
            "denominator": "0",
        }
        response = self.client.post(self.url(measure), data)
        self.assertContains(response, "a denominator must be above zero")
        response = self.client.post(self.url(measure), {**data, "denominator": "abc"})
        self.assertContains(response, "Enter the denominator as a number")
        response = self.client.post(self.url(measure), {**data, "denominator": "4"})
        self.assertContains(response, "more than its denominator")
        self.assertFalse(measure.points.exists())
        response = self.client.post(self.url(measure), {**data, "denominator": "10"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(measure.points.get().denominator, 10.0)

    def test_viewer_gets_403_and_outsider_404(self) -> None:
        measure = make_measure(self.org, name="Falls")
        data = {**date_fields(datetime.date(2024, 3, 1)), "value": "6"}
        self.sign_in(self.viewer)
        self.assertEqual(self.client.get(self.url(measure)).status_code, 403)
        self.assertEqual(self.client.post(self.url(measure), data).status_code, 403)
        self.sign_in(self.outsider)
        self.assertEqual(self.client.post(self.url(measure), data).status_code, 404)
        self.assertFalse(measure.points.exists())


class PointEditTests(BaseTestCase):
    def setUp(self) -> None:
        self.measure = make_measure(self.org, name="Falls")
        self.point = add_points(self.measure, [4, 5], start=datetime.date(2024, 1, 1))[
            0
        ]
        kwargs = {"slug": self.org.slug, "pk": self.measure.pk, "point": self.point.pk}
        self.edit_url = reverse("measures:point_edit", kwargs=kwargs)
        self.delete_url = reverse("measures:point_delete", kwargs=kwargs)

    def test_editor_changes_a_point(self) -> None:
        self.sign_in(self.editor)
        data = {
            **date_fields(datetime.date(2024, 1, 1)),
            "value": "9",
            "note": "Recounted",
        }
        self.assertEqual(self.client.post(self.edit_url, data).status_code, 302)
        self.point.refresh_from_db()
        self.assertEqual((self.point.value, self.point.note), (9.0, "Recounted"))

    def test_moving_a_point_onto_another_period_is_refused(self) -> None:
        self.sign_in(self.editor)
        data = {**date_fields(datetime.date(2024, 2, 1)), "value": "9"}
        response = self.client.post(self.edit_url, data)
        self.assertContains(response, "There is already a value for February 2024")

    def test_editor_deletes_a_point(self) -> None:
        self.sign_in(self.editor)
        self.assertEqual(self.client.post(self.delete_url).status_code, 302)
        self.assertFalse(DataPoint.objects.filter(pk=self.point.pk).exists())

    def test_viewer_and_outsider_cannot_change_or_delete(self) -> None:
        data = {**date_fields(datetime.date(2024, 1, 1)), "value": "9"}
        for user, status in ((self.viewer, 403), (self.outsider, 404)):
            self.sign_in(user)
            self.assertEqual(self.client.get(self.edit_url).status_code, status)
            self.assertEqual(self.client.post(self.edit_url, data).status_code, status)
            self.assertEqual(self.client.post(self.delete_url).status_code, status)
        self.point.refresh_from_db()
        self.assertEqual(self.point.value, 4.0)

    def test_a_point_of_another_measure_is_404(self) -> None:
        other = make_measure(self.org, name="Other")
        self.sign_in(self.editor)
        url = reverse(
            "measures:point_edit",
            kwargs={"slug": self.org.slug, "pk": other.pk, "point": self.point.pk},
        )
        self.assertEqual(self.client.get(url).status_code, 404)


class PhaseAndNoteTests(BaseTestCase):
    def setUp(self) -> None:
        self.measure = make_measure(self.org, name="Discharges", improvement="increase")
        add_points(self.measure, SHIFTED)
        self.kwargs = {"slug": self.org.slug, "pk": self.measure.pk}

    def test_phase_break_recalculates_from_its_period_and_shows_its_reason(
        self,
    ) -> None:
        self.sign_in(self.editor)
        response = self.client.post(
            reverse("measures:phase_add", kwargs=self.kwargs),
            {
                **date_fields(datetime.date(2024, 3, 1)),
                "reason": "Criteria-led discharge",
            },
        )
        self.assertEqual(response.status_code, 302)
        page = self.client.get(reverse("measures:detail", kwargs=self.kwargs))
        self.assertContains(page, "From March 2024")
        self.assertContains(page, "Criteria-led discharge")
        self.assertEqual(len(charts.chart_for(self.measure).phases), 2)

    def test_phase_needs_a_reason(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(
            reverse("measures:phase_add", kwargs=self.kwargs),
            date_fields(datetime.date(2024, 3, 1)),
        )
        self.assertContains(response, "Say what changed")
        self.assertFalse(PhaseBreak.objects.exists())

    def test_a_second_phase_on_the_same_day_reads_on_that_day(self) -> None:
        daily = make_measure(self.org, name="Daily discharges", frequency="daily")
        add_points(daily, [10.0, 11.0, 12.0], start=datetime.date(2024, 1, 1))
        PhaseBreak.objects.create(
            measure=daily, period=datetime.date(2024, 1, 2), reason="Rota"
        )
        self.sign_in(self.editor)
        response = self.client.post(
            reverse("measures:phase_add", kwargs={**self.kwargs, "pk": daily.pk}),
            {**date_fields(datetime.date(2024, 1, 2)), "reason": "Again"},
        )
        # A day takes "on": "on 2 January 2024", never "in 2 January 2024".
        self.assertContains(response, "A new phase already starts on 2 January 2024.")

    def test_phase_remove(self) -> None:
        item = PhaseBreak.objects.create(
            measure=self.measure, period=datetime.date(2024, 3, 1), reason="Rota"
        )
        url = reverse("measures:phase_remove", kwargs={**self.kwargs, "item": item.pk})
        for user, status in ((self.viewer, 403), (self.outsider, 404)):
            self.sign_in(user)
            self.assertEqual(self.client.post(url).status_code, status)
        self.assertTrue(PhaseBreak.objects.exists())
        self.sign_in(self.editor)
        self.assertEqual(self.client.post(url).status_code, 302)
        self.assertFalse(PhaseBreak.objects.exists())

    def test_annotation_add_shows_in_the_table_and_remove(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(
            reverse("measures:annotation_add", kwargs=self.kwargs),
            {
                **date_fields(datetime.date(2024, 3, 12)),
                "text": "New triage process started",
            },
        )
        self.assertEqual(response.status_code, 302)
        note = Annotation.objects.get()
        self.assertEqual(note.period, datetime.date(2024, 3, 1))
        page = self.client.get(reverse("measures:detail", kwargs=self.kwargs))
        # In the list of notes, the data table, and on the chart: the marker's
        # tooltip and the chart's description.
        self.assertContains(page, "New triage process started", count=4)
        self.assertContains(page, 'class="annotation" data-period="2024-03"')
        url = reverse(
            "measures:annotation_remove", kwargs={**self.kwargs, "item": note.pk}
        )
        self.sign_in(self.viewer)
        self.assertEqual(self.client.post(url).status_code, 403)
        self.sign_in(self.editor)
        self.assertEqual(self.client.post(url).status_code, 302)
        self.assertFalse(Annotation.objects.exists())

    def test_viewer_and_outsider_cannot_add_phases_or_notes(self) -> None:
        data = {**date_fields(datetime.date(2024, 3, 1)), "reason": "x", "text": "x"}
        for name in ("measures:phase_add", "measures:annotation_add"):
            url = reverse(name, kwargs=self.kwargs)
            for user, status in ((self.viewer, 403), (self.outsider, 404)):
                self.sign_in(user)
                self.assertEqual(self.client.get(url).status_code, status)
                self.assertEqual(self.client.post(url, data).status_code, status)
        self.assertFalse(PhaseBreak.objects.exists() or Annotation.objects.exists())
