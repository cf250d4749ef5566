from __future__ import annotations

from openqi.organisations.models import Role
from tests.base import BaseTestCase
from tests.factories import make_member
from tests.projects.project_helpers import HTMX, make_priority, make_project


class ProjectListTests(BaseTestCase):
    url = "/organisations/northfield/projects/"

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.falls = make_priority(cls.org)
        make_project(
            cls.org, title="Fewer falls at night", status="active", unit=cls.team
        ).priorities.add(cls.falls)
        make_project(cls.org, title="Hand hygiene in ICU", status="idea")
        make_project(
            cls.org,
            title="Falls in care homes",
            status="stopped",
            status_reason="The care homes left the programme.",
        )
        make_project(cls.other_org, title="Southmere falls project")

    def test_editor_sees_the_projects_and_the_start_button(self) -> None:
        self.sign_in(self.editor)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        for title in (
            "Fewer falls at night",
            "Hand hygiene in ICU",
            "Falls in care homes",
        ):
            self.assertIn(title, page)
        self.assertIn("3 projects.", page)
        self.assertIn("Emergency department", page)
        self.assertIn("Start a project", page)
        self.assertNotIn("Southmere falls project", page)

    def test_viewer_sees_the_projects_without_the_start_button(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertIn("Fewer falls at night", response.content.decode())
        self.assertNotIn("Start a project", response.content.decode())

    def test_plain_member_may_start_a_project(self) -> None:
        self.sign_in(make_member(self.org, Role.MEMBER))
        self.assertIn("Start a project", self.client.get(self.url).content.decode())

    def test_outsider_gets_404(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_search_by_title(self) -> None:
        self.sign_in(self.viewer)
        page = self.client.get(self.url, {"q": "FALLS"}).content.decode()
        self.assertIn("Fewer falls at night", page)
        self.assertIn("Falls in care homes", page)
        self.assertNotIn("Hand hygiene in ICU", page)
        self.assertIn("2 projects match the filters", page)

    def test_filter_by_status_and_priority(self) -> None:
        self.sign_in(self.viewer)
        page = self.client.get(self.url, {"status": "stopped"}).content.decode()
        self.assertIn("Falls in care homes", page)
        self.assertNotIn("Fewer falls at night", page)
        page = self.client.get(self.url, {"priority": self.falls.pk}).content.decode()
        self.assertIn("Fewer falls at night", page)
        self.assertNotIn("Falls in care homes", page)

    def test_a_bad_filter_is_ignored_with_the_form_error(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.get(self.url, {"status": "lost"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("Select a valid choice", response.content.decode())

    def test_nothing_matches(self) -> None:
        self.sign_in(self.viewer)
        page = self.client.get(self.url, {"q": "sepsis"}).content.decode()
        self.assertIn("0 projects match the filters", page)

    def test_htmx_request_returns_the_list_fragment_only(self) -> None:
        self.sign_in(self.editor)
        response = self.client.get(self.url, {"q": "hygiene"}, **HTMX)
        page = response.content.decode()
        self.assertTrue(page.lstrip().startswith('<div id="project-list">'), page[:80])
        self.assertNotIn("<html", page)
        self.assertIn("Hand hygiene in ICU", page)

    def test_long_lists_are_paged(self) -> None:
        for n in range(55):
            make_project(self.org, title=f"Project {n:02}")
        self.sign_in(self.viewer)
        first = self.client.get(self.url).content.decode()
        self.assertIn("Page 2 of 2", first)
        self.assertNotIn("Project 54", first)
        second = self.client.get(self.url, {"page": 2}).content.decode()
        self.assertIn("Project 54", second)
        self.assertIn("Page 1 of 2", second)
