"""A measure of any length: 1,025 points and more used to break every page that
charts it (the run chart's binomial quantile overflowed a float at 1,025 points)."""

from __future__ import annotations

import datetime

import numpy as np
from django.urls import reverse

from openqi.measures.models import Measure
from tests.base import BaseTestCase
from tests.measures.helpers import add_points, make_measure
from tests.portfolio.portfolio_data import link, make_project

#: Three years and a bit of daily data: past the 1,024 points where it broke.
POINTS = 1_100


class LongSeriesTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        values = np.random.default_rng(1025).normal(40, 4, POINTS).round(1)
        cls.measures = []
        for chart in ("run", "xmr"):
            measure = make_measure(
                cls.org,
                name=f"Daily admissions ({chart})",
                frequency=Measure.Frequency.DAILY,
                chart_type=chart,
            )
            add_points(measure, list(values), start=datetime.date(2023, 1, 1))
            cls.measures.append(measure)

    def test_every_page_that_charts_a_long_measure_answers(self) -> None:
        self.sign_in(self.editor)
        slug = self.org.slug
        for measure in self.measures:
            one = {"slug": slug, "pk": measure.pk}
            urls = [
                reverse("measures:detail", kwargs=one),
                reverse("measures:list", kwargs={"slug": slug}),
                reverse("measures:export", kwargs=one) + "?format=json",
                reverse("api:chart", kwargs={"slug": slug, "measure_id": measure.pk}),
                reverse("api:chart", kwargs={"slug": slug, "measure_id": measure.pk})
                + "?format=svg",
            ]
            for url in urls:
                with self.subTest(measure=measure.name, url=url):
                    self.assertEqual(self.client.get(url).status_code, 200)

    def test_the_portfolio_answers_with_a_long_measure_in_it(self) -> None:
        project = make_project(self.org)
        for measure in self.measures:
            link(project, measure)
        self.sign_in(self.editor)
        for name in ("portfolio:portfolio", "measures:overview"):
            with self.subTest(page=name):
                response = self.client.get(
                    reverse(name, kwargs={"slug": self.org.slug})
                )
                self.assertEqual(response.status_code, 200)
