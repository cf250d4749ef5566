from __future__ import annotations

import datetime

from openqi.organisations.models import Role
from openqi.projects.models import Project, Tag
from tests.base import BaseTestCase
from tests.factories import make_member
from tests.projects.project_helpers import (
    HTMX,
    make_priority,
    make_project,
    project_data,
)


class ProjectCreateTests(BaseTestCase):
    url = "/organisations/northfield/projects/new/"

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.priority = make_priority(
            cls.org, title="Zero healthcare-acquired infections"
        )
        cls.nurse = make_member(cls.org, Role.MEMBER, full_name="Noor Nurse")
        make_priority(cls.other_org, title="Southmere priority")

    def test_editor_sees_the_form(self) -> None:
        self.sign_in(self.editor)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("<h1>Start a project</h1>", page)
        self.assertIn("Zero healthcare-acquired infections", page)
        self.assertIn("Noor Nurse", page)
        self.assertNotIn("Southmere priority", page)
        self.assertNotIn("Olu Outsider", page)
        self.assertIn('hx-get="/organisations/northfield/projects/similar/"', page)

    def test_viewers_are_not_offered_as_lead_or_team_members(self) -> None:
        self.sign_in(self.editor)
        page = self.client.get(self.url).content.decode()
        self.assertIn("Noor Nurse", page)
        self.assertIn("Ada Editor", page)
        self.assertNotIn("Vic Viewer", page)

    def test_a_viewer_posted_as_lead_or_team_member_is_refused(self) -> None:
        self.sign_in(self.editor)
        cases = [
            ({"lead": str(self.viewer.pk)}, "a viewer cannot lead a project"),
            (
                {"team": [str(self.nurse.pk), str(self.viewer.pk)]},
                "a viewer cannot be on a project team",
            ),
        ]
        for overrides, message in cases:
            with self.subTest(overrides=overrides):
                response = self.client.post(self.url, project_data(**overrides))
                self.assertEqual(response.status_code, 200)
                page = response.content.decode()
                self.assertIn("There is a problem", page)
                self.assertIn(message, page)
        self.assertFalse(Project.objects.exists())

    def test_editor_creates_a_project_with_everything(self) -> None:
        self.sign_in(self.editor)
        data = project_data(
            unit=str(self.team.pk),
            lead=str(self.nurse.pk),
            team=[str(self.nurse.pk), str(self.editor.pk)],
            priorities=[str(self.priority.pk)],
            tags="Infection control, ICU, infection CONTROL, ",
        )
        response = self.client.post(self.url, data)
        project = Project.objects.get(title=data["title"])
        self.assertRedirects(
            response, f"/organisations/northfield/projects/{project.pk}/"
        )
        self.assertEqual(project.organisation, self.org)
        self.assertEqual(project.unit, self.team)
        self.assertEqual(project.lead, self.nurse)
        self.assertEqual(project.created_by, self.editor)
        self.assertEqual(project.aim_by_when, datetime.date(2026, 3, 31))
        self.assertEqual(project.start_date, datetime.date(2025, 4, 1))
        self.assertEqual(set(project.team.all()), {self.nurse, self.editor})
        self.assertEqual(list(project.priorities.all()), [self.priority])
        self.assertEqual(
            sorted(t.name for t in project.tags.all()), ["ICU", "Infection control"]
        )

    def test_existing_tags_are_reused(self) -> None:
        Tag.objects.create(organisation=self.org, name="icu")
        self.sign_in(self.editor)
        self.client.post(self.url, project_data(tags="ICU"))
        self.assertEqual(Tag.objects.filter(organisation=self.org).count(), 1)

    def test_plain_member_creates_a_project(self) -> None:
        self.sign_in(self.nurse)
        response = self.client.post(self.url, project_data())
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Project.objects.get().created_by, self.nurse)

    def test_viewer_gets_403(self) -> None:
        self.sign_in(self.viewer)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.assertEqual(self.client.post(self.url, project_data()).status_code, 403)
        self.assertFalse(Project.objects.exists())

    def test_outsider_gets_404(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(self.client.post(self.url, project_data()).status_code, 404)
        self.assertFalse(Project.objects.exists())

    def test_bad_input_reshows_the_form_and_saves_nothing(self) -> None:
        self.sign_in(self.editor)
        cases = [
            ({"title": "  "}, "Enter the project title."),
            ({"aim_what": ""}, "Enter what we will improve."),
            ({"status": "stopped"}, "Say why the project stopped"),
            ({"method": "other"}, "Name the method."),
            (
                {"end_date_year": "2024", "end_date_month": "1", "end_date_day": "1"},
                "The end date must be after the start date.",
            ),
            ({"aim_by_when_month": "14"}, "Enter a real date"),
            ({"lead": str(self.outsider.pk)}, "a viewer cannot lead a project"),
            ({"team": [str(self.outsider.pk)]}, "a viewer cannot be on a project team"),
            ({"tags": "x" * 61}, "60 characters or fewer"),
        ]
        for overrides, message in cases:
            with self.subTest(overrides):
                response = self.client.post(self.url, project_data(**overrides))
                self.assertEqual(response.status_code, 200)
                self.assertIn(message, response.content.decode())
        self.assertFalse(Project.objects.exists())
        self.assertFalse(Tag.objects.exists())

    def test_unit_of_another_organisation_is_refused(self) -> None:
        from tests.factories import make_unit

        theirs = make_unit(self.other_org, name="Southmere ward")
        self.sign_in(self.editor)
        response = self.client.post(self.url, project_data(unit=str(theirs.pk)))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Project.objects.exists())


class SimilarBeforeSavingTests(BaseTestCase):
    """Similar projects are shown before a project is saved."""

    url = "/organisations/northfield/projects/new/"

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.existing = make_project(
            cls.org,
            title="Hand hygiene compliance in the intensive care unit",
            aim_what="Increase hand hygiene compliance before patient contact",
            problem="Audits show hand hygiene compliance of 72% on the unit.",
        )
        make_project(cls.org, title="Earlier discharge from the acute medical unit")
        make_project(
            cls.other_org,
            title="Hand hygiene compliance on Southmere wards",
            aim_what="Increase hand hygiene compliance",
        )

    def test_similar_projects_are_shown_and_nothing_is_saved(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(self.url, project_data())
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn(
            "Similar projects already in Northfield Hospitals NHS Trust", page
        )
        self.assertIn(self.existing.title, page)
        self.assertIn(f"/projects/{self.existing.pk}/", page)
        self.assertIn("“hand hygiene”", page)
        self.assertIn("% similar", page)
        self.assertIn('name="confirm" value="true"', page)
        self.assertIn("Create anyway", page)
        self.assertNotIn("Earlier discharge", page)
        self.assertNotIn("Southmere wards", page)
        # What was typed is still there.
        self.assertIn("Audits show 72% compliance", page)
        self.assertEqual(Project.objects.filter(organisation=self.org).count(), 2)

    def test_create_anyway_saves_it(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(self.url, project_data(confirm="true"))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(
            Project.objects.filter(
                title__startswith="Hand hygiene before patient contact"
            ).exists()
        )

    def test_a_project_unlike_the_others_is_saved_straight_away(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(
            self.url,
            project_data(
                title="Fewer missed outpatient appointments",
                aim_what="Reduce did-not-attend rates in outpatient clinics",
                problem="Many people miss appointments because letters arrive late.",
            ),
        )
        self.assertEqual(response.status_code, 302)

    def test_with_errors_the_errors_come_first(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(self.url, project_data(status="stopped"))
        page = response.content.decode()
        self.assertIn("Say why the project stopped", page)
        self.assertNotIn("Create anyway", page)


class SimilarEndpointTests(BaseTestCase):
    url = "/organisations/northfield/projects/similar/"

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.existing = make_project(
            cls.org, title="Fewer falls at night on the stroke unit"
        )
        make_project(cls.other_org, title="Falls at night in Southmere")

    def test_htmx_request_returns_the_panel_fragment_only(self) -> None:
        self.sign_in(self.editor)
        response = self.client.get(self.url, {"title": "Night falls"}, **HTMX)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertTrue(
            page.lstrip().startswith('<div id="similar-projects">'), page[:80]
        )
        self.assertNotIn("<html", page)
        self.assertIn(self.existing.title, page)
        self.assertNotIn("Southmere", page)
        self.assertNotIn("Create anyway", page)

    def test_no_match_gives_an_empty_panel(self) -> None:
        self.sign_in(self.editor)
        page = self.client.get(self.url, {"title": "Sepsis"}, **HTMX).content.decode()
        self.assertNotIn("Similar projects", page)

    def test_without_javascript_it_is_a_page_with_a_form(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.get(self.url, {"title": "falls at night"})
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("Check for similar projects", page)
        self.assertIn(self.existing.title, page)
        page = self.client.get(self.url, {"title": "Sepsis"}).content.decode()
        self.assertIn("No similar projects found", page)

    def test_a_project_is_left_out_of_its_own_matches(self) -> None:
        self.sign_in(self.editor)
        page = self.client.get(
            self.url, {"title": "Night falls", "exclude": self.existing.pk}, **HTMX
        ).content.decode()
        self.assertNotIn(self.existing.title, page)

    def test_outsider_gets_404(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(self.url, {"title": "falls"}).status_code, 404)
