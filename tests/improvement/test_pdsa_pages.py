"""The PDSA cycle pages as the editor, the viewer and the outsider."""

from __future__ import annotations

from openqi.improvement.models import PDSACycle
from tests.base import BaseTestCase
from tests.improvement.routes import (
    make_cycle,
    make_diagram,
    make_driver_project,
    make_node,
)


class CyclePageCase(BaseTestCase):
    def setUp(self) -> None:
        self.project = make_driver_project(self.org)
        self.nodes = make_diagram(self.project)
        self.idea = self.nodes["idea"]
        self.base = f"/organisations/northfield/projects/{self.project.pk}/cycles/"

    def url(self, cycle: PDSACycle, action: str = "") -> str:
        return f"{self.base}{cycle.pk}/{action + '/' if action else ''}"

    def plan(self, **extra: object) -> dict[str, object]:
        return {
            "change_idea": self.idea.pk,
            "follow_on": "true",
            "title": "Checklist on nights",
            "plan": "Nights on bay 2 for a week.",
            "prediction": "9 of 10 done within 6 hours.",
            **extra,
        }


class CyclesListTests(CyclePageCase):
    def test_editor_sees_each_ramp_in_order_with_tags(self) -> None:
        first = make_cycle(
            self.idea, title="Bay 2", study="Short.", act="adapt", stage="act"
        )
        make_cycle(self.idea, title="Nights", previous=first, stage="do", do="Ran.")
        untested = make_node(
            self.project, "change_idea", "Night-lights", self.nodes["secondary"]
        )
        self.sign_in(self.editor)
        response = self.client.get(self.base)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertLess(page.index("Bay 2"), page.index("Nights"))
        self.assertIn('nhsuk-tag nhsuk-tag--yellow">Adapt', page)
        self.assertIn('nhsuk-tag nhsuk-tag--blue">Doing', page)
        self.assertIn("openqi-ramp__svg", page)
        self.assertIn("Change ideas not tested yet", page)
        self.assertIn(f"?change_idea={untested.pk}", page)
        self.assertIn("Plan a cycle", page)

    def test_viewer_reads_without_planning_links(self) -> None:
        make_cycle(self.idea, title="Bay 2")
        self.sign_in(self.viewer)
        response = self.client.get(self.base)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("Bay 2", page)
        self.assertNotIn("Plan the next cycle", page)
        self.assertNotIn("cycles/new/", page)

    def test_outsider_gets_404(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(self.base).status_code, 404)


class CycleCreateTests(CyclePageCase):
    def test_editor_plans_a_cycle_following_on_by_default(self) -> None:
        first = make_cycle(self.idea, title="Bay 2")
        self.sign_in(self.editor)
        page = self.client.get(f"{self.base}new/").content.decode()
        self.assertIn("Follow on from the last cycle", page)
        response = self.client.post(f"{self.base}new/", self.plan())
        cycle = PDSACycle.objects.get(title="Checklist on nights")
        self.assertRedirects(response, self.url(cycle))
        self.assertEqual(cycle.previous, first)
        self.assertEqual(cycle.stage, "plan")
        self.assertEqual(cycle.project, self.project)

    def test_without_follow_on_a_new_ramp_starts(self) -> None:
        make_cycle(self.idea, title="Bay 2")
        self.sign_in(self.editor)
        data = self.plan()
        del data["follow_on"]
        self.client.post(f"{self.base}new/", data)
        self.assertIsNone(PDSACycle.objects.get(title="Checklist on nights").previous)

    def test_the_prediction_is_required(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(f"{self.base}new/", self.plan(prediction=""))
        self.assertEqual(response.status_code, 200)
        self.assertIn("Write your prediction", response.content.decode())
        self.assertFalse(PDSACycle.objects.exists())

    def test_only_this_projects_change_ideas_may_be_chosen(self) -> None:
        other = make_diagram(make_driver_project(self.org, title="Other"))["idea"]
        self.sign_in(self.editor)
        response = self.client.post(f"{self.base}new/", self.plan(change_idea=other.pk))
        self.assertEqual(response.status_code, 200)
        self.assertIn("There is a problem", response.content.decode())
        self.assertFalse(PDSACycle.objects.exists())

    def test_after_fills_in_the_idea_and_title(self) -> None:
        first = make_cycle(
            self.idea, title="Bay 2", study="Short.", act="adapt", stage="act"
        )
        self.sign_in(self.editor)
        page = self.client.get(f"{self.base}new/?after={first.pk}").content.decode()
        self.assertIn(f'<option value="{self.idea.pk}" selected', page)
        self.assertIn('value="Bay 2 (cycle 2)"', page)

    def test_a_project_without_change_ideas_says_so(self) -> None:
        project = make_driver_project(self.org, title="Bare")
        self.sign_in(self.editor)
        page = self.client.get(
            f"/organisations/northfield/projects/{project.pk}/cycles/new/"
        ).content.decode()
        self.assertIn("add change ideas to the", page)

    def test_viewer_gets_403_and_outsider_404(self) -> None:
        self.sign_in(self.viewer)
        self.assertEqual(self.client.get(f"{self.base}new/").status_code, 403)
        self.assertEqual(
            self.client.post(f"{self.base}new/", self.plan()).status_code, 403
        )
        self.sign_in(self.outsider)
        self.assertEqual(
            self.client.post(f"{self.base}new/", self.plan()).status_code, 404
        )
        self.assertFalse(PDSACycle.objects.exists())


class CycleDetailTests(CyclePageCase):
    def test_editor_sees_the_steps_and_the_next_one(self) -> None:
        cycle = make_cycle(self.idea, title="Bay 2")
        self.sign_in(self.editor)
        response = self.client.get(self.url(cycle))
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("Cycle 1 on Falls checklist", page)
        self.assertIn("8 of 10 patients will have it done.", page)
        self.assertIn("Record what happened", page)
        self.assertIn(f"{self.url(cycle, 'edit')}?step=do", page)

    def test_adapt_offers_the_next_cycle(self) -> None:
        cycle = make_cycle(self.idea, study="Short.", act="adapt", stage="act")
        self.sign_in(self.editor)
        page = self.client.get(self.url(cycle)).content.decode()
        self.assertIn("Plan the next cycle", page)
        self.assertIn(f"new/?after={cycle.pk}", page)
        make_cycle(self.idea, previous=cycle)
        page = self.client.get(self.url(cycle)).content.decode()
        self.assertNotIn("Plan the next cycle", page)
        self.assertIn("Next cycle:", page)

    def test_viewer_reads_without_actions(self) -> None:
        cycle = make_cycle(self.idea, study="Short.", act="adapt", stage="act")
        self.sign_in(self.viewer)
        response = self.client.get(self.url(cycle))
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertNotIn("Plan the next cycle", page)
        self.assertNotIn("Delete this cycle", page)

    def test_outsider_gets_404(self) -> None:
        cycle = make_cycle(self.idea)
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(self.url(cycle)).status_code, 404)


class CycleEditTests(CyclePageCase):
    def test_the_walk_sets_the_stage_step_by_step(self) -> None:
        cycle = make_cycle(self.idea)
        self.sign_in(self.editor)
        edit = self.url(cycle, "edit")
        page = self.client.get(edit).content.decode()
        self.assertIn("Step 2 of 4: Do", page)
        steps = [
            {"step": "do", "do": "Used for 12 admissions."},
            {"step": "study", "study": "7 of 12: below the prediction."},
            {"step": "act", "act": "adapt", "act_notes": "Shorten it."},
        ]
        for data in steps:
            response = self.client.post(edit, data)
            self.assertRedirects(response, self.url(cycle))
            cycle.refresh_from_db()
            self.assertEqual(cycle.stage, data["step"])
        self.assertEqual(cycle.act, "adapt")

    def test_study_shows_the_prediction(self) -> None:
        cycle = make_cycle(self.idea, do="Ran it.", stage="do")
        self.sign_in(self.editor)
        page = self.client.get(f"{self.url(cycle, 'edit')}?step=study").content.decode()
        self.assertIn("Step 3 of 4: Study", page)
        self.assertIn("8 of 10 patients will have it done.", page)

    def test_deciding_before_studying_is_refused(self) -> None:
        cycle = make_cycle(self.idea)
        self.sign_in(self.editor)
        response = self.client.post(
            self.url(cycle, "edit"), {"step": "act", "act": "adopt"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn(
            "Study the results against the prediction", response.content.decode()
        )
        cycle.refresh_from_db()
        self.assertEqual((cycle.act, cycle.stage), ("", "plan"))

    def test_a_step_needs_its_text(self) -> None:
        cycle = make_cycle(self.idea)
        self.sign_in(self.editor)
        response = self.client.post(self.url(cycle, "edit"), {"step": "do", "do": ""})
        self.assertIn("Say what happened.", response.content.decode())

    def test_an_unknown_step_is_404(self) -> None:
        cycle = make_cycle(self.idea)
        self.sign_in(self.editor)
        self.assertEqual(
            self.client.get(f"{self.url(cycle, 'edit')}?step=dance").status_code, 404
        )

    def test_viewer_gets_403_and_outsider_404(self) -> None:
        cycle = make_cycle(self.idea)
        data = {"step": "do", "do": "Ran."}
        self.sign_in(self.viewer)
        self.assertEqual(
            self.client.post(self.url(cycle, "edit"), data).status_code, 403
        )
        self.sign_in(self.outsider)
        self.assertEqual(
            self.client.post(self.url(cycle, "edit"), data).status_code, 404
        )
        cycle.refresh_from_db()
        self.assertEqual(cycle.do, "")


class CycleDeleteTests(CyclePageCase):
    def test_editor_deletes_and_the_ramp_joins_up(self) -> None:
        first = make_cycle(self.idea)
        second = make_cycle(self.idea, previous=first)
        third = make_cycle(self.idea, previous=second)
        self.sign_in(self.editor)
        response = self.client.post(self.url(second, "delete"))
        self.assertRedirects(response, self.base)
        third.refresh_from_db()
        self.assertEqual(third.previous, first)

    def test_get_is_not_allowed(self) -> None:
        cycle = make_cycle(self.idea)
        self.sign_in(self.editor)
        self.assertEqual(self.client.get(self.url(cycle, "delete")).status_code, 405)

    def test_viewer_gets_403_and_outsider_404(self) -> None:
        cycle = make_cycle(self.idea)
        self.sign_in(self.viewer)
        self.assertEqual(self.client.post(self.url(cycle, "delete")).status_code, 403)
        self.sign_in(self.outsider)
        self.assertEqual(self.client.post(self.url(cycle, "delete")).status_code, 404)
        self.assertTrue(PDSACycle.objects.filter(pk=cycle.pk).exists())
