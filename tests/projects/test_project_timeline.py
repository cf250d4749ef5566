from __future__ import annotations

from openqi.organisations.models import Role
from openqi.projects.models import ProjectNote
from tests.base import BaseTestCase
from tests.factories import make_member
from tests.projects.project_helpers import HTMX, make_project


class NoteAddTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.project = make_project(cls.org)
        cls.url = f"/organisations/northfield/projects/{cls.project.pk}/notes/"

    def test_editor_adds_a_note(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(self.url, {"text": "  Met the ward sisters.  "})
        self.assertRedirects(
            response,
            f"/organisations/northfield/projects/{self.project.pk}/#timeline",
            fetch_redirect_response=False,
        )
        note = ProjectNote.objects.get()
        self.assertEqual(note.text, "Met the ward sisters.")
        self.assertEqual(note.author, self.editor)

    def test_htmx_request_returns_the_timeline_fragment(self) -> None:
        ProjectNote.objects.create(project=self.project, text="Older note.")
        self.sign_in(self.editor)
        response = self.client.post(self.url, {"text": "Newest note."}, **HTMX)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertTrue(
            page.lstrip().startswith('<div id="timeline-entries">'), page[:80]
        )
        self.assertNotIn("<html", page)
        self.assertLess(page.index("Newest note."), page.index("Older note."))

    def test_an_empty_note_is_refused(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(self.url, {"text": "   "})
        self.assertEqual(response.status_code, 200)
        self.assertIn("Enter the note.", response.content.decode())
        response = self.client.post(self.url, {"text": ""}, **HTMX)
        self.assertIn("Enter the note.", response.content.decode())
        self.assertFalse(ProjectNote.objects.exists())

    def test_plain_member_adds_a_note(self) -> None:
        self.sign_in(make_member(self.org, Role.MEMBER))
        self.assertEqual(self.client.post(self.url, {"text": "Hello"}).status_code, 302)

    def test_viewer_gets_403(self) -> None:
        self.sign_in(self.viewer)
        self.assertEqual(self.client.post(self.url, {"text": "Hello"}).status_code, 403)
        self.assertFalse(ProjectNote.objects.exists())

    def test_outsider_gets_404(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.post(self.url, {"text": "Hello"}).status_code, 404)
        self.assertFalse(ProjectNote.objects.exists())

    def test_get_is_not_allowed(self) -> None:
        self.sign_in(self.editor)
        self.assertEqual(self.client.get(self.url).status_code, 405)
