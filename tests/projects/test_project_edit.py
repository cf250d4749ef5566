from __future__ import annotations

from openqi.audit.models import AuditEvent
from openqi.organisations.models import Membership, Role
from openqi.projects.models import Project, ProjectNote
from tests.base import BaseTestCase
from tests.factories import make_member
from tests.projects.project_helpers import make_project, make_rating, project_data


class ProjectEditTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.project = make_project(cls.org, status="active")
        cls.project.tags.create(organisation=cls.org, name="falls")
        cls.url = f"/organisations/northfield/projects/{cls.project.pk}/edit/"

    def test_editor_sees_the_form_filled_in(self) -> None:
        self.sign_in(self.editor)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("Change Fewer falls at night on the stroke unit", page)
        self.assertIn('value="falls"', page)
        self.assertNotIn("projects/similar/", page)

    def test_editor_saves_changes(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(
            self.url, project_data(title="Night falls", tags="falls, nights")
        )
        self.assertRedirects(
            response, f"/organisations/northfield/projects/{self.project.pk}/"
        )
        self.project.refresh_from_db()
        self.assertEqual(self.project.title, "Night falls")
        self.assertEqual(
            sorted(t.name for t in self.project.tags.all()), ["falls", "nights"]
        )
        self.assertTrue(
            AuditEvent.objects.filter(
                model="projects.Project", action="update"
            ).exists()
        )

    def test_stopping_needs_a_reason_and_adds_it_to_the_timeline(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(self.url, project_data(status="stopped"))
        self.assertEqual(response.status_code, 200)
        self.assertIn("Say why the project stopped", response.content.decode())
        self.project.refresh_from_db()
        self.assertEqual(self.project.status, "active")
        response = self.client.post(
            self.url,
            project_data(
                status="stopped", status_reason="The ward closed for refurbishment."
            ),
        )
        self.assertEqual(response.status_code, 302)
        [note] = ProjectNote.objects.filter(project=self.project)
        self.assertEqual(
            note.text,
            "Status changed from Active to Stopped. Reason: The ward closed for refurbishment.",
        )
        self.assertEqual(note.author, self.editor)

    def test_completing_adds_a_note_and_saving_without_a_change_does_not(self) -> None:
        self.sign_in(self.editor)
        self.client.post(self.url, project_data(status="active"))
        self.assertFalse(ProjectNote.objects.exists())
        self.client.post(
            self.url, project_data(status="completed", status_reason="Aim met.")
        )
        [note] = ProjectNote.objects.all()
        self.assertIn("from Active to Completed. Reason: Aim met.", note.text)

    def test_a_lead_since_made_a_viewer_is_shown_but_cannot_be_kept(self) -> None:
        lead = make_member(self.org, Role.MEMBER, full_name="Lee Lead")
        self.project.lead = lead
        self.project.save()
        Membership.objects.filter(user=lead).update(role=Role.VIEWER)
        self.sign_in(self.editor)
        page = self.client.get(self.url).content.decode()
        self.assertIn(f'value="{lead.pk}" selected', page)
        self.assertNotIn("Vic Viewer", page)
        response = self.client.post(self.url, project_data(lead=str(lead.pk)))
        self.assertEqual(response.status_code, 200)
        self.assertIn("a viewer cannot lead a project", response.content.decode())
        response = self.client.post(self.url, project_data(lead=str(self.editor.pk)))
        self.assertEqual(response.status_code, 302)
        self.project.refresh_from_db()
        self.assertEqual(self.project.lead, self.editor)

    def test_plain_member_may_edit(self) -> None:
        self.sign_in(make_member(self.org, Role.MEMBER))
        response = self.client.post(self.url, project_data(title="Edited by a member"))
        self.assertEqual(response.status_code, 302)

    def test_viewer_gets_403(self) -> None:
        self.sign_in(self.viewer)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.assertEqual(self.client.post(self.url, project_data()).status_code, 403)
        self.project.refresh_from_db()
        self.assertEqual(self.project.title, "Fewer falls at night on the stroke unit")

    def test_outsider_gets_404(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(self.client.post(self.url, project_data()).status_code, 404)


class ProjectDeleteTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.lead = make_member(cls.org, Role.PROJECT_LEAD)
        cls.project = make_project(cls.org, lead=cls.lead)
        cls.url = f"/organisations/northfield/projects/{cls.project.pk}/delete/"

    def test_editor_is_asked_first_then_deletes(self) -> None:
        self.sign_in(self.editor)
        page = self.client.get(self.url).content.decode()
        self.assertIn("Delete this project?", page)
        self.assertTrue(Project.objects.filter(pk=self.project.pk).exists())
        response = self.client.post(self.url)
        self.assertRedirects(response, "/organisations/northfield/projects/")
        self.assertFalse(Project.objects.filter(pk=self.project.pk).exists())

    def test_the_lead_and_the_qi_team_may_delete(self) -> None:
        for user in (self.lead, make_member(self.org, Role.QI_TEAM)):
            project = make_project(self.org, lead=self.lead)
            self.sign_in(user)
            url = f"/organisations/northfield/projects/{project.pk}/delete/"
            self.assertEqual(self.client.post(url).status_code, 302)
            self.assertFalse(Project.objects.filter(pk=project.pk).exists())

    def test_a_member_who_is_not_the_lead_gets_403(self) -> None:
        member = make_member(self.org, Role.PROJECT_LEAD)
        self.project.team.add(member)
        self.sign_in(member)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.assertEqual(self.client.post(self.url).status_code, 403)
        self.assertTrue(Project.objects.filter(pk=self.project.pk).exists())
        edit = self.client.get(
            f"/organisations/northfield/projects/{self.project.pk}/edit/"
        )
        self.assertNotIn("Delete this project", edit.content.decode())

    def test_viewer_gets_403(self) -> None:
        self.sign_in(self.viewer)
        self.assertEqual(self.client.post(self.url).status_code, 403)
        self.assertTrue(Project.objects.filter(pk=self.project.pk).exists())

    def test_outsider_gets_404(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.post(self.url).status_code, 404)
        self.assertTrue(Project.objects.filter(pk=self.project.pk).exists())


class DeleteConfirmationWordingTests(BaseTestCase):
    def test_the_page_says_what_will_be_lost(self) -> None:
        project = make_project(self.org)
        project.notes.create(text="One note.")
        project.notes.create(text="Two notes.")
        make_rating(project)
        self.sign_in(self.editor)
        page = self.client.get(
            f"/organisations/northfield/projects/{project.pk}/delete/"
        ).content.decode()
        self.assertIn("everything in it: 2 notes, 1 progress rating.", page)
