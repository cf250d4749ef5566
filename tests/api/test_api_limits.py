"""Every input is bounded: numbers, dates, ids, offsets and the body's size answer
4xx in the error shape, never 500 (issue: safe under attack, load and concurrent work)."""

from __future__ import annotations

import datetime
from typing import Any

from django.test import Client, override_settings
from django.urls import reverse

from openqi.api.schemas import FIRST_DAY, LAST_DAY
from openqi.improvement.models import DriverNode
from openqi.measures.models import Measure
from tests.api.base import ApiTestCase
from tests.api.operations import operations
from tests.api.routes_assessments_journey_barriers import make_action, make_barrier
from tests.api.routes_strategy_projects_measures import (
    make_measure,
    make_priority,
    make_project,
)

HUGE = "99999999999999999999"
_day_before_first = str(FIRST_DAY - datetime.timedelta(days=1))
_day_after_last = str(LAST_DAY + datetime.timedelta(days=1))


def _url(name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"slug": "northfield", **kwargs})


class ListBoundsTests(ApiTestCase):
    def test_every_list_refuses_an_offset_or_limit_it_cannot_take(self) -> None:
        for operation in operations(self):
            names = {p["name"] for p in operation.spec.get("parameters", ())}
            if operation.method != "get" or "offset" not in names:
                continue
            url = _fill(operation.path, operation.path_parameters)
            for query in (
                "offset=99999999999999999999999",
                "offset=1000000001",
                "offset=-1",
                "offset=many",
                "limit=-5",
                "limit=1e3",
                f"limit={HUGE}",
            ):
                with self.subTest(f"{operation.label}?{query}"):
                    response = self.call("get", f"{url}?{query}", self.editor)
                    self.assert_error(response, 422)

    def test_the_largest_offset_answers_an_empty_page(self) -> None:
        body = self.call(
            "get", _url("api:measures") + "?offset=1000000000", self.editor
        ).json()
        self.assertEqual(body["items"], [])

    def test_an_id_filter_beyond_any_id_is_a_422_naming_it(self) -> None:
        for name in ("api:measures", "api:projects", "api:barriers", "api:staff"):
            with self.subTest(name):
                response = self.call("get", f"{_url(name)}?unit_id={HUGE}", self.editor)
                body = self.assert_error(response, 422)
                self.assertEqual(body["details"][0]["field"], "unit_id")


class PathIdTests(ApiTestCase):
    def test_an_id_beyond_any_id_in_the_path_is_a_404(self) -> None:
        checked = 0
        for operation in operations(self):
            for name in operation.path_parameters:
                if not name.endswith("_id"):
                    continue
                url = _fill(operation.path, {**operation.path_parameters, name: HUGE})
                with self.subTest(f"{operation.method.upper()} {url}"):
                    response = self.call(operation.method, url, self.editor, data={})
                    self.assert_error(response, 404)
                    checked += 1
        self.assertGreater(checked, 40)


class BodyNumberTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.measure = make_measure(cls.org)
        cls.project = make_project(cls.org)

    def test_a_whole_number_beyond_64_bits_in_a_body_is_a_422(self) -> None:
        url = _url("api:project-measures", project_id=self.project.pk)
        for number in (HUGE, "-" + HUGE, "9223372036854775808", "1" * 5000):
            with self.subTest(number[:30]):
                response = self.client.post(
                    url,
                    '{"measure_id": ' + number + "}",
                    content_type="application/json",
                    HTTP_AUTHORIZATION=f"Bearer {self.token_for(self.editor)}",
                )
                body = self.assert_error(response, 422)
                self.assertIn("too large a whole number", body["error"])

    def test_nan_and_infinity_tokens_are_a_422(self) -> None:
        url = _url("api:measure", measure_id=self.measure.pk)
        for token in ("NaN", "Infinity", "-Infinity"):
            with self.subTest(token):
                response = self.client.patch(
                    url,
                    '{"target": ' + token + "}",
                    content_type="application/json",
                    HTTP_AUTHORIZATION=f"Bearer {self.token_for(self.editor)}",
                )
                body = self.assert_error(response, 422)
                self.assertIn(token, body["error"])

    def test_a_target_or_multiplier_beyond_the_bound_is_a_422(self) -> None:
        url = _url("api:measure", measure_id=self.measure.pk)
        for field in ("target", "multiplier"):
            for value in (1e308, -1e308, 1e16, -2e15):
                with self.subTest(f"{field}={value}"):
                    body = self.assert_error(
                        self.call("patch", url, self.editor, data={field: value}),
                        422,
                    )
                    self.assertEqual(body["details"][0]["field"], field)
        self.measure.refresh_from_db()
        self.assertIsNone(self.measure.target)
        self.assertEqual(self.measure.multiplier, 1.0)

    def test_a_target_within_the_bound_is_kept(self) -> None:
        url = _url("api:measure", measure_id=self.measure.pk)
        response = self.call("patch", url, self.editor, data={"target": -1e15})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(Measure.objects.get(pk=self.measure.pk).target, -1e15)

    def test_a_new_measure_with_a_huge_target_is_a_422(self) -> None:
        response = self.call(
            "post",
            _url("api:measures"),
            self.editor,
            data={"name": "Falls", "target": 1e308},
        )
        self.assert_error(response, 422)
        self.assertFalse(Measure.objects.filter(name="Falls").exists())

    def test_data_point_values_beyond_the_bound_are_a_422(self) -> None:
        url = _url("api:data-points", measure_id=self.measure.pk)
        for field in ("value", "denominator"):
            with self.subTest(field):
                row = {"period": "2024-03-01", "value": 3, field: 1e308}
                self.assert_error(self.call("post", url, self.editor, data=[row]), 422)  # type: ignore[arg-type]

    def test_a_position_beyond_the_bound_is_a_422(self) -> None:
        priority = make_priority(self.org)
        node = DriverNode.objects.create(
            project=self.project, kind=DriverNode.Kind.PRIMARY, text="Staffing"
        )
        for url in (
            _url("api:priority", priority_id=priority.pk),
            _url("api:driver-node", project_id=self.project.pk, node_id=node.pk),
        ):
            for position in (-1, 1_000_001, 2**40):
                with self.subTest(f"{url} {position}"):
                    self.assert_error(
                        self.call(
                            "patch", url, self.editor, data={"position": position}
                        ),
                        422,
                    )


class DateBoundsTests(ApiTestCase):
    def test_a_date_in_the_year_9999_or_1_is_a_422(self) -> None:
        project = make_project(self.org)
        priority = make_priority(self.org)
        action = make_action(self.org)
        barrier = make_barrier(self.org)
        measure = make_measure(self.org)
        writes = [
            ("patch", _url("api:project", project_id=project.pk), "start_date"),
            ("patch", _url("api:project", project_id=project.pk), "end_date"),
            ("patch", _url("api:priority", priority_id=priority.pk), "period_start"),
            ("patch", _url("api:priority", priority_id=priority.pk), "period_end"),
            ("patch", _url("api:action", action_id=action.pk), "due_date"),
            ("patch", _url("api:barrier", barrier_id=barrier.pk), "raised_on"),
            ("patch", _url("api:barrier", barrier_id=barrier.pk), "resolved_on"),
            ("post", _url("api:journey-milestones", number=1), "due_on"),
            ("post", _url("api:journey-milestones", number=1), "done_on"),
            ("post", _url("api:phase-breaks", measure_id=measure.pk), "period"),
            ("post", _url("api:annotations", measure_id=measure.pk), "period"),
        ]
        for method, url, field in writes:
            for day in ("9999-12-31", "0001-01-01", _day_before_first, _day_after_last):
                with self.subTest(f"{method} {url} {field}={day}"):
                    data = {"title": "A", "reason": "A", "text": "A", field: day}
                    body = self.assert_error(
                        self.call(method, url, self.editor, data=data), 422
                    )
                    self.assertIn(field, {d["field"] for d in body["details"]})

    def test_a_data_point_period_in_the_year_9999_or_1_is_a_422(self) -> None:
        measure = make_measure(self.org)
        url = _url("api:data-points", measure_id=measure.pk)
        for period in ("9999-12-31", "0001-01-01"):
            with self.subTest(period):
                row = {"period": period, "value": 3}
                self.assert_error(self.call("post", url, self.editor, data=[row]), 422)  # type: ignore[arg-type]


class BodySizeTests(ApiTestCase):
    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
    def test_a_body_over_the_limit_is_a_413_in_the_error_shape(self) -> None:
        measure = make_measure(self.org)
        rows = [
            {"period": f"20{10 + i // 12}-{i % 12 + 1:02}-01", "value": i}
            for i in range(100)
        ]
        response = self.call(
            "post",
            _url("api:data-points", measure_id=measure.pk),
            self.editor,
            data=rows,  # type: ignore[arg-type]
        )
        body = self.assert_error(response, 413)
        self.assertIn("1,000 bytes", body["error"])
        self.assertEqual(measure.points.count(), 0)

    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
    def test_a_form_over_the_limit_is_a_413_page(self) -> None:
        client = Client()
        client.force_login(self.editor)
        response = client.post(
            reverse("organisations:unit_create", kwargs={"slug": "northfield"}),
            {"name": "x" * 5000},
        )
        self.assertEqual(response.status_code, 413)
        self.assertIn("text/html", response["Content-Type"])
        self.assertContains(response, "too large", status_code=413)

    def test_too_many_query_fields_is_a_400_not_a_500(self) -> None:
        query = "&".join(f"f{i}=1" for i in range(1500))
        response = self.call("get", f"{_url('api:measures')}?{query}", self.editor)
        self.assert_error(response, 400)


def _fill(template: str, parameters: dict[str, Any]) -> str:
    for name, value in parameters.items():
        template = template.replace("{" + name + "}", str(value))
    return template
