"""Whether a project's measures have held their gain: no special-cause concern on
a measure's chart since its latest phase began, read from data built through the
measures' own services."""

from __future__ import annotations

import datetime
from unittest import mock

from django.core.cache import cache
from django.urls import reverse

from openqi.audit.kept import data_changed
from openqi.measures import importing
from openqi.measures import services as measure_services
from openqi.measures.models import Measure
from openqi.projects.models import ProjectMeasure
from openqi.sustainability import services
from tests.base import BaseTestCase
from tests.measures.helpers import make_measure
from tests.sustainability.helpers import make_check, team_project

START = datetime.date(2023, 1, 1)
# Falls a month, lower is better: a baseline with one bad month (a concern in
# the first phase), then the change halves them from month 13.
BEFORE = [10, 11, 9, 30, 10, 11, 9, 10, 11, 9, 10, 10]
AFTER = [5, 4, 6, 5, 4, 6, 5, 4, 6, 5, 4, 6]


def _period(i: int) -> datetime.date:
    period = START
    for _ in range(i):
        period = importing.next_period(period, Measure.Frequency.MONTHLY)
    return period


class HeldGainTests(BaseTestCase):
    def setUp(self) -> None:
        cache.clear()
        self.project = team_project(self)
        self.measure = make_measure(
            self.org,
            name="Falls on the respiratory ward",
            improvement=Measure.Improvement.DECREASE,
        )
        ProjectMeasure.objects.create(project=self.project, measure=self.measure)
        for i, value in enumerate(BEFORE + AFTER):
            measure_services.save_point(self.measure, period=_period(i), value=value)
        measure_services.add_phase_break(
            self.measure, period=_period(len(BEFORE)), reason="Night-time checks began"
        )

    def test_gain_is_held_when_the_concern_came_before_the_phase_break(self) -> None:
        gain = services.held_gain(self.project)
        (measure,) = gain.measures
        self.assertEqual(measure.state, "held")
        self.assertTrue(measure.has_phase_break)
        self.assertTrue(gain.is_held)
        self.assertIn("2024", measure.since)

    def test_a_concern_after_the_phase_break_means_the_gain_is_not_held(self) -> None:
        measure_services.save_point(
            self.measure, period=_period(len(BEFORE) + len(AFTER)), value=30
        )
        gain = services.held_gain(self.project)
        self.assertEqual(gain.measures[0].state, "concern")
        self.assertFalse(gain.is_held)
        self.assertIn("concern", gain.measures[0].concern)

    def test_without_a_phase_break_the_whole_chart_counts(self) -> None:
        measure_services.remove_phase_break(
            self.measure, self.measure.phase_breaks.get()
        )
        gain = services.held_gain(self.project)
        self.assertFalse(gain.measures[0].has_phase_break)
        # From 10 a month to 5: lower is better, so the shift is improvement; the
        # first phase's bad month is a concern now that it is in the only phase.
        self.assertEqual(gain.measures[0].state, "concern")

    def test_a_measure_without_data_is_not_judged(self) -> None:
        empty = make_measure(self.org, name="Bed days lost")
        project = team_project(self, title="Another project")
        ProjectMeasure.objects.create(project=project, measure=empty)
        gain = services.held_gain(project)
        self.assertEqual(gain.measures[0].state, "no_data")
        self.assertIsNone(gain.is_held)

    def test_the_check_page_shows_it_and_keeps_it_until_the_data_change(self) -> None:
        check = make_check(self.project)
        url = reverse(
            "sustainability:check", kwargs={"slug": self.org.slug, "pk": check.pk}
        )
        self.sign_in(self.viewer)
        # As after a commit: the first view computes and keeps the held gain
        # (measures, points, phase breaks, links: 4 queries); the next reads it.
        with mock.patch("openqi.audit.kept._is_changed_here", return_value=False):
            with self.captureOnCommitCallbacks(execute=True):
                data_changed(self.org.pk)
            with self.assertNumQueries(12):
                first = self.client.get(url)
            self.assertContains(first, "no measure shows a concern in its latest phase")
            with self.assertNumQueries(8):
                again = self.client.get(url)
            self.assertContains(again, "Falls on the respiratory ward")
            with self.captureOnCommitCallbacks(execute=True):
                measure_services.save_point(
                    self.measure, period=_period(len(BEFORE) + len(AFTER)), value=30
                )
            with self.assertNumQueries(12):
                changed = self.client.get(url)
            self.assertContains(changed, "at least one measure shows a concern")

    def test_portfolio_shows_held_gain_of_checked_projects(self) -> None:
        make_check(self.project)
        self.sign_in(self.viewer)
        response = self.client.get(
            reverse("sustainability:portfolio", kwargs={"slug": self.org.slug})
        )
        body = response.content.decode()
        row = body[body.index(self.project.title) :]
        self.assertIn(">Yes<", row[: row.index("</tr>")])
