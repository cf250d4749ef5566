"""The one deletion rule on every delete route, page and API (docs/api.md, "Deleting"):
you may delete a record if you may change it; a record with history also needs an
administrator or the QI team.

Each route is tried by every role on a record with history and one without.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from openqi.journey.models import Milestone
from openqi.measures.models import Annotation, PhaseBreak
from openqi.organisations.models import Role
from openqi.projects.models import ProjectNote
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
from tests.factories import make_member, make_unit

SLUG = "northfield"

#: Who may change (and so delete) each kind of record.
EDITORS, QI, ADMINS, PROJECT = "editors", "qi", "admins", "project"


@dataclass(frozen=True)
class Route:
    name: str
    who: str
    #: (the record, page URL or None, API URL or None) for the test ``t``
    make: Callable[[Any, bool], tuple[Any, str | None, str | None]]
    has_history_case: bool = True


def _project(t: Any, history: bool) -> Any:
    project = make_project(t.org, lead=t.lead)
    if history:
        ProjectNote.objects.create(project=project, author=t.lead, text="Started.")
    return (
        project,
        reverse("projects:delete", kwargs={"slug": SLUG, "pk": project.pk}),
        reverse("api:project", kwargs={"slug": SLUG, "project_id": project.pk}),
    )


def _node(t: Any, history: bool) -> Any:
    tree = make_tree(make_project(t.org))
    if history:
        make_cycle(tree["idea"])
    node = tree["primary"]
    ids = {"slug": SLUG, "pk": node.project_id, "node_pk": node.pk}
    api = {"slug": SLUG, "project_id": node.project_id, "node_id": node.pk}
    return (
        node,
        reverse("improvement:driver_delete", kwargs=ids),
        reverse("api:driver-node", kwargs=api),
    )


def _cycle(t: Any, history: bool) -> Any:
    idea = make_tree(make_project(t.org))["idea"]
    cycle = make_cycle(idea, do="Ran it on bay A." if history else "")
    ids = {"slug": SLUG, "pk": cycle.project_id, "cycle_pk": cycle.pk}
    api = {"slug": SLUG, "project_id": cycle.project_id, "cycle_id": cycle.pk}
    return (
        cycle,
        reverse("improvement:cycle_delete", kwargs=ids),
        reverse("api:cycle", kwargs=api),
    )


def _point(t: Any, history: bool) -> Any:
    measure = make_measure(t.org)
    point = add_points(measure, [4.0])[0]
    if history:
        point.note = "Corrected from the ward's log."
        point.save()
    ids = {"slug": SLUG, "pk": measure.pk, "point": point.pk}
    return point, reverse("measures:point_delete", kwargs=ids), None


def _phase_break(t: Any, history: bool) -> Any:
    measure = make_measure(t.org)
    period = datetime.date(2024, 1, 1)
    phase_break = PhaseBreak.objects.create(
        measure=measure, period=period, reason="New rota"
    )
    if history:
        add_points(measure, [2.0], start=period)
    page = {"slug": SLUG, "pk": measure.pk, "item": phase_break.pk}
    api = {"slug": SLUG, "measure_id": measure.pk, "break_id": phase_break.pk}
    return (
        phase_break,
        reverse("measures:phase_remove", kwargs=page),
        reverse("api:phase-break", kwargs=api),
    )


def _annotation(t: Any, history: bool) -> Any:
    measure = make_measure(t.org)
    annotation = Annotation.objects.create(
        measure=measure, period=datetime.date(2024, 1, 1), text="Triage started"
    )
    page = {"slug": SLUG, "pk": measure.pk, "item": annotation.pk}
    api = {"slug": SLUG, "measure_id": measure.pk, "annotation_id": annotation.pk}
    return (
        annotation,
        reverse("measures:annotation_remove", kwargs=page),
        reverse("api:annotation", kwargs=api),
    )


def _barrier(t: Any, history: bool) -> Any:
    barrier = make_barrier(t.org, status="in_progress" if history else "open")
    return (
        barrier,
        reverse("barriers:delete", kwargs={"slug": SLUG, "pk": barrier.pk}),
        reverse("api:barrier", kwargs={"slug": SLUG, "barrier_id": barrier.pk}),
    )


def _action(t: Any, history: bool) -> Any:
    action = make_action(t.org, status="done" if history else "open")
    return (
        action,
        reverse("assessments:action_delete", kwargs={"slug": SLUG, "pk": action.pk}),
        reverse("api:action", kwargs={"slug": SLUG, "action_id": action.pk}),
    )


def _milestone(t: Any, history: bool) -> Any:
    milestone = Milestone.objects.create(
        step=make_step(t.org, 1),
        title="Board signs off",
        done_on=datetime.date(2026, 1, 5) if history else None,
    )
    api = {"slug": SLUG, "number": 1, "milestone_id": milestone.pk}
    return (
        milestone,
        reverse("journey:milestone_delete", kwargs={"slug": SLUG, "pk": milestone.pk}),
        reverse("api:journey-milestone", kwargs=api),
    )


def _unit(t: Any, history: bool) -> Any:
    t.units_made = getattr(t, "units_made", 0) + 1
    unit = make_unit(t.org, name=f"Ward {t.units_made}", parent=t.directorate)
    if history:
        make_project(t.org, unit=unit)
    return (
        unit,
        reverse("organisations:unit_delete", kwargs={"slug": SLUG, "pk": unit.pk}),
        reverse("api:unit", kwargs={"slug": SLUG, "unit_id": unit.pk}),
    )


def _priority(t: Any, history: bool) -> Any:
    priority = make_priority(t.org)
    if history:
        make_project(t.org).priorities.add(priority)
    return (
        priority,
        reverse("strategy:priority_delete", kwargs={"slug": SLUG, "pk": priority.pk}),
        reverse("api:priority", kwargs={"slug": SLUG, "priority_id": priority.pk}),
    )


ROUTES = [
    Route("project", PROJECT, _project),
    Route("driver diagram node", EDITORS, _node),
    Route("PDSA cycle", EDITORS, _cycle),
    Route("data point", EDITORS, _point),
    Route("phase break", EDITORS, _phase_break),
    Route("annotation", EDITORS, _annotation, has_history_case=False),
    Route("barrier", QI, _barrier),
    Route("action", QI, _action),
    Route("milestone", QI, _milestone),
    Route("unit", ADMINS, _unit),
    Route("priority", QI, _priority),
]

ROLES = ("admin", "qi_team", "project_lead", "member", "viewer", "outsider")


def expected(who: str, role: str, *, has_history: bool) -> int:
    """What the rule answers: 0 for deleted, else the status (403 or 404)."""
    if role == "outsider":
        return 404
    if role == "viewer":
        return 403
    may_change = {
        EDITORS: True,
        QI: role in ("admin", "qi_team"),
        ADMINS: role == "admin",
        # The project's lead is the cast's project lead, not the member.
        PROJECT: role != "member",
    }[who]
    if not may_change:
        return 403
    if has_history and role not in ("admin", "qi_team"):
        return 403
    return 0


class DeleteRuleTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.qi = make_member(cls.org, Role.QI_TEAM, full_name="Quinn QI")
        cls.lead = make_member(cls.org, Role.PROJECT_LEAD, full_name="Lee Lead")
        cls.member = make_member(cls.org, Role.MEMBER, full_name="Mo Member")

    def _user(self, role: str) -> Any:
        return {
            "admin": self.editor,
            "qi_team": self.qi,
            "project_lead": self.lead,
            "member": self.member,
            "viewer": self.viewer,
            "outsider": self.outsider,
        }[role]

    def _cases(self) -> Any:
        for route in ROUTES:
            for has_history in (False, True) if route.has_history_case else (False,):
                for role in ROLES:
                    yield route, has_history, role

    def test_every_delete_page_follows_the_rule_for_every_role(self) -> None:
        for route, has_history, role in self._cases():
            record, page, _ = route.make(self, has_history)
            if page is None:
                continue
            with self.subTest(route.name, history=has_history, role=role):
                self.client.force_login(self._user(role))
                response = self.client.post(page)
                status = expected(route.who, role, has_history=has_history)
                self.assertEqual(response.status_code, status or 302)
                still_there = type(record)._base_manager.filter(pk=record.pk).exists()
                self.assertEqual(still_there, bool(status))

    def test_every_delete_operation_follows_the_rule_for_every_role(self) -> None:
        for route, has_history, role in self._cases():
            record, _, api = route.make(self, has_history)
            if api is None:
                continue
            with self.subTest(route.name, history=has_history, role=role):
                response = self.call("delete", api, self._user(role))
                status = expected(route.who, role, has_history=has_history)
                if status:
                    self.assert_error(response, status)
                else:
                    self.assertEqual(response.status_code, 204, response.content)
                still_there = type(record)._base_manager.filter(pk=record.pk).exists()
                self.assertEqual(still_there, bool(status))

    def test_a_refusal_for_history_says_who_may_delete(self) -> None:
        _, _, api = _cycle(self, True)
        body = self.assert_error(self.call("delete", api, self.member), 403)
        self.assertIn("administrator or the QI team", body["error"])

    def test_delete_confirmations_say_who_may_delete(self) -> None:
        project, page, _ = _project(self, False)
        self.client.force_login(self.editor)
        self.assertContains(
            self.client.get(page), "only an administrator or the QI team may"
        )
        ids = {"slug": SLUG, "pk": project.pk}
        node = make_tree(project)["primary"]
        drivers = reverse(
            "improvement:driver_delete", kwargs={**ids, "node_pk": node.pk}
        )
        self.assertContains(
            self.client.get(drivers), "once it or anything under it has PDSA cycles"
        )
