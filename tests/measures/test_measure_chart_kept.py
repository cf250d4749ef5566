"""The measure's page draws its chart once per change: later views read it from the
cache, and any change to what is drawn (a point, an exclusion, a note, a phase, the
measure's options) draws it again at once, even a write that bypasses the services."""

from __future__ import annotations

import datetime
from unittest import mock

from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from openqi.measures import charts
from openqi.measures.models import Annotation, DataPoint, Measure, PhaseBreak
from tests.base import BaseTestCase
from tests.portfolio.portfolio_data import make_measure

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@override_settings(CACHES=LOCMEM)
class KeptChartTests(BaseTestCase):
    def setUp(self) -> None:
        cache.clear()
        values = [10.0, 12, 11, 13, 12, 11, 10, 12, 13, 11, 12, 10, 11, 12, 30]
        self.measure = make_measure(self.org, values, name="Falls on Oak ward")
        self.url = reverse(
            "measures:detail", kwargs={"slug": self.org.slug, "pk": self.measure.pk}
        )
        self.sign_in(self.editor)

    def view(self) -> tuple[int, str]:
        """How many times the chart was computed for one view, and the page."""
        with mock.patch(
            "openqi.measures.views.charts.chart_for", wraps=charts.chart_for
        ) as computed:
            response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        return computed.call_count, response.content.decode()

    def test_drawn_once_then_read(self) -> None:
        self.assertEqual(self.view()[0], 1)
        count, page = self.view()
        self.assertEqual(count, 0)
        self.assertIn("<svg", page)

    def test_every_change_to_what_is_drawn_draws_it_again(self) -> None:
        first = self.measure.points.order_by("period").first()
        last = self.measure.points.order_by("period").last()
        changes = {
            "a note": lambda: Annotation.objects.create(
                measure=self.measure, period=first.period, text="New rota from today"
            ),
            "a value, past the services": lambda: DataPoint.objects.filter(
                pk=last.pk
            ).update(value=31.5),
            "a point left out": lambda: DataPoint.objects.filter(pk=first.pk).update(
                is_excluded=True, exclusion_reason="Ward closed"
            ),
            "a phase": lambda: PhaseBreak.objects.create(
                measure=self.measure,
                period=first.period + datetime.timedelta(days=31 * 5),
                reason="New pathway",
            ),
            "the name, past the services": lambda: Measure.objects.filter(
                pk=self.measure.pk
            ).update(name="Falls on Oak ward (all beds)"),
            "the direction": lambda: Measure.objects.filter(pk=self.measure.pk).update(
                improvement="decrease"
            ),
        }
        self.view()
        for what, change in changes.items():
            with self.subTest(change=what):
                change()
                count, page = self.view()
                self.assertEqual(count, 1, f"{what}: not drawn again")
                self.assertEqual(self.view()[0], 0, f"{what}: not kept")
        self.assertIn("New rota from today", page)
        self.assertIn("Falls on Oak ward (all beds)", page)
        self.assertIn("31.5", page)
