"""No lost updates through the API: versions, ETags, If-Match, and PATCHes that
name no version (openqi/api/versions.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from unittest import mock

from django.urls import reverse

from openqi.measures import services as measure_services
from openqi.measures.models import Measure
from tests.api.base import ApiTestCase
from tests.api.routes_strategy_projects_measures import make_measure, make_project

SLUG = {"slug": "northfield"}


def interleaved(load: Callable[..., Any], other_change: Callable[[Any], None]) -> Any:
    """A stand-in for a handler's look-up: the first load is followed by another
    person's save of the same row, before this request saves (the lost-update race,
    made deterministic)."""
    calls = {"n": 0}

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        row = load(*args, **kwargs)
        calls["n"] += 1
        if calls["n"] == 1:
            other_change(type(row).objects.get(pk=row.pk))
        return row

    return wrapped


class MeasureVersionTests(ApiTestCase):
    def setUp(self) -> None:
        self.measure = make_measure(self.org, name="Falls per 1,000 bed days")
        self.url = reverse(
            "api:measure", kwargs={**SLUG, "measure_id": self.measure.pk}
        )

    def _other_sets_target(self, measure: Measure) -> None:
        measure.target = 4.5
        measure.save()

    def test_get_answers_the_version_as_etag(self) -> None:
        response = self.call("get", self.url, self.viewer)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["version"], 1)
        self.assertEqual(response["ETag"], '"1"')

    def test_each_change_moves_the_version_on(self) -> None:
        response = self.call("patch", self.url, self.editor, data={"name": "Falls"})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["version"], 2)
        self.assertEqual(response["ETag"], '"2"')

    def test_two_patches_of_different_fields_both_survive(self) -> None:
        race = interleaved(measure_services.get_measure_for, self._other_sets_target)
        with mock.patch.object(measure_services, "get_measure_for", race):
            response = self.call(
                "patch", self.url, self.editor, data={"name": "Inpatient falls"}
            )
        self.assertEqual(response.status_code, 200, response.content)
        self.measure.refresh_from_db()
        self.assertEqual(self.measure.name, "Inpatient falls")
        self.assertEqual(self.measure.target, 4.5)
        self.assertEqual(self.measure.version, 3)

    def test_a_stale_version_in_the_body_gets_409(self) -> None:
        self._other_sets_target(Measure.objects.get(pk=self.measure.pk))
        response = self.call(
            "patch", self.url, self.editor, data={"name": "Falls", "version": 1}
        )
        body = self.assert_error(response, 409)
        self.assertIn("version", body["error"])
        self.measure.refresh_from_db()
        self.assertNotEqual(self.measure.name, "Falls")

    def test_a_version_overtaken_between_load_and_save_gets_409(self) -> None:
        race = interleaved(measure_services.get_measure_for, self._other_sets_target)
        with mock.patch.object(measure_services, "get_measure_for", race):
            response = self.call(
                "patch", self.url, self.editor, data={"name": "Falls", "version": 1}
            )
        self.assert_error(response, 409)
        self.measure.refresh_from_db()
        self.assertEqual(self.measure.target, 4.5)
        self.assertNotEqual(self.measure.name, "Falls")

    def test_the_current_version_is_saved(self) -> None:
        response = self.call(
            "patch", self.url, self.editor, data={"name": "Falls", "version": 1}
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["version"], 2)

    def test_a_stale_if_match_gets_412(self) -> None:
        self._other_sets_target(Measure.objects.get(pk=self.measure.pk))
        response = self.call(
            "patch", self.url, self.editor, data={"name": "Falls"}, HTTP_IF_MATCH='"1"'
        )
        self.assert_error(response, 412)
        self.measure.refresh_from_db()
        self.assertNotEqual(self.measure.name, "Falls")

    def test_a_current_if_match_is_saved(self) -> None:
        etag = self.call("get", self.url, self.editor)["ETag"]
        response = self.call(
            "patch", self.url, self.editor, data={"name": "Falls"}, HTTP_IF_MATCH=etag
        )
        self.assertEqual(response.status_code, 200, response.content)

    def test_a_malformed_if_match_gets_400(self) -> None:
        response = self.call(
            "patch", self.url, self.editor, data={"name": "Falls"}, HTTP_IF_MATCH="v1"
        )
        self.assert_error(response, 400)

    def test_viewer_may_not_patch_and_outsider_gets_404(self) -> None:
        data = {"name": "Falls", "version": 1}
        self.assert_error(self.call("patch", self.url, self.viewer, data=data), 403)
        self.assert_error(self.call("patch", self.url, self.outsider, data=data), 404)


class ProjectVersionTests(ApiTestCase):
    def setUp(self) -> None:
        self.project = make_project(self.org, problem="Falls at night.")
        self.url = reverse(
            "api:project", kwargs={**SLUG, "project_id": self.project.pk}
        )

    def test_two_patches_of_different_fields_both_survive(self) -> None:
        from openqi.projects import services as project_services

        def other_sets_problem(project: Any) -> None:
            project.problem = "Falls at night and at weekends."
            project.save()

        race = interleaved(project_services.get_project_for, other_sets_problem)
        with mock.patch.object(project_services, "get_project_for", race):
            response = self.call(
                "patch", self.url, self.editor, data={"title": "No falls"}
            )
        self.assertEqual(response.status_code, 200, response.content)
        self.project.refresh_from_db()
        self.assertEqual(self.project.title, "No falls")
        self.assertEqual(self.project.problem, "Falls at night and at weekends.")

    def test_a_stale_version_gets_409_and_get_answers_etag(self) -> None:
        first = self.call("get", self.url, self.viewer)
        self.assertEqual(first["ETag"], '"1"')
        self.call("patch", self.url, self.editor, data={"problem": "Changed."})
        response = self.call(
            "patch", self.url, self.editor, data={"title": "x", "version": 1}
        )
        self.assert_error(response, 409)
