"""Leaving a point out of the calculations, and fixing the limits after N points,
from the measure's pages: validated, shown on the chart and on the audit trail."""

from __future__ import annotations

from django.urls import reverse

from openqi.audit.models import AuditEvent
from openqi.measures import charts
from openqi.measures.models import Measure
from tests.base import BaseTestCase
from tests.measures.helpers import SHIFTED, add_points, make_measure
from tests.measures.test_measure_pages import VALID


def point_data(point, **extra: object) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {
        "period_day": point.period.day,
        "period_month": point.period.month,
        "period_year": point.period.year,
        "value": str(point.value),
        **extra,
    }


class ExcludePointTests(BaseTestCase):
    def setUp(self) -> None:
        self.measure = make_measure(self.org, name="Falls", improvement="decrease")
        self.points = add_points(self.measure, [5, 6, 5, 40, 6, 5, 6, 5, 6, 5, 6, 5])
        self.outlier = self.points[3]
        self.url = reverse(
            "measures:point_edit",
            kwargs={
                "slug": self.org.slug,
                "pk": self.measure.pk,
                "point": self.outlier.pk,
            },
        )
        self.detail = reverse(
            "measures:detail", kwargs={"slug": self.org.slug, "pk": self.measure.pk}
        )

    def exclude(self, user, reason: str = "IT outage: falls double counted"):  # type: ignore[no-untyped-def]
        self.sign_in(user)
        return self.client.post(
            self.url,
            point_data(self.outlier, is_excluded="true", exclusion_reason=reason),
        )

    def test_editor_leaves_a_point_out_and_the_limits_ignore_it(self) -> None:
        before = charts.chart_for(self.measure)
        response = self.exclude(self.editor)
        self.assertRedirects(response, self.detail)
        self.outlier.refresh_from_db()
        self.assertTrue(self.outlier.is_excluded)
        after = charts.chart_for(self.measure)
        self.assertEqual([e.period for e in after.excluded], ["2023-04"])
        self.assertLess(float(after.centre[0]), float(before.centre[0]))
        self.assertLess(float(after.upper[0]), float(before.upper[0]))

    def test_the_reason_is_shown_on_the_page_and_on_the_chart(self) -> None:
        self.exclude(self.editor)
        self.sign_in(self.viewer)
        response = self.client.get(self.detail)
        self.assertContains(response, "Left out of the calculations")
        html = response.content.decode()
        self.assertIn(
            "<strong>April 2023</strong>: IT outage: falls double counted", html
        )
        self.assertIn("Left out of the calculations:</strong> IT outage", html)
        svg = charts.chart_svg(self.measure, charts.chart_for(self.measure))
        self.assertIn("Left out of the calculations: IT outage", svg)

    def test_a_reason_is_needed(self) -> None:
        response = self.exclude(self.editor, reason="  ")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Say why the point is left out")
        self.outlier.refresh_from_db()
        self.assertFalse(self.outlier.is_excluded)

    def test_unticking_brings_the_point_back_and_clears_the_reason(self) -> None:
        self.exclude(self.editor)
        self.client.post(self.url, point_data(self.outlier, exclusion_reason="kept"))
        self.outlier.refresh_from_db()
        self.assertEqual(
            (self.outlier.is_excluded, self.outlier.exclusion_reason), (False, "")
        )
        self.assertEqual(charts.chart_for(self.measure).excluded, ())

    def test_the_change_is_on_the_audit_trail(self) -> None:
        self.exclude(self.editor)
        event = AuditEvent.objects.filter(
            model="measures.DataPoint", action="update"
        ).latest("pk")
        self.assertEqual(event.actor, self.editor)
        self.assertEqual(event.before["is_excluded"], False)
        self.assertEqual(event.after["is_excluded"], True)
        self.assertEqual(
            event.after["exclusion_reason"], "IT outage: falls double counted"
        )

    def test_viewer_gets_403_and_outsider_404(self) -> None:
        self.assertEqual(self.exclude(self.viewer).status_code, 403)
        self.assertEqual(self.exclude(self.outsider).status_code, 404)
        self.outlier.refresh_from_db()
        self.assertFalse(self.outlier.is_excluded)

    def test_a_new_point_has_no_exclusion_fields(self) -> None:
        self.sign_in(self.editor)
        url = reverse(
            "measures:add_point", kwargs={"slug": self.org.slug, "pk": self.measure.pk}
        )
        self.assertNotContains(self.client.get(url), "exclusion_reason")
        self.assertContains(self.client.get(self.url), "Leave this point out")


class FixAfterTests(BaseTestCase):
    def setUp(self) -> None:
        self.measure = make_measure(self.org, name="Discharges", improvement="increase")
        add_points(self.measure, SHIFTED)
        self.url = reverse(
            "measures:edit", kwargs={"slug": self.org.slug, "pk": self.measure.pk}
        )
        self.form = {**VALID, "name": "Discharges", "kind": "count", "multiplier": "1"}

    def test_editor_fixes_the_limits_after_n_points(self) -> None:
        self.sign_in(self.editor)
        self.assertContains(self.client.get(self.url), 'name="fix_after"')
        response = self.client.post(self.url, {**self.form, "fix_after": "14"})
        self.assertEqual(response.status_code, 302)
        self.measure.refresh_from_db()
        self.assertEqual(self.measure.fix_after, 14)
        result = charts.chart_for(self.measure)
        # The first fourteen points alternate 11 and 9: the frozen mean is 10.
        self.assertAlmostEqual(float(result.centre[-1]), 10.0)
        page = self.client.get(
            reverse(
                "measures:detail", kwargs={"slug": self.org.slug, "pk": self.measure.pk}
            )
        )
        self.assertContains(page, "The limits are fixed on the first 14 points")
        event = AuditEvent.objects.filter(model="measures.Measure").latest("pk")
        self.assertEqual(
            (event.before["fix_after"], event.after["fix_after"]), (None, 14)
        )

    def test_fewer_points_than_the_engine_allows_are_refused(self) -> None:
        self.sign_in(self.editor)
        for typed, message in {
            "11": "Fix the limits after at least 12 points",
            "2.5": "Enter a whole number",
            "20,000": "Fix the limits after at most 10,000 points.",
            "1,00": "three digits",
        }.items():
            with self.subTest(typed):
                response = self.client.post(self.url, {**self.form, "fix_after": typed})
                self.assertContains(response, message)
        self.measure.refresh_from_db()
        self.assertIsNone(self.measure.fix_after)

    def test_empty_uses_every_point_again(self) -> None:
        Measure.objects.filter(pk=self.measure.pk).update(fix_after=12)
        self.sign_in(self.editor)
        self.client.post(self.url, {**self.form, "fix_after": ""})
        self.measure.refresh_from_db()
        self.assertIsNone(self.measure.fix_after)

    def test_viewer_and_outsider_cannot_fix_the_limits(self) -> None:
        for user, status in ((self.viewer, 403), (self.outsider, 404)):
            self.sign_in(user)
            response = self.client.post(self.url, {**self.form, "fix_after": "14"})
            self.assertEqual(response.status_code, status)
        self.measure.refresh_from_db()
        self.assertIsNone(self.measure.fix_after)


class ThousandsSeparatorTests(BaseTestCase):
    def test_values_and_targets_typed_with_commas_are_taken(self) -> None:
        measure = make_measure(
            self.org, name="Attendances", kind="proportion", multiplier=100
        )
        self.sign_in(self.editor)
        url = reverse(
            "measures:add_point", kwargs={"slug": self.org.slug, "pk": measure.pk}
        )
        data = {"period_day": 1, "period_month": 3, "period_year": 2024}
        response = self.client.post(
            url, {**data, "value": "12,345", "denominator": "15,000.5"}
        )
        self.assertEqual(response.status_code, 302)
        point = measure.points.get()
        self.assertEqual((point.value, point.denominator), (12345.0, 15000.5))
        response = self.client.post(
            url,
            {**data, "period_month": 4, "value": "5,00", "denominator": "600"},
        )
        self.assertContains(response, "Put a comma only between groups of three digits")

    def test_measure_target_takes_a_grouped_number(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(
            reverse("measures:create", kwargs={"slug": self.org.slug}),
            {**VALID, "kind": "count", "target": "1,200", "multiplier": "1"},
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Measure.objects.get().target, 1200.0)
