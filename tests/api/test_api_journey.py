"""/organisations/{slug}/journey: the six steps, milestones and evidence."""

from __future__ import annotations

import datetime

from django.urls import reverse

from openqi.assessments.models import AssessmentRound
from openqi.journey.models import Evidence, JourneyStep, Milestone
from openqi.organisations.models import Role
from tests.api.base import SESSION, ApiTestCase
from tests.api.routes_assessments_journey_barriers import make_round, make_step
from tests.factories import make_member


def _url(name: str, **kwargs: object) -> str:
    return reverse(name, kwargs={"slug": "northfield", **kwargs})


class JourneyTests(ApiTestCase):
    def test_viewer_reads_six_steps_made_on_first_use(self) -> None:
        body = self.call("get", _url("api:journey"), self.viewer).json()
        self.assertEqual([s["number"] for s in body["steps"]], [1, 2, 3, 4, 5, 6])
        self.assertEqual(body["steps"][0]["name"], "Assessing readiness")
        self.assertEqual({s["status"] for s in body["steps"]}, {"not_started"})
        self.assertEqual(body["current_step"], 1)
        self.assertTrue(body["missing_for_next"])
        self.assertEqual(JourneyStep.objects.for_organisation(self.org).count(), 6)
        self.assertFalse(JourneyStep.objects.for_organisation(self.other_org).exists())

    def test_automatic_evidence_sees_a_readiness_round_closed_this_year(self) -> None:
        make_round(
            self.org,
            title="Readiness 2026",
            status=AssessmentRound.Status.CLOSED,
            closed_on=datetime.date.today() - datetime.timedelta(days=30),
        )
        body = self.call("get", _url("api:journey-step", number=1), self.viewer).json()
        readiness = body["automatic_evidence"][0]
        self.assertTrue(readiness["is_met"])
        self.assertIn("Readiness 2026", readiness["sentence"])

    def test_editor_moves_a_step_forward_and_the_current_step_follows(self) -> None:
        url = _url("api:journey-step", number=1)
        response = self.call(
            "patch",
            url,
            self.editor,
            data={"status": "established", "notes": "Round closed in March."},
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["status"], "established")
        step = JourneyStep.objects.get(organisation=self.org, number=1)
        self.assertEqual(step.notes, "Round closed in March.")
        body = self.call("get", _url("api:journey"), self.editor, via=SESSION).json()
        self.assertEqual(body["current_step"], 2)

    def test_a_bad_status_and_a_step_seven_are_refused(self) -> None:
        url = _url("api:journey-step", number=1)
        self.assert_error(
            self.call("patch", url, self.editor, data={"status": "finished"}), 422
        )
        self.assert_error(
            self.call("get", _url("api:journey-step", number=7), self.editor), 404
        )

    def test_only_the_qi_team_and_administrators_change_it(self) -> None:
        url = _url("api:journey-step", number=2)
        lead = make_member(self.org, Role.PROJECT_LEAD)
        qi = make_member(self.org, Role.QI_TEAM)
        for user in (self.viewer, lead):
            self.assert_error(
                self.call("patch", url, user, data={"status": "in_progress"}), 403
            )
        response = self.call("patch", url, qi, data={"status": "in_progress"})
        self.assertEqual(response.status_code, 200)
        self.assert_error(self.call("get", url, self.outsider), 404)


class MilestoneAndEvidenceTests(ApiTestCase):
    def test_editor_adds_marks_done_and_deletes_a_milestone(self) -> None:
        url = _url("api:journey-milestones", number=2)
        response = self.call(
            "post",
            url,
            self.editor,
            data={"title": "Board session on QI", "due_on": "2026-05-14"},
        )
        self.assertEqual(response.status_code, 201, response.content)
        milestone = Milestone.objects.get()
        self.assertEqual(milestone.step.number, 2)
        self.assertEqual(milestone.due_on, datetime.date(2026, 5, 14))
        one = _url("api:journey-milestone", number=2, milestone_id=milestone.pk)
        body = self.call("patch", one, self.editor, data={"done_on": "2026-05-14"})
        self.assertEqual(body.json()["done_on"], "2026-05-14")
        self.assertEqual(body.json()["title"], "Board session on QI")
        self.assertEqual(self.call("delete", one, self.editor).status_code, 204)
        self.assertFalse(Milestone.objects.exists())

    def test_a_milestone_of_another_step_is_not_found_here(self) -> None:
        milestone = Milestone.objects.create(
            step=make_step(self.org, 3), title="Vision"
        )
        one = _url("api:journey-milestone", number=2, milestone_id=milestone.pk)
        self.assert_error(self.call("delete", one, self.editor), 404)
        self.assert_error(
            self.call(
                "post",
                _url("api:journey-milestones", number=2),
                self.editor,
                data={"title": ""},
            ),
            422,
        )

    def test_editor_adds_evidence_by_hand_and_deletes_it(self) -> None:
        url = _url("api:journey-evidence", number=2)
        response = self.call(
            "post",
            url,
            self.editor,
            data={
                "title": "Board minutes approving the QI strategy",
                "link": "https://intranet.example.org/board/2026-03",
            },
        )
        self.assertEqual(response.status_code, 201, response.content)
        evidence = Evidence.objects.get()
        self.assertEqual(evidence.added_by, self.editor)
        body = self.call("get", _url("api:journey-step", number=2), self.viewer).json()
        self.assertEqual(body["evidence"][0]["added_by"], str(self.editor))
        self.assert_error(
            self.call(
                "post", url, self.editor, data={"title": "x", "link": "not a link"}
            ),
            422,
        )
        one = _url("api:journey-evidence-item", number=2, evidence_id=evidence.pk)
        self.assert_error(self.call("delete", one, self.viewer), 403)
        self.assertEqual(self.call("delete", one, self.editor).status_code, 204)
