"""Warning before a p or u chart misleads: on large denominators the data vary more
than the chart allows, and nearly every point looks like special cause.

A measure whose chart was left to the usual choice (``is_chart_automatic``) is
drawn as p′ or u′ while its data are over-dispersed (enough points to tell), and
as p or u otherwise; a chosen chart stays, with a warning and a button."""

from __future__ import annotations

import datetime

from django.urls import reverse

from openqi.audit.models import AuditEvent
from openqi.measures import charts, services
from openqi.measures.models import Measure
from openqi.spc import MIN_DISPERSION_POINTS
from tests.api.base import ApiTestCase
from tests.base import BaseTestCase
from tests.measures.helpers import add_points, make_measure
from tests.measures.test_measure_import_pages import ImportTestCase, csv_file

N = max(MIN_DISPERSION_POINTS, 12) + 4
#: Ten thousand a month, 77% and 83% by turns: a p chart's limits are about ±1.2
#: points wide, so every month is "special cause"; Laney's σz is far above 1.
WIDE = [7700.0, 8300.0] * (N // 2)
BIG = [10_000.0] * N
#: A hundred a month, 79% to 81%: well within what a p chart allows.
NARROW = [79.0, 81.0, 80.0, 80.0] * (N // 4)
SMALL = [100.0] * N


def proportion(org, name: str = "Seen in 4 hours", **fields):  # type: ignore[no-untyped-def]
    fields.setdefault("kind", "proportion")
    fields.setdefault("multiplier", 100)
    return make_measure(org, name=name, **fields)


class MeasurePageWarningTests(BaseTestCase):
    def setUp(self) -> None:
        self.measure = proportion(self.org, chart_type="p")  # chosen: it stays p
        add_points(self.measure, WIDE, denominators=BIG)
        self.url = reverse(
            "measures:detail", kwargs={"slug": self.org.slug, "pk": self.measure.pk}
        )

    def test_an_overdispersed_p_chart_warns_and_offers_the_editor_p_prime(self) -> None:
        self.sign_in(self.editor)
        response = self.client.get(self.url)
        dispersion = charts.dispersion_for(self.measure)
        self.assertTrue(dispersion.is_overdispersed)
        self.assertContains(response, "This p chart may mislead")
        self.assertContains(response, dispersion.message)
        # Said once, in the warning, not again among the chart's other warnings.
        self.assertNotContains(response, f"<li>{dispersion.message}</li>")
        self.assertContains(response, "Use the Laney p′ chart")
        self.assertContains(
            response,
            reverse(
                "measures:switch_chart",
                kwargs={"slug": self.org.slug, "pk": self.measure.pk},
            ),
        )

    def test_the_viewer_sees_the_warning_without_the_button(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.get(self.url)
        self.assertContains(response, "This p chart may mislead")
        self.assertNotContains(response, "Use the Laney p′ chart")

    def test_data_a_p_chart_suits_give_no_warning(self) -> None:
        measure = proportion(self.org, name="Small ward", chart_type="p")
        add_points(measure, NARROW, denominators=SMALL)
        self.sign_in(self.editor)
        response = self.client.get(
            reverse("measures:detail", kwargs={"slug": self.org.slug, "pk": measure.pk})
        )
        self.assertNotContains(response, "may mislead")

    def test_the_button_switches_to_p_prime_as_the_editors_choice(self) -> None:
        url = reverse(
            "measures:switch_chart",
            kwargs={"slug": self.org.slug, "pk": self.measure.pk},
        )
        for user, status in ((self.viewer, 403), (self.outsider, 404)):
            self.sign_in(user)
            self.assertEqual(self.client.post(url).status_code, status)
        self.measure.refresh_from_db()
        self.assertEqual(self.measure.chart_type, "p")
        self.sign_in(self.editor)
        self.assertEqual(self.client.get(url).status_code, 405)
        self.assertRedirects(self.client.post(url), self.url)
        self.measure.refresh_from_db()
        self.assertEqual(
            (self.measure.chart_type, self.measure.is_chart_automatic), ("pp", False)
        )
        event = AuditEvent.objects.filter(model="measures.Measure").latest("pk")
        self.assertEqual(
            (event.before["chart_type"], event.after["chart_type"]), ("p", "pp")
        )
        self.assertEqual(event.actor, self.editor)
        self.assertNotContains(self.client.get(self.url), "may mislead")

    def test_a_chart_without_a_laney_version_is_not_switched(self) -> None:
        measure = make_measure(self.org, name="Falls")
        add_points(measure, [3, 4, 5])
        self.sign_in(self.editor)
        url = reverse(
            "measures:switch_chart", kwargs={"slug": self.org.slug, "pk": measure.pk}
        )
        response = self.client.post(url, follow=True)
        self.assertContains(response, "not a p or u chart")
        measure.refresh_from_db()
        self.assertEqual(measure.chart_type, "xmr")

    def test_a_u_chart_gets_the_same_warning(self) -> None:
        measure = make_measure(
            self.org, name="Falls per bed day", kind="rate", chart_type="u"
        )
        add_points(measure, WIDE, denominators=BIG)
        self.sign_in(self.editor)
        response = self.client.get(
            reverse("measures:detail", kwargs={"slug": self.org.slug, "pk": measure.pk})
        )
        self.assertContains(response, "This u chart may mislead")
        self.assertContains(response, "Use the Laney u′ chart")


class AutomaticChartTests(BaseTestCase):
    def test_a_new_proportion_moves_to_p_prime_once_enough_points_show_it(self) -> None:
        measure = proportion(self.org)
        self.assertEqual((measure.chart_type, measure.is_chart_automatic), ("p", True))
        period = datetime.date(2023, 1, 1)
        for i, (value, denominator) in enumerate(zip(WIDE, BIG, strict=True)):
            services.save_point(
                measure, period=period, value=value, denominator=denominator
            )
            period = services.importing.next_period(period, "monthly")
            measure.refresh_from_db()
            if i + 1 < MIN_DISPERSION_POINTS:
                self.assertEqual(measure.chart_type, "p", f"after {i + 1} points")
        self.assertEqual((measure.chart_type, measure.is_chart_automatic), ("pp", True))

    def test_it_follows_the_data_back_to_p(self) -> None:
        measure = proportion(self.org)
        points = add_points(measure, WIDE, denominators=BIG)
        charts.refresh_chart_choice(measure)
        self.assertEqual(measure.chart_type, "pp")
        for point in points:
            services.save_point(
                measure,
                period=point.period,
                value=8000.0,
                denominator=10_000.0,
                point=point,
            )
        measure.refresh_from_db()
        self.assertEqual(measure.chart_type, "p")

    def test_a_chosen_p_chart_is_kept(self) -> None:
        measure = proportion(self.org, chart_type="p")
        self.assertFalse(measure.is_chart_automatic)
        add_points(measure, WIDE, denominators=BIG)
        self.assertFalse(charts.refresh_chart_choice(measure))
        self.assertEqual(measure.chart_type, "p")

    def test_only_the_latest_phase_counts(self) -> None:
        measure = proportion(self.org)
        points = add_points(measure, WIDE + NARROW, denominators=BIG + SMALL)
        charts.refresh_chart_choice(measure)
        self.assertEqual(measure.chart_type, "pp")
        measure.phase_breaks.create(period=points[N].period, reason="New rota")
        charts.refresh_chart_choice(measure)
        self.assertEqual(measure.chart_type, "p")

    def test_a_rate_moves_to_u_prime(self) -> None:
        measure = make_measure(self.org, name="Falls per bed day", kind="rate")
        add_points(measure, WIDE, denominators=BIG)
        charts.refresh_chart_choice(measure)
        self.assertEqual(measure.chart_type, "up")

    def test_the_measure_form_leaves_the_chart_automatic_or_keeps_a_choice(
        self,
    ) -> None:
        from tests.measures.test_measure_pages import VALID

        measure = proportion(self.org, name=VALID["name"])
        add_points(measure, WIDE, denominators=BIG)
        url = reverse("measures:edit", kwargs={"slug": self.org.slug, "pk": measure.pk})
        self.sign_in(self.editor)
        self.client.post(url, {**VALID, "chart_type": ""})
        measure.refresh_from_db()
        self.assertEqual((measure.chart_type, measure.is_chart_automatic), ("pp", True))
        form = self.client.get(url).content.decode()
        self.assertRegex(form, r'value=""\s+checked')
        self.client.post(url, {**VALID, "chart_type": "p"})
        measure.refresh_from_db()
        self.assertEqual((measure.chart_type, measure.is_chart_automatic), ("p", False))
        self.client.post(url, {**VALID, "chart_type": ""})
        measure.refresh_from_db()
        self.assertEqual((measure.chart_type, measure.is_chart_automatic), ("pp", True))

    def test_a_measure_created_with_a_chart_has_chosen_it(self) -> None:
        self.assertFalse(proportion(self.org, chart_type="pp").is_chart_automatic)
        self.assertTrue(make_measure(self.org, name="Falls").is_chart_automatic)


class ImportPreviewWarningTests(ImportTestCase):
    def rows(self) -> str:
        lines = ["period,value,denominator"]
        period = datetime.date(2023, 1, 1)
        for value, denominator in zip(WIDE, BIG, strict=True):
            lines.append(f"{period.isoformat()},{value:g},{denominator:g}")
            period = services.importing.next_period(period, "monthly")
        return "\n".join(lines) + "\n"

    def test_an_automatic_chart_says_it_will_be_p_prime_after_the_import(self) -> None:
        token = self.token(self.upload(csv_file(self.rows()), self.ratio))
        response = self.preview(token, self.ratio)
        self.assertContains(
            response, "After the import this measure is drawn as a Laney p′ chart"
        )
        self.commit(token, self.ratio)
        self.ratio.refresh_from_db()
        self.assertEqual(self.ratio.chart_type, "pp")

    def test_a_chosen_p_chart_is_warned_about_and_kept(self) -> None:
        Measure.objects.filter(pk=self.ratio.pk).update(is_chart_automatic=False)
        token = self.token(self.upload(csv_file(self.rows()), self.ratio))
        response = self.preview(token, self.ratio)
        self.assertContains(response, "A p chart may mislead with these data")
        self.assertContains(response, "it stays a p chart")
        self.commit(token, self.ratio)
        self.ratio.refresh_from_db()
        self.assertEqual(self.ratio.chart_type, "p")

    def test_no_warning_for_data_a_p_chart_suits(self) -> None:
        text = self.rows()
        for wide in ("7700,10000", "8300,10000"):
            text = text.replace(wide, "80,100")
        token = self.token(self.upload(csv_file(text), self.ratio))
        response = self.preview(token, self.ratio)
        self.assertContains(response, "Check the import")
        self.assertNotContains(response, "overdispersion")


class ApiAutomaticChartTests(ApiTestCase):
    def test_an_upsert_of_overdispersed_data_moves_the_chart_to_p_prime(self) -> None:
        measure = proportion(self.org)
        url = reverse(
            "api:data-points", kwargs={"slug": self.org.slug, "measure_id": measure.pk}
        )
        period = datetime.date(2023, 1, 1)
        rows = []
        for value, denominator in zip(WIDE, BIG, strict=True):
            rows.append(
                {
                    "period": period.isoformat(),
                    "value": value,
                    "denominator": denominator,
                }
            )
            period = services.importing.next_period(period, "monthly")
        response = self.call("post", url, self.editor, data=rows)
        self.assertEqual(response.status_code, 200, response.content)
        body = self.call(
            "get",
            reverse(
                "api:measure", kwargs={"slug": self.org.slug, "measure_id": measure.pk}
            ),
            self.viewer,
        ).json()
        self.assertEqual((body["chart_type"], body["is_chart_automatic"]), ("pp", True))
        response = self.call(
            "patch",
            reverse(
                "api:measure", kwargs={"slug": self.org.slug, "measure_id": measure.pk}
            ),
            self.editor,
            data={"chart_type": "p"},
        )
        self.assertEqual(
            (response.json()["chart_type"], response.json()["is_chart_automatic"]),
            ("p", False),
        )
