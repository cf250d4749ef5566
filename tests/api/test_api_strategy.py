"""/organisations/{slug}/priorities, and the OpenAPI document's new paths."""

from __future__ import annotations

from django.urls import reverse

from openqi.audit.models import AuditEvent
from openqi.organisations.models import Role
from openqi.strategy.models import StrategicPriority
from tests.api.base import SESSION, ApiTestCase
from tests.api.routes_strategy_projects_measures import (
    make_measure,
    make_priority,
    make_project,
)
from tests.factories import make_member

#: The paths of priorities, projects, their methods and measures.
WORK_PATHS = {
    "/api/v1/organisations/{slug}/priorities",
    "/api/v1/organisations/{slug}/priorities/{priority_id}",
    "/api/v1/organisations/{slug}/projects",
    "/api/v1/organisations/{slug}/projects/{project_id}",
    "/api/v1/organisations/{slug}/projects/{project_id}/ratings",
    "/api/v1/organisations/{slug}/projects/{project_id}/notes",
    "/api/v1/organisations/{slug}/projects/{project_id}/measures",
    "/api/v1/organisations/{slug}/projects/{project_id}/measures/{measure_id}",
    "/api/v1/organisations/{slug}/projects/{project_id}/driver-nodes",
    "/api/v1/organisations/{slug}/projects/{project_id}/driver-nodes/{node_id}",
    "/api/v1/organisations/{slug}/projects/{project_id}/cycles",
    "/api/v1/organisations/{slug}/projects/{project_id}/cycles/{cycle_id}",
    "/api/v1/organisations/{slug}/measures",
    "/api/v1/organisations/{slug}/measures/{measure_id}",
    "/api/v1/organisations/{slug}/measures/{measure_id}/data-points",
    "/api/v1/organisations/{slug}/measures/{measure_id}/chart",
    "/api/v1/organisations/{slug}/measures/{measure_id}/phase-breaks",
    "/api/v1/organisations/{slug}/measures/{measure_id}/phase-breaks/{break_id}",
    "/api/v1/organisations/{slug}/measures/{measure_id}/annotations",
    "/api/v1/organisations/{slug}/measures/{measure_id}/annotations/{annotation_id}",
}


class PriorityTests(ApiTestCase):
    def setUp(self) -> None:
        self.priorities = reverse("api:priorities", kwargs={"slug": "northfield"})

    def priority_url(self, priority: StrategicPriority) -> str:
        return reverse(
            "api:priority",
            kwargs={"slug": "northfield", "priority_id": priority.pk},
        )

    def test_viewer_lists_priorities_in_order_with_their_projects(self) -> None:
        second = make_priority(self.org, title="Cut waits", position=2)
        first = make_priority(self.org, title="Reduce harm from falls", position=1)
        make_priority(self.other_org, title="Not ours")
        make_project(self.org).priorities.add(first)
        body = self.call("get", self.priorities, self.viewer).json()
        self.assertEqual((body["total"], body["limit"], body["offset"]), (2, 50, 0))
        self.assertEqual([p["id"] for p in body["items"]], [first.pk, second.pk])
        self.assertEqual(body["items"][0]["project_count"], 1)

    def test_pagination(self) -> None:
        for n in range(5):
            make_priority(self.org, title=f"Priority {n}")
        body = self.call(
            "get", self.priorities, self.viewer, data={"limit": 2, "offset": 4}
        ).json()
        self.assertEqual((body["total"], len(body["items"])), (5, 1))

    def test_editor_adds_a_priority_with_a_headline_measure(self) -> None:
        measure = make_measure(self.org)
        data = {
            "title": "Reduce harm from falls",
            "period_start": "2025-04-01",
            "period_end": "2028-03-31",
            "headline_measure_id": measure.pk,
        }
        response = self.call("post", self.priorities, self.editor, data=data)
        self.assertEqual(response.status_code, 201, response.content)
        priority = StrategicPriority.objects.get(title="Reduce harm from falls")
        self.assertEqual(priority.headline_measure, measure)
        self.assertEqual(response.json()["id"], priority.pk)
        self.assertEqual(response.json()["project_count"], 0)

    def test_qi_team_may_change_priorities_but_a_member_may_not(self) -> None:
        qi = make_member(self.org, Role.QI_TEAM)
        member = make_member(self.org, Role.MEMBER)
        data = {"title": "Cut waits", "period_start": "2025-04-01"}
        self.assertEqual(
            self.call("post", self.priorities, qi, data=data).status_code, 201
        )
        body = self.assert_error(
            self.call("post", self.priorities, member, data=data | {"title": "X"}),
            403,
        )
        self.assertIn("QI team", body["error"])

    def test_viewer_cannot_add_and_outsider_gets_404(self) -> None:
        data = {"title": "Cut waits", "period_start": "2025-04-01"}
        self.assert_error(
            self.call("post", self.priorities, self.viewer, data=data), 403
        )
        self.assert_error(
            self.call("post", self.priorities, self.outsider, data=data), 404
        )
        self.assert_error(self.call("get", self.priorities, self.outsider), 404)
        self.assert_error(self.call("get", self.priorities), 401)
        self.assertFalse(StrategicPriority.objects.exists())

    def test_a_period_that_ends_before_it_starts_is_refused(self) -> None:
        data = {
            "title": "Cut waits",
            "period_start": "2025-04-01",
            "period_end": "2024-04-01",
        }
        body = self.assert_error(
            self.call("post", self.priorities, self.editor, data=data), 422
        )
        self.assertEqual([d["field"] for d in body["details"]], ["period_end"])

    def test_a_title_twice_and_a_measure_of_another_organisation_are_refused(
        self,
    ) -> None:
        make_priority(self.org, title="Cut waits")
        theirs = make_measure(self.other_org)
        data = {
            "title": "cut waits",
            "period_start": "2025-04-01",
            "headline_measure_id": theirs.pk,
        }
        body = self.assert_error(
            self.call("post", self.priorities, self.editor, data=data), 422
        )
        self.assertEqual(
            {d["field"] for d in body["details"]}, {"title", "headline_measure_id"}
        )

    def test_a_missing_date_names_the_field(self) -> None:
        body = self.assert_error(
            self.call("post", self.priorities, self.editor, data={"title": "X"}), 422
        )
        self.assertEqual(body["details"][0]["field"], "period_start")

    def test_editor_changes_one_field_and_keeps_the_rest(self) -> None:
        priority = make_priority(self.org, title="Cut waits", description="Old")
        response = self.call(
            "patch",
            self.priority_url(priority),
            self.editor,
            data={"description": "Four hours in the emergency department"},
        )
        self.assertEqual(response.status_code, 200, response.content)
        priority.refresh_from_db()
        self.assertEqual(
            (priority.title, priority.description),
            ("Cut waits", "Four hours in the emergency department"),
        )

    def test_viewer_cannot_change_or_delete(self) -> None:
        priority = make_priority(self.org, title="Cut waits")
        url = self.priority_url(priority)
        self.assert_error(
            self.call("patch", url, self.viewer, data={"title": "X"}), 403
        )
        self.assert_error(self.call("delete", url, self.viewer), 403)
        self.assert_error(self.call("delete", url, self.outsider), 404)
        self.assertTrue(StrategicPriority.objects.filter(pk=priority.pk).exists())

    def test_delete_keeps_the_projects_and_is_audited_via_api(self) -> None:
        priority = make_priority(self.org)
        project = make_project(self.org)
        project.priorities.add(priority)
        response = self.call(
            "delete", self.priority_url(priority), self.editor, via=SESSION
        )
        self.assertEqual(response.status_code, 204)
        self.assertEqual(list(project.priorities.all()), [])
        event = AuditEvent.objects.get(
            model="strategy.StrategicPriority", action="delete"
        )
        self.assertEqual((event.actor, event.via), (self.editor, "api"))

    def test_another_organisations_priority_is_not_found(self) -> None:
        theirs = make_priority(self.other_org)
        url = reverse(
            "api:priority", kwargs={"slug": "northfield", "priority_id": theirs.pk}
        )
        body = self.assert_error(self.call("get", url, self.editor), 404)
        self.assertIn("/priorities", body["error"])


class WorkPathsOpenApiTests(ApiTestCase):
    def test_the_document_lists_every_work_path_with_its_errors(self) -> None:
        document = self.client.get("/api/v1/openapi.json").json()
        self.assertLessEqual(WORK_PATHS, set(document["paths"]))
        for path in WORK_PATHS:
            for method, operation in document["paths"][path].items():
                with self.subTest(f"{method} {path}"):
                    self.assertIn("401", operation["responses"])
                    self.assertIn("404", operation["responses"])
                    if method != "get":
                        self.assertIn("403", operation["responses"])

    def test_bulk_upsert_documents_a_list_body(self) -> None:
        document = self.client.get("/api/v1/openapi.json").json()
        operation = document["paths"][
            "/api/v1/organisations/{slug}/measures/{measure_id}/data-points"
        ]["post"]
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        self.assertEqual(schema["type"], "array")
