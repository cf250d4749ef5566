"""The action plan: the list and its filters, turning a gap into an action, and
adding, changing and deleting actions."""

from __future__ import annotations

import datetime

from openqi.assessments import services
from openqi.assessments.models import ActionItem
from openqi.organisations.models import Membership, Role
from tests.assessments.round_helpers import make_responses, make_round
from tests.base import BaseTestCase
from tests.factories import make_member

WEAK = {"l1": 2, "l2": 4, "t1": "no", "k1": 3}


def action_data(**overrides: str) -> dict[str, str]:
    data = {
        "title": "Protect time for improvement",
        "description": "Half a day a month in every job plan.",
        "category": "infrastructure",
        "owner": "",
        "due_date_day": "30",
        "due_date_month": "9",
        "due_date_year": "2026",
        "status": "open",
        "round": "",
        "section_key": "",
    }
    data.update(overrides)
    return data


class ActionListTests(BaseTestCase):
    url = "/organisations/northfield/assessments/actions/"

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        ActionItem.objects.create(
            organisation=cls.org,
            title="Board sponsor for each priority",
            category="leadership",
            owner=cls.editor,
            due_date=datetime.date(2026, 6, 30),
        )
        ActionItem.objects.create(
            organisation=cls.org,
            title="Coaching for project leads",
            category="skills",
            status="done",
        )
        ActionItem.objects.create(
            organisation=cls.other_org, title="Southmere action", category="skills"
        )

    def test_editor_sees_the_plan_with_owner_due_date_and_status(self) -> None:
        self.sign_in(self.editor)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("Board sponsor for each priority", page)
        self.assertIn("Ada Editor", page)
        self.assertIn("30 June 2026", page)
        self.assertIn("Not started", page)
        self.assertIn("Coaching for project leads", page)
        self.assertIn("Add an action", page)
        self.assertNotIn("Southmere action", page)

    def test_filter_by_status_and_category(self) -> None:
        self.sign_in(self.viewer)
        page = self.client.get(self.url, {"status": "done"}).content.decode()
        self.assertIn("Coaching for project leads", page)
        self.assertNotIn("Board sponsor for each priority", page)
        page = self.client.get(self.url, {"category": "leadership"}).content.decode()
        self.assertIn("Board sponsor for each priority", page)
        self.assertNotIn("Coaching for project leads", page)
        page = self.client.get(
            self.url, {"category": "leadership", "status": "done"}
        ).content.decode()
        self.assertIn("No actions match these filters", page)

    def test_htmx_request_returns_the_table_only(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.get(
            self.url, {"status": "done"}, headers={"HX-Request": "true"}
        )
        page = response.content.decode()
        self.assertIn("Coaching for project leads", page)
        self.assertNotIn("<html", page)
        self.assertNotIn("Action plan", page)

    def test_viewer_reads_without_change_links(self) -> None:
        self.sign_in(self.viewer)
        page = self.client.get(self.url).content.decode()
        self.assertIn("Board sponsor for each priority", page)
        self.assertNotIn("Add an action", page)
        self.assertNotIn("Change<", page)

    def test_outsider_gets_404(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)


class ActionFromGapTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.assessment_round = make_round(
            cls.org, title="Spring pulse", status="closed"
        )
        make_responses(cls.assessment_round, WEAK, 5)
        cls.url = "/organisations/northfield/assessments/actions/new/"

    def test_a_gap_becomes_a_prefilled_action(self) -> None:
        results = services.results_for(self.assessment_round)
        gap = results.suggestions[0]
        self.assertEqual(gap.section.key, "time")
        self.sign_in(self.editor)
        response = self.client.get(
            self.url, {"round": self.assessment_round.pk, "section": "time"}
        )
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn('value="Improve time for improvement"', page)
        self.assertIn("busiest periods.", page)
        self.assertIn('value="leadership" selected', page)
        self.assertIn(f'name="round" value="{self.assessment_round.pk}"', page)
        self.assertIn('name="section_key" value="time"', page)

        member = make_member(self.org, Role.MEMBER, full_name="Mo Member")
        response = self.client.post(
            self.url,
            action_data(
                title="Improve time for improvement",
                category="leadership",
                owner=str(member.pk),
                round=str(self.assessment_round.pk),
                section_key="time",
            ),
        )
        self.assertRedirects(response, "/organisations/northfield/assessments/actions/")
        action = ActionItem.objects.get()
        self.assertEqual(action.organisation, self.org)
        self.assertEqual(action.round, self.assessment_round)
        self.assertEqual(action.section_key, "time")
        self.assertEqual(action.category, "leadership")
        self.assertEqual(action.owner, member)
        self.assertEqual(action.due_date, datetime.date(2026, 9, 30))

    def test_an_enabler_section_keeps_its_category(self) -> None:
        initial = services.suggested_action(self.assessment_round, "lead")
        self.assertEqual(initial["category"], "leadership")
        self.assertEqual(initial["description"], services.GENERIC_ACTIONS["leadership"])

    def test_an_unknown_section_or_foreign_round_prefills_nothing(self) -> None:
        theirs = make_round(self.other_org, title="Southmere round")
        self.sign_in(self.editor)
        for query in (
            {"round": self.assessment_round.pk, "section": "nope"},
            {"round": theirs.pk, "section": "time"},
            {"round": "x", "section": "time"},
        ):
            page = self.client.get(self.url, query).content.decode()
            self.assertNotIn("Improve time for improvement", page)

    def test_another_organisations_round_cannot_be_linked(self) -> None:
        theirs = make_round(self.other_org, title="Southmere round")
        self.sign_in(self.editor)
        response = self.client.post(self.url, action_data(round=str(theirs.pk)))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(ActionItem.objects.exists())

    def test_an_owner_from_another_organisation_is_refused(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(self.url, action_data(owner=str(self.outsider.pk)))
        self.assertEqual(response.status_code, 200)
        self.assertIn("There is a problem", response.content.decode())
        self.assertFalse(ActionItem.objects.exists())

    def test_viewers_are_not_offered_as_owners(self) -> None:
        make_member(self.org, Role.MEMBER, full_name="Mo Member")
        self.sign_in(self.editor)
        page = self.client.get(self.url).content.decode()
        self.assertIn("Mo Member", page)
        self.assertNotIn("Vic Viewer", page)

    def test_a_viewer_posted_as_owner_is_refused_with_a_form_error(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(self.url, action_data(owner=str(self.viewer.pk)))
        self.assertEqual(response.status_code, 200)
        self.assertIn(
            "Choose a member who may edit: a viewer cannot own an action.",
            response.content.decode(),
        )
        self.assertFalse(ActionItem.objects.exists())

    def test_missing_title_and_bad_date_reshow_with_errors(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(
            self.url, action_data(title=" ", due_date_month="13")
        )
        page = response.content.decode()
        self.assertIn("Enter the action.", page)
        self.assertIn("Enter a real date", page)
        self.assertFalse(ActionItem.objects.exists())

    def test_viewer_gets_403_and_outsider_404(self) -> None:
        self.sign_in(self.viewer)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.assertEqual(self.client.post(self.url, action_data()).status_code, 403)
        self.sign_in(self.outsider)
        self.assertEqual(self.client.post(self.url, action_data()).status_code, 404)
        self.assertFalse(ActionItem.objects.exists())


class ActionEditDeleteTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.action = ActionItem.objects.create(
            organisation=cls.org, title="Protect time", category="infrastructure"
        )
        cls.url = f"/organisations/northfield/assessments/actions/{cls.action.pk}/"

    def test_editor_changes_the_status_and_owner(self) -> None:
        self.sign_in(self.editor)
        page = self.client.get(self.url).content.decode()
        self.assertIn("Change Protect time", page)
        response = self.client.post(
            self.url,
            action_data(
                title="Protect time", status="in_progress", owner=str(self.editor.pk)
            ),
        )
        self.assertRedirects(response, "/organisations/northfield/assessments/actions/")
        self.action.refresh_from_db()
        self.assertEqual(self.action.status, "in_progress")
        self.assertEqual(self.action.owner, self.editor)

    def test_an_owner_since_made_a_viewer_is_shown_but_cannot_be_kept(self) -> None:
        owner = make_member(self.org, Role.MEMBER, full_name="Mo Member")
        self.action.owner = owner
        self.action.save()
        Membership.objects.filter(user=owner).update(role=Role.VIEWER)
        self.sign_in(self.editor)
        page = self.client.get(self.url).content.decode()
        self.assertIn(f'value="{owner.pk}" selected', page)
        response = self.client.post(
            self.url, action_data(title="Protect time", owner=str(owner.pk))
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("a viewer cannot own an action", response.content.decode())
        response = self.client.post(
            self.url, action_data(title="Protect time", owner=str(self.editor.pk))
        )
        self.assertEqual(response.status_code, 302)
        self.action.refresh_from_db()
        self.assertEqual(self.action.owner, self.editor)

    def test_bad_status_changes_nothing(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(self.url, action_data(status="finished"))
        self.assertEqual(response.status_code, 200)
        self.action.refresh_from_db()
        self.assertEqual(self.action.status, "open")
        self.assertEqual(self.action.title, "Protect time")

    def test_editor_deletes(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(f"{self.url}delete/")
        self.assertRedirects(response, "/organisations/northfield/assessments/actions/")
        self.assertFalse(ActionItem.objects.exists())

    def test_viewer_gets_403_and_changes_nothing(self) -> None:
        self.sign_in(self.viewer)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.assertEqual(self.client.post(self.url, action_data()).status_code, 403)
        self.assertEqual(self.client.post(f"{self.url}delete/").status_code, 403)
        self.action.refresh_from_db()
        self.assertEqual(self.action.title, "Protect time")

    def test_outsider_gets_404(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(self.client.post(f"{self.url}delete/").status_code, 404)
        self.assertTrue(ActionItem.objects.exists())

    def test_another_organisations_action_is_404(self) -> None:
        theirs = ActionItem.objects.create(organisation=self.other_org, title="Theirs")
        self.sign_in(self.editor)
        url = f"/organisations/northfield/assessments/actions/{theirs.pk}/"
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.post(f"{url}delete/").status_code, 404)
