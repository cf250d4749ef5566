"""A project's driver diagram and PDSA cycles through the API."""

from __future__ import annotations

from django.urls import reverse

from openqi.audit.models import AuditEvent
from openqi.improvement.models import DriverNode, PDSACycle
from tests.api.base import ApiTestCase
from tests.api.routes_strategy_projects_measures import (
    make_cycle,
    make_project,
    make_tree,
)


class DriverNodeTests(ApiTestCase):
    def setUp(self) -> None:
        self.project = make_project(self.org)
        self.tree = make_tree(self.project)
        self.nodes = reverse(
            "api:driver-nodes",
            kwargs={"slug": "northfield", "project_id": self.project.pk},
        )

    def node_url(self, node: DriverNode) -> str:
        return reverse(
            "api:driver-node",
            kwargs={
                "slug": "northfield",
                "project_id": self.project.pk,
                "node_id": node.pk,
            },
        )

    def test_viewer_reads_the_diagram_as_a_tree_under_the_aim(self) -> None:
        body = self.call("get", self.nodes, self.viewer).json()
        self.assertEqual(body["aim"], self.project.aim_statement())
        self.assertEqual(body["total"], 3)
        [primary] = body["nodes"]
        [secondary] = primary["children"]
        [idea] = secondary["children"]
        self.assertEqual(
            [(n["kind"], n["text"]) for n in (primary, secondary, idea)],
            [
                ("primary", "Safe toileting at night"),
                ("secondary", "Regular rounding"),
                ("change_idea", "Hourly rounds"),
            ],
        )
        self.assertEqual(idea["parent_id"], self.tree["secondary"].pk)

    def test_editor_adds_nodes_last_among_their_siblings(self) -> None:
        response = self.call(
            "post",
            self.nodes,
            self.editor,
            data={
                "kind": "change_idea",
                "text": "Bedside commodes",
                "parent_id": self.tree["secondary"].pk,
            },
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["position"], 1)
        node = DriverNode.objects.get(text="Bedside commodes")
        self.assertEqual(node.parent, self.tree["secondary"])

    def test_a_node_where_its_kind_cannot_sit_is_refused(self) -> None:
        for data in (
            {"kind": "secondary", "text": "Loose"},
            {"kind": "primary", "text": "Deep", "parent_id": self.tree["idea"].pk},
        ):
            with self.subTest(data):
                body = self.assert_error(
                    self.call("post", self.nodes, self.editor, data=data), 422
                )
                self.assertEqual(body["details"][0]["field"], "parent_id")
        self.assertEqual(self.project.driver_nodes.count(), 3)

    def test_a_parent_from_another_project_is_refused(self) -> None:
        other = make_tree(make_project(self.org))
        data = {"kind": "secondary", "text": "X", "parent_id": other["primary"].pk}
        body = self.assert_error(
            self.call("post", self.nodes, self.editor, data=data), 422
        )
        self.assertEqual(body["details"][0]["field"], "parent_id")

    def test_editor_rewords_and_moves_a_node(self) -> None:
        other = DriverNode.objects.create(
            project=self.project,
            parent=self.tree["primary"],
            kind="secondary",
            text="Toilet access",
        )
        response = self.call(
            "patch",
            self.node_url(self.tree["idea"]),
            self.editor,
            data={"text": "Rounds every hour", "parent_id": other.pk},
        )
        self.assertEqual(response.status_code, 200, response.content)
        idea = DriverNode.objects.get(pk=self.tree["idea"].pk)
        self.assertEqual((idea.text, idea.parent), ("Rounds every hour", other))

    def test_a_move_that_breaks_the_diagram_is_refused(self) -> None:
        response = self.call(
            "patch",
            self.node_url(self.tree["secondary"]),
            self.editor,
            data={"parent_id": None},
        )
        body = self.assert_error(response, 422)
        self.assertEqual(body["details"][0]["field"], "parent_id")
        self.tree["secondary"].refresh_from_db()
        self.assertEqual(self.tree["secondary"].parent, self.tree["primary"])

    def test_deleting_a_driver_deletes_what_is_under_it(self) -> None:
        make_cycle(self.tree["idea"])
        response = self.call("delete", self.node_url(self.tree["primary"]), self.editor)
        self.assertEqual(response.status_code, 204)
        self.assertFalse(self.project.driver_nodes.exists())
        self.assertFalse(PDSACycle.objects.exists())

    def test_viewer_and_outsider_cannot_change_the_diagram(self) -> None:
        url = self.node_url(self.tree["idea"])
        self.assert_error(self.call("patch", url, self.viewer, data={"text": "X"}), 403)
        self.assert_error(self.call("delete", url, self.viewer), 403)
        self.assert_error(self.call("delete", url, self.outsider), 404)
        self.assert_error(self.call("get", self.nodes, self.outsider), 404)
        self.assert_error(
            self.call(
                "post", self.nodes, self.viewer, data={"kind": "primary", "text": "X"}
            ),
            403,
        )
        self.assertEqual(self.project.driver_nodes.count(), 3)


class CycleTests(ApiTestCase):
    def setUp(self) -> None:
        self.project = make_project(self.org)
        self.idea = make_tree(self.project)["idea"]
        self.cycles = reverse(
            "api:cycles", kwargs={"slug": "northfield", "project_id": self.project.pk}
        )

    def cycle_url(self, cycle: PDSACycle) -> str:
        return reverse(
            "api:cycle",
            kwargs={
                "slug": "northfield",
                "project_id": self.project.pk,
                "cycle_id": cycle.pk,
            },
        )

    def plan(self, **fields: object) -> dict[str, object]:
        return {
            "change_idea_id": self.idea.pk,
            "title": "Rounds on bay B",
            "plan": "Hourly rounds on bay B for a week.",
            "prediction": "One fall at most.",
            **fields,
        }

    def test_a_new_cycle_follows_on_from_the_ramp(self) -> None:
        first = make_cycle(self.idea)
        response = self.call("post", self.cycles, self.editor, data=self.plan())
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual((body["previous_id"], body["stage"]), (first.pk, "plan"))
        first_again = self.call("get", self.cycle_url(first), self.viewer).json()
        self.assertEqual(first_again["next_id"], body["id"])

    def test_a_cycle_may_start_a_ramp_of_its_own(self) -> None:
        make_cycle(self.idea)
        body = self.call(
            "post", self.cycles, self.editor, data=self.plan(follow_on=False)
        ).json()
        self.assertIsNone(body["previous_id"])

    def test_a_cycle_tests_a_change_idea_of_this_project(self) -> None:
        primary = self.idea.parent.parent
        other_idea = make_tree(make_project(self.org))["idea"]
        for idea in (primary, other_idea):
            with self.subTest(idea.text):
                body = self.assert_error(
                    self.call(
                        "post",
                        self.cycles,
                        self.editor,
                        data=self.plan(change_idea_id=idea.pk),
                    ),
                    422,
                )
                self.assertEqual(body["details"][0]["field"], "change_idea_id")
        self.assertFalse(PDSACycle.objects.exists())

    def test_a_plan_needs_a_prediction(self) -> None:
        body = self.assert_error(
            self.call("post", self.cycles, self.editor, data=self.plan(prediction="")),
            422,
        )
        self.assertEqual(body["details"][0]["field"], "prediction")

    def test_recording_do_study_and_act_moves_the_stage_on(self) -> None:
        cycle = make_cycle(self.idea)
        url = self.cycle_url(cycle)
        body = self.call(
            "patch", url, self.editor, data={"do": "Ran seven nights."}
        ).json()
        self.assertEqual(body["stage"], "do")
        body = self.call(
            "patch",
            url,
            self.editor,
            data={
                "study": "No falls, as predicted.",
                "act": "adopt",
                "act_notes": "Roll out to bay C.",
                "end_date": "2025-06-08",
            },
        ).json()
        self.assertEqual((body["stage"], body["act"]), ("act", "adopt"))
        self.assertEqual(body["end_date"], "2025-06-08")

    def test_deciding_before_studying_is_refused_naming_study(self) -> None:
        cycle = make_cycle(self.idea)
        body = self.assert_error(
            self.call(
                "patch", self.cycle_url(cycle), self.editor, data={"act": "adopt"}
            ),
            422,
        )
        self.assertEqual(body["details"][0]["field"], "study")
        cycle.refresh_from_db()
        self.assertEqual((cycle.act, cycle.stage), ("", "plan"))

    def test_list_gives_one_ideas_ramp(self) -> None:
        first = make_cycle(self.idea)
        second = make_cycle(self.idea, previous=first)
        other_idea = make_tree(self.project)["idea"]
        make_cycle(other_idea)
        body = self.call(
            "get", self.cycles, self.viewer, data={"change_idea_id": self.idea.pk}
        ).json()
        self.assertEqual([c["id"] for c in body["items"]], [first.pk, second.pk])
        self.assertEqual(self.call("get", self.cycles, self.viewer).json()["total"], 3)

    def test_deleting_a_cycle_joins_the_ramp_up(self) -> None:
        first = make_cycle(self.idea)
        second = make_cycle(self.idea, previous=first)
        third = make_cycle(self.idea, previous=second)
        response = self.call("delete", self.cycle_url(second), self.editor)
        self.assertEqual(response.status_code, 204)
        third.refresh_from_db()
        self.assertEqual(third.previous, first)
        event = AuditEvent.objects.filter(
            model="improvement.PDSACycle", action="delete"
        )
        self.assertEqual(event.get().via, "api")

    def test_viewer_and_outsider_cannot_change_cycles(self) -> None:
        cycle = make_cycle(self.idea)
        url = self.cycle_url(cycle)
        self.assert_error(self.call("patch", url, self.viewer, data={"do": "X"}), 403)
        self.assert_error(self.call("delete", url, self.viewer), 403)
        self.assert_error(self.call("get", url, self.outsider), 404)
        self.assert_error(
            self.call("post", self.cycles, self.viewer, data=self.plan()), 403
        )
        self.assertEqual(PDSACycle.objects.get().do, "")
