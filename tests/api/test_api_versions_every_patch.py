"""Every PATCH beyond measures and projects keeps both of two concurrent changes,
and honours a version in the body (409) or If-Match (412) (openqi/api/versions.py).

Each case: make the record, the URL of its PATCH, the ``get_<thing>_for`` look-up
the handler loads it with (in the app's services), another person's change to one field, and this request's change to another.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from unittest import mock

from django.urls import reverse

from openqi.assessments import services as assessment_services
from openqi.barriers import services as barrier_services
from openqi.improvement import services as improvement_services
from openqi.journey import services as journey_services
from openqi.journey.models import Milestone
from openqi.measures import services as measure_services
from openqi.organisations import services as organisation_services
from openqi.organisations.models import Membership, Role, Unit
from openqi.strategy import services as strategy_services
from tests.api.base import ApiTestCase
from tests.api.routes_assessments_journey_barriers import (
    make_action,
    make_barrier,
    make_step,
)
from tests.api.routes_strategy_projects_measures import (
    add_points,
    make_cycle,
    make_measure,
    make_priority,
    make_project,
    make_tree,
)
from tests.api.test_api_versions import interleaved
from tests.factories import make_member, make_unit

SLUG = "northfield"


@dataclass(frozen=True)
class Case:
    name: str
    #: (the record, its PATCH URL), made for the test case ``t``.
    make: Callable[[Any], tuple[Any, str]]
    module: Any
    loader: str
    other: Callable[[Any], None]  # another person's change, saved
    patch: dict[str, Any]  # this request's change to another field
    #: (another's field and value, this request's field and value) on the fresh row
    expect: Callable[[Any], tuple[Any, Any]]
    expected: tuple[Any, Any]


def _set(**fields: Any) -> Callable[[Any], None]:
    def change(row: Any) -> None:
        for name, value in fields.items():
            setattr(row, name, value)
        row.save()

    return change


def _data_point(t: Any) -> tuple[Any, str]:
    measure = make_measure(t.org)
    point = add_points(measure, [3.0])[0]
    url = reverse(
        "api:data-point",
        kwargs={"slug": SLUG, "measure_id": measure.pk, "point_id": point.pk},
    )
    return point, url


def _node(t: Any) -> tuple[Any, str]:
    node = make_tree(make_project(t.org))["primary"]
    url = reverse(
        "api:driver-node",
        kwargs={"slug": SLUG, "project_id": node.project_id, "node_id": node.pk},
    )
    return node, url


def _cycle(t: Any) -> tuple[Any, str]:
    cycle = make_cycle(make_tree(make_project(t.org))["idea"])
    url = reverse(
        "api:cycle",
        kwargs={"slug": SLUG, "project_id": cycle.project_id, "cycle_id": cycle.pk},
    )
    return cycle, url


def _priority(t: Any) -> tuple[Any, str]:
    priority = make_priority(t.org)
    return priority, reverse(
        "api:priority", kwargs={"slug": SLUG, "priority_id": priority.pk}
    )


def _barrier(t: Any) -> tuple[Any, str]:
    barrier = make_barrier(t.org)
    return barrier, reverse(
        "api:barrier", kwargs={"slug": SLUG, "barrier_id": barrier.pk}
    )


def _step(t: Any) -> tuple[Any, str]:
    step = make_step(t.org, 2)
    return step, reverse("api:journey-step", kwargs={"slug": SLUG, "number": 2})


def _milestone(t: Any) -> tuple[Any, str]:
    step = make_step(t.org, 3)
    milestone = Milestone.objects.create(step=step, title="Board signs off")
    url = reverse(
        "api:journey-milestone",
        kwargs={"slug": SLUG, "number": 3, "milestone_id": milestone.pk},
    )
    return milestone, url


def _action(t: Any) -> tuple[Any, str]:
    action = make_action(t.org)
    return action, reverse("api:action", kwargs={"slug": SLUG, "action_id": action.pk})


def _unit(t: Any) -> tuple[Any, str]:
    unit = make_unit(t.org, name="Ward 7", parent=t.directorate)
    return unit, reverse("api:unit", kwargs={"slug": SLUG, "unit_id": unit.pk})


def _surgery(organisation: Any) -> Unit:
    division = Unit.objects.get(organisation=organisation, name="Medicine")
    return make_unit(organisation, name="Surgery", parent=division)


def _member(t: Any) -> tuple[Any, str]:
    user = make_member(t.org, Role.MEMBER, full_name="Mo Member")
    member = Membership.objects.get(user=user)
    return member, reverse("api:member", kwargs={"slug": SLUG, "member_id": member.pk})


CASES = [
    Case(
        "data point",
        _data_point,
        measure_services,
        "get_point_for",
        _set(note="Ward closed for a week"),
        {"is_excluded": True, "exclusion_reason": "Audit week"},
        lambda row: (row.note, row.is_excluded),
        ("Ward closed for a week", True),
    ),
    Case(
        "driver node",
        _node,
        improvement_services,
        "get_driver_node_for",
        _set(text="Safer toileting at night"),
        {"position": 5},
        lambda row: (row.text, row.position),
        ("Safer toileting at night", 5),
    ),
    Case(
        "PDSA cycle",
        _cycle,
        improvement_services,
        "get_cycle_for",
        _set(prediction="One fall at most."),
        {"title": "Hourly rounds on bay B"},
        lambda row: (row.prediction, row.title),
        ("One fall at most.", "Hourly rounds on bay B"),
    ),
    Case(
        "priority",
        _priority,
        strategy_services,
        "get_priority_for",
        _set(description="Agreed by the board."),
        {"title": "Fewer falls"},
        lambda row: (row.description, row.title),
        ("Agreed by the board.", "Fewer falls"),
    ),
    Case(
        "barrier",
        _barrier,
        barrier_services,
        "get_barrier_for",
        _set(description="Rotas leave no slack."),
        {"title": "No time to test"},
        lambda row: (row.description, row.title),
        ("Rotas leave no slack.", "No time to test"),
    ),
    Case(
        "journey step",
        _step,
        journey_services,
        "get_step_for",
        _set(notes="Started in April."),
        {"status": "in_progress"},
        lambda row: (row.notes, row.status),
        ("Started in April.", "in_progress"),
    ),
    Case(
        "milestone",
        _milestone,
        journey_services,
        "get_milestone_for",
        _set(title="The board signs off"),
        {"done_on": "2026-01-05"},
        lambda row: (row.title, row.done_on),
        ("The board signs off", datetime.date(2026, 1, 5)),
    ),
    Case(
        "action",
        _action,
        assessment_services,
        "get_action_for",
        _set(description="From the readiness round."),
        {"title": "Protect Friday afternoons"},
        lambda row: (row.description, row.title),
        ("From the readiness round.", "Protect Friday afternoons"),
    ),
    Case(
        "unit",
        _unit,
        organisation_services,
        "get_unit_for",
        lambda row: _set(parent=_surgery(row.organisation))(row),
        {"name": "Ward 7 (stroke)"},
        lambda row: (row.parent.name, row.name),
        ("Surgery", "Ward 7 (stroke)"),
    ),
    Case(
        "member",
        _member,
        organisation_services,
        "get_member_for",
        lambda row: _set(
            unit=Unit.objects.get(organisation=row.organisation_id, name="Medicine")
        )(row),
        {"role": "qi_team"},
        lambda row: (row.unit.name, row.role),
        ("Medicine", "qi_team"),
    ),
]


class EveryPatchVersionTests(ApiTestCase):
    def _fresh(self, row: Any) -> Any:
        return type(row)._base_manager.get(pk=row.pk)

    def test_two_patches_of_different_fields_both_survive(self) -> None:
        for case in CASES:
            with self.subTest(case.name):
                row, url = case.make(self)
                race = interleaved(getattr(case.module, case.loader), case.other)
                with mock.patch.object(case.module, case.loader, race):
                    response = self.call("patch", url, self.editor, data=case.patch)
                self.assertEqual(response.status_code, 200, response.content)
                fresh = self._fresh(row)
                self.assertEqual(case.expect(fresh), case.expected)
                self.assertEqual(fresh.version, 3)
                self.assertEqual(response.json()["version"], 3)
                self.assertEqual(response["ETag"], '"3"')

    def test_a_stale_version_in_the_body_gets_409(self) -> None:
        for case in CASES:
            with self.subTest(case.name):
                row, url = case.make(self)
                case.other(self._fresh(row))
                data = {**case.patch, "version": 1}
                body = self.assert_error(
                    self.call("patch", url, self.editor, data=data), 409
                )
                self.assertIn("version", body["error"])
                self.assertNotEqual(case.expect(self._fresh(row))[1], case.expected[1])

    def test_a_version_overtaken_between_load_and_save_gets_409(self) -> None:
        for case in CASES:
            with self.subTest(case.name):
                row, url = case.make(self)
                race = interleaved(getattr(case.module, case.loader), case.other)
                data = {**case.patch, "version": 1}
                with mock.patch.object(case.module, case.loader, race):
                    response = self.call("patch", url, self.editor, data=data)
                self.assert_error(response, 409)
                self.assertEqual(case.expect(self._fresh(row))[0], case.expected[0])
                self.assertNotEqual(case.expect(self._fresh(row))[1], case.expected[1])

    def test_a_stale_if_match_gets_412(self) -> None:
        for case in CASES:
            with self.subTest(case.name):
                row, url = case.make(self)
                case.other(self._fresh(row))
                response = self.call(
                    "patch", url, self.editor, data=case.patch, HTTP_IF_MATCH='"1"'
                )
                self.assert_error(response, 412)
                self.assertNotEqual(case.expect(self._fresh(row))[1], case.expected[1])

    def test_the_current_version_or_if_match_is_saved(self) -> None:
        for case in CASES:
            with self.subTest(case.name):
                _, url = case.make(self)
                data = {**case.patch, "version": 1}
                response = self.call("patch", url, self.editor, data=data)
                self.assertEqual(response.status_code, 200, response.content)
                self.assertEqual(response["ETag"], '"2"')
                response = self.call(
                    "patch", url, self.editor, data=case.patch, HTTP_IF_MATCH='"2"'
                )
                self.assertEqual(response.status_code, 200, response.content)

    def test_a_malformed_if_match_gets_400(self) -> None:
        for case in CASES:
            with self.subTest(case.name):
                _, url = case.make(self)
                response = self.call(
                    "patch", url, self.editor, data=case.patch, HTTP_IF_MATCH="v1"
                )
                self.assert_error(response, 400)

    def test_viewer_gets_403_and_outsider_404(self) -> None:
        for case in CASES:
            with self.subTest(case.name):
                _, url = case.make(self)
                data = {**case.patch, "version": 1}
                self.assert_error(self.call("patch", url, self.viewer, data=data), 403)
                self.assert_error(
                    self.call("patch", url, self.outsider, data=data), 404
                )
