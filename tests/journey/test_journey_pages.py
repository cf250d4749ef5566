"""The journey pages as the editor, a QI team member, a project lead, the viewer
and the outsider."""

from __future__ import annotations

import datetime

from django.utils import timezone

from openqi.journey.models import Evidence, JourneyStep, Milestone
from openqi.organisations.models import Role
from tests.base import BaseTestCase
from tests.factories import make_member
from tests.journey.helpers import make_evidence, make_milestone, step

BASE = "/organisations/northfield/journey/"


class OverviewTests(BaseTestCase):
    def test_editor_sees_six_steps_created_on_first_view(self) -> None:
        self.sign_in(self.editor)
        response = self.client.get(BASE)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        for name in ("Assessing readiness", "Securing board support", "Sustaining"):
            self.assertIn(name, page)
        self.assertEqual(JourneyStep.objects.for_organisation(self.org).count(), 6)
        self.assertIn("Step 1, ", page)
        self.assertIn("Still missing before step 2, Securing board support", page)
        self.assertIn("No assessment round has closed yet.", page)
        self.assertIn("No capability targets are set yet", page)

    def test_overdue_milestones_are_highlighted(self) -> None:
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        make_milestone(self.org, title="Board session held", due_on=yesterday)
        self.sign_in(self.viewer)
        page = self.client.get(BASE).content.decode()
        self.assertIn("Board session held", page)
        self.assertIn("Overdue", page)

    def test_current_step_moves_when_step_one_is_established(self) -> None:
        first = step(self.org)
        first.status = JourneyStep.Status.ESTABLISHED
        first.save()
        self.sign_in(self.viewer)
        page = self.client.get(BASE).content.decode()
        self.assertIn("Step 2, ", page)
        self.assertIn("before step 3, Buy-in and a vision", page)

    def test_viewer_reads_without_change_links(self) -> None:
        make_milestone(self.org)
        self.sign_in(self.viewer)
        response = self.client.get(BASE)
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("/journey/milestones/", response.content.decode())

    def test_outsider_gets_404(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(BASE).status_code, 404)


class StepTests(BaseTestCase):
    url = BASE + "steps/2/"

    def test_editor_sees_the_step_form_and_evidence(self) -> None:
        make_evidence(self.org, 2, title="Board minutes, June")
        self.sign_in(self.editor)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("Securing board support", page)
        self.assertIn("Board minutes, June", page)
        self.assertIn("Move this step to in progress", page)
        self.assertIn('name="notes"', page)

    def test_editor_changes_status_and_notes_only(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(
            self.url, {"status": "established", "notes": "Board owns the strategy."}
        )
        self.assertRedirects(response, self.url)
        saved = step(self.org, 2)
        self.assertEqual(saved.status, JourneyStep.Status.ESTABLISHED)
        self.assertEqual(saved.notes, "Board owns the strategy.")
        self.assertFalse(Evidence.objects.exists())
        self.assertFalse(Milestone.objects.exists())

    def test_bad_status_reshows_with_an_error_and_changes_nothing(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(self.url, {"status": "finished", "notes": "x"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("There is a problem", response.content.decode())
        self.assertEqual(step(self.org, 2).status, JourneyStep.Status.NOT_STARTED)

    def test_qi_team_member_may_change_the_step(self) -> None:
        self.sign_in(make_member(self.org, Role.QI_TEAM))
        response = self.client.post(self.url, {"status": "in_progress", "notes": ""})
        self.assertEqual(response.status_code, 302)

    def test_project_lead_reads_but_may_not_change_it(self) -> None:
        self.sign_in(make_member(self.org, Role.PROJECT_LEAD))
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertNotIn('name="notes"', response.content.decode())
        response = self.client.post(self.url, {"status": "in_progress", "notes": ""})
        self.assertEqual(response.status_code, 403)

    def test_viewer_reads_and_may_not_change_it(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("Move this step", response.content.decode())
        response = self.client.post(self.url, {"status": "in_progress", "notes": ""})
        self.assertEqual(response.status_code, 403)

    def test_outsider_gets_404(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(self.client.post(self.url, {}).status_code, 404)

    def test_no_step_seven(self) -> None:
        self.sign_in(self.editor)
        self.assertEqual(self.client.get(BASE + "steps/7/").status_code, 404)


class AdvanceTests(BaseTestCase):
    url = BASE + "steps/2/advance/"

    def test_editor_moves_the_step_forward_and_sees_the_evidence(self) -> None:
        make_evidence(self.org, 2, title="Board minutes, June")
        self.sign_in(self.editor)
        response = self.client.post(self.url, follow=True)
        self.assertRedirects(response, BASE + "steps/2/")
        self.assertEqual(step(self.org, 2).status, JourneyStep.Status.IN_PROGRESS)
        self.assertIn(
            "Step 2 is now in progress. Evidence: Board minutes, June.",
            response.content.decode(),
        )
        self.client.post(self.url)
        self.assertEqual(step(self.org, 2).status, JourneyStep.Status.ESTABLISHED)

    def test_an_established_step_stays_established(self) -> None:
        established = step(self.org, 2)
        established.status = JourneyStep.Status.ESTABLISHED
        established.save()
        self.sign_in(self.editor)
        response = self.client.post(self.url, follow=True)
        self.assertIn("already established", response.content.decode())

    def test_get_is_not_allowed(self) -> None:
        self.sign_in(self.editor)
        self.assertEqual(self.client.get(self.url).status_code, 405)

    def test_viewer_gets_403_and_outsider_404(self) -> None:
        self.sign_in(self.viewer)
        self.assertEqual(self.client.post(self.url).status_code, 403)
        self.sign_in(self.outsider)
        self.assertEqual(self.client.post(self.url).status_code, 404)
        self.assertEqual(step(self.org, 2).status, JourneyStep.Status.NOT_STARTED)


class MilestoneTests(BaseTestCase):
    add_url = BASE + "steps/1/milestones/new/"

    def data(self, **overrides: str) -> dict[str, str]:
        data = {
            "title": "Readiness survey sent to every ward",
            "due_on_day": "30",
            "due_on_month": "9",
            "due_on_year": "2025",
            "done_on_day": "",
            "done_on_month": "",
            "done_on_year": "",
        }
        data.update(overrides)
        return data

    def test_editor_adds_a_milestone(self) -> None:
        self.sign_in(self.editor)
        self.assertEqual(self.client.get(self.add_url).status_code, 200)
        response = self.client.post(self.add_url, self.data())
        self.assertRedirects(response, BASE + "steps/1/")
        milestone = Milestone.objects.get()
        self.assertEqual(milestone.due_on, datetime.date(2025, 9, 30))
        self.assertEqual(milestone.step.number, 1)

    def test_bad_date_reshows_with_an_error(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(self.add_url, self.data(due_on_month="13"))
        self.assertEqual(response.status_code, 200)
        self.assertIn("Enter a real date", response.content.decode())
        self.assertFalse(Milestone.objects.exists())

    def test_editor_marks_a_milestone_done_and_deletes_it(self) -> None:
        milestone = make_milestone(self.org)
        url = BASE + f"milestones/{milestone.pk}/"
        self.sign_in(self.editor)
        self.assertIn(milestone.title, self.client.get(url).content.decode())
        response = self.client.post(
            url,
            self.data(done_on_day="1", done_on_month="9", done_on_year="2025"),
        )
        self.assertRedirects(response, BASE + "steps/1/")
        milestone.refresh_from_db()
        self.assertEqual(milestone.done_on, datetime.date(2025, 9, 1))
        response = self.client.post(url + "delete/")
        self.assertRedirects(response, BASE + "steps/1/")
        self.assertFalse(Milestone.objects.exists())

    def test_viewer_gets_403(self) -> None:
        milestone = make_milestone(self.org)
        self.sign_in(self.viewer)
        self.assertEqual(self.client.get(self.add_url).status_code, 403)
        url = BASE + f"milestones/{milestone.pk}/"
        self.assertEqual(self.client.post(url, self.data()).status_code, 403)
        self.assertEqual(self.client.post(url + "delete/").status_code, 403)
        self.assertTrue(Milestone.objects.exists())

    def test_outsider_gets_404_even_for_their_own_organisations_url(self) -> None:
        milestone = make_milestone(self.org)
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(self.add_url).status_code, 404)
        url = f"/organisations/southmere/journey/milestones/{milestone.pk}/"
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.post(url + "delete/").status_code, 404)
        self.assertTrue(Milestone.objects.exists())


class EvidenceTests(BaseTestCase):
    add_url = BASE + "steps/2/evidence/new/"

    def test_editor_adds_evidence_by_hand(self) -> None:
        self.sign_in(self.editor)
        self.assertEqual(self.client.get(self.add_url).status_code, 200)
        response = self.client.post(
            self.add_url,
            {
                "title": "Board minutes approving the QI strategy",
                "description": "Approved unanimously.",
                "link": "https://intranet.example.org/board/2025-06",
            },
        )
        self.assertRedirects(response, BASE + "steps/2/")
        evidence = Evidence.objects.get()
        self.assertEqual(evidence.added_by, self.editor)
        self.assertEqual(evidence.added_on, timezone.localdate())

    def test_a_bad_link_reshows_with_an_error(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(
            self.add_url, {"title": "Minutes", "description": "", "link": "not a link"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("There is a problem", response.content.decode())
        self.assertFalse(Evidence.objects.exists())

    def test_editor_deletes_evidence(self) -> None:
        evidence = make_evidence(self.org, 2)
        self.sign_in(self.editor)
        response = self.client.post(BASE + f"evidence/{evidence.pk}/delete/")
        self.assertRedirects(response, BASE + "steps/2/")
        self.assertFalse(Evidence.objects.exists())

    def test_viewer_gets_403_and_outsider_404(self) -> None:
        evidence = make_evidence(self.org, 2)
        delete = BASE + f"evidence/{evidence.pk}/delete/"
        self.sign_in(self.viewer)
        self.assertEqual(self.client.get(self.add_url).status_code, 403)
        self.assertEqual(self.client.post(delete).status_code, 403)
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(self.add_url).status_code, 404)
        self.assertEqual(self.client.post(delete).status_code, 404)
        self.assertTrue(Evidence.objects.exists())
