"""/organisations/{slug}/barriers: the barrier log."""

from __future__ import annotations

import datetime

from django.urls import reverse

from openqi.barriers.models import Barrier
from openqi.organisations.models import Role
from tests.api.base import ApiTestCase
from tests.api.routes_assessments_journey_barriers import make_barrier
from tests.api.routes_strategy_projects_measures import make_project
from tests.factories import make_member


def _url(name: str, **kwargs: object) -> str:
    return reverse(name, kwargs={"slug": "northfield", **kwargs})


class BarrierTests(ApiTestCase):
    def test_a_member_logs_a_barrier_that_holds_up_a_project(self) -> None:
        member = make_member(self.org, Role.MEMBER)
        project = make_project(self.org)
        response = self.call(
            "post",
            _url("api:barriers"),
            member,
            data={
                "category": "resources",
                "title": "No protected time to test changes",
                "severity": "high",
                "unit_id": self.team.pk,
                "owner_id": self.editor.pk,
                "project_ids": [project.pk],
            },
        )
        self.assertEqual(response.status_code, 201, response.content)
        barrier = Barrier.objects.get()
        self.assertEqual(
            (barrier.organisation, barrier.status, barrier.unit),
            (self.org, "open", self.team),
        )
        self.assertEqual(list(barrier.projects.all()), [project])
        body = response.json()
        self.assertEqual(body["project_ids"], [project.pk])
        self.assertEqual(body["raised_on"], datetime.date.today().isoformat())
        self.assertTrue(body["is_open"])

    def test_list_filters_by_category_status_and_openness(self) -> None:
        old = make_barrier(
            self.org, category="timing", raised_on=datetime.date(2025, 1, 6)
        )
        make_barrier(
            self.org,
            category="culture",
            status="resolved",
            resolved_on=datetime.date(2025, 6, 1),
            resolution="Weekly huddles started.",
        )
        make_barrier(self.other_org, category="timing")
        url = _url("api:barriers")
        body = self.call("get", url, self.viewer, data={"category": "timing"}).json()
        self.assertEqual([b["id"] for b in body["items"]], [old.pk])
        self.assertGreater(body["items"][0]["age_days"], 300)
        self.assertEqual(
            self.call("get", url, self.viewer, data={"is_open": "false"}).json()[
                "total"
            ],
            1,
        )
        self.assertEqual(
            self.call("get", url, self.viewer, data={"status": "resolved"}).json()[
                "total"
            ],
            1,
        )
        self.assert_error(
            self.call("get", url, self.viewer, data={"category": "weather"}), 422
        )

    def test_resolving_needs_a_date_and_a_sentence(self) -> None:
        barrier = make_barrier(self.org)
        url = _url("api:barrier", barrier_id=barrier.pk)
        body = self.assert_error(
            self.call("patch", url, self.editor, data={"status": "resolved"}), 422
        )
        self.assertEqual(
            {d["field"] for d in body["details"]}, {"resolved_on", "resolution"}
        )
        response = self.call(
            "patch",
            url,
            self.editor,
            data={
                "status": "resolved",
                "resolved_on": "2026-02-01",
                "resolution": "Job plans now hold two hours a week.",
            },
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertFalse(response.json()["is_open"])
        barrier.refresh_from_db()
        self.assertEqual(barrier.category, "resources", "the rest is kept")

    def test_escalate_to_the_board_and_the_viewer_cannot(self) -> None:
        barrier = make_barrier(self.org)
        url = _url("api:barrier", barrier_id=barrier.pk)
        self.assert_error(
            self.call("patch", url, self.viewer, data={"escalate_to_board": True}), 403
        )
        body = self.call(
            "patch", url, self.editor, data={"escalate_to_board": True}
        ).json()
        self.assertTrue(body["escalate_to_board"])

    def test_a_project_or_unit_of_another_organisation_is_refused(self) -> None:
        theirs = make_project(self.other_org)
        body = self.assert_error(
            self.call(
                "post",
                _url("api:barriers"),
                self.editor,
                data={
                    "category": "focus",
                    "title": "Too many priorities",
                    "project_ids": [theirs.pk],
                },
            ),
            422,
        )
        self.assertEqual(body["details"][0]["field"], "project_ids")

    def test_only_the_qi_team_and_administrators_delete(self) -> None:
        barrier = make_barrier(self.org)
        url = _url("api:barrier", barrier_id=barrier.pk)
        member = make_member(self.org, Role.MEMBER)
        self.assert_error(self.call("delete", url, member), 403)
        self.assert_error(self.call("delete", url, self.outsider), 404)
        self.assertEqual(self.call("delete", url, self.editor).status_code, 204)
        self.assertFalse(Barrier.objects.exists())
