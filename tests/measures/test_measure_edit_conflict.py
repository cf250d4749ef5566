"""Two people editing one measure: the second saver sees the conflict and chooses."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from openqi.measures.models import Measure
from tests.api.routes_strategy_projects_measures import make_measure
from tests.base import BaseTestCase


class MeasureEditConflictTests(BaseTestCase):
    def setUp(self) -> None:
        self.measure = make_measure(self.org, name="Falls per 1,000 bed days")
        self.url = reverse(
            "measures:edit", kwargs={"slug": "northfield", "pk": self.measure.pk}
        )

    def _form(self, **changes: Any) -> dict[str, Any]:
        data = {
            "name": self.measure.name,
            "definition": "",
            "kind": self.measure.kind,
            "unit_label": "",
            "frequency": self.measure.frequency,
            "improvement": self.measure.improvement,
            "target": "",
            "chart_type": self.measure.chart_type,
            "multiplier": "1",
            "fix_after": "",
            "unit": "",
            "version": "1",
        }
        data.update(changes)
        return data

    def _someone_else_saves(self) -> None:
        other = Measure.objects.get(pk=self.measure.pk)
        other.name = "Inpatient falls"
        other.save()

    def test_the_form_carries_the_version_it_was_loaded_with(self) -> None:
        self.sign_in(self.editor)
        response = self.client.get(self.url)
        self.assertContains(response, 'name="version" value="1"')

    def test_a_stale_form_comes_back_with_both_values(self) -> None:
        self._someone_else_saves()
        self.sign_in(self.editor)
        response = self.client.post(self.url, self._form(name="Falls with harm"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Someone else saved this")
        self.assertContains(response, "data-conflicts")
        self.assertContains(response, "Falls with harm")
        self.assertContains(response, "Inpatient falls")
        self.assertContains(response, 'name="version" value="2"')
        self.measure.refresh_from_db()
        self.assertEqual(self.measure.name, "Inpatient falls")

    def test_saving_again_with_the_new_version_keeps_mine(self) -> None:
        self._someone_else_saves()
        self.sign_in(self.editor)
        self.client.post(self.url, self._form(name="Falls with harm"))
        response = self.client.post(
            self.url, self._form(name="Falls with harm", version="2")
        )
        self.assertEqual(response.status_code, 302)
        self.measure.refresh_from_db()
        self.assertEqual(self.measure.name, "Falls with harm")
        self.assertEqual(self.measure.version, 3)

    def test_a_current_form_saves(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(self.url, self._form(name="Falls with harm"))
        self.assertEqual(response.status_code, 302)
        self.measure.refresh_from_db()
        self.assertEqual(self.measure.version, 2)

    def test_viewer_gets_403_and_outsider_404_on_a_stale_post(self) -> None:
        self._someone_else_saves()
        for user, status in ((self.viewer, 403), (self.outsider, 404)):
            self.sign_in(user)
            response = self.client.post(self.url, self._form(name="Falls"))
            self.assertEqual(response.status_code, status)
        self.measure.refresh_from_db()
        self.assertEqual(self.measure.name, "Inpatient falls")
