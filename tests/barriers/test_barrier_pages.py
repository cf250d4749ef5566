"""The barrier log pages as the editor, a plain member, the viewer and the outsider."""

from __future__ import annotations

import datetime

from django.utils import timezone

from openqi.barriers.models import Barrier
from openqi.organisations.models import Role
from tests.barriers.helpers import barrier_data, make_barrier
from tests.base import BaseTestCase
from tests.factories import make_member
from tests.projects.project_helpers import HTMX, make_project

BASE = "/organisations/northfield/barriers/"


class ListTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.time = make_barrier(
            cls.org,
            title="No protected time",
            category="resources",
            severity="high",
            unit=cls.team,
        )
        cls.data = make_barrier(
            cls.org,
            title="Data arrives three months late",
            category="information",
            severity="low",
            status=Barrier.Status.RESOLVED,
            resolved_on=datetime.date(2025, 5, 1),
            resolution="A weekly extract from the data warehouse.",
        )
        make_barrier(cls.other_org, title="Southmere only barrier")

    def test_editor_sees_the_log_with_open_barriers_first(self) -> None:
        self.sign_in(self.editor)
        response = self.client.get(BASE)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("Raise a barrier", page)
        self.assertLess(page.index("No protected time"), page.index("Data arrives"))
        self.assertNotIn("Southmere only barrier", page)

    def test_filters_by_category_status_unit_and_severity(self) -> None:
        self.sign_in(self.viewer)
        for query in (
            "category=resources",
            "status=open",
            f"unit={self.team.pk}",
            "severity=high",
        ):
            page = self.client.get(f"{BASE}?{query}").content.decode()
            self.assertIn("No protected time", page, query)
            self.assertNotIn("Data arrives", page, query)
            self.assertIn("1 barrier matches the filters", page)

    def test_htmx_request_returns_the_fragment_only(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.get(BASE + "?severity=low", **HTMX)
        page = response.content.decode()
        self.assertTrue(page.lstrip().startswith('<div id="barrier-list">'))
        self.assertIn("Data arrives", page)
        self.assertNotIn("<html", page)

    def test_viewer_reads_without_the_raise_button(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.get(BASE)
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("Raise a barrier", response.content.decode())

    def test_outsider_gets_404(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(BASE).status_code, 404)


class CreateTests(BaseTestCase):
    url = BASE + "new/"

    def test_a_plain_member_raises_a_barrier_with_linked_projects(self) -> None:
        project = make_project(self.org)
        make_project(self.other_org, title="Southmere project")
        member = make_member(self.org, Role.MEMBER)
        self.sign_in(member)
        page = self.client.get(self.url).content.decode()
        self.assertIn(project.title, page)
        self.assertNotIn("Southmere project", page)
        response = self.client.post(
            self.url,
            barrier_data(
                projects=str(project.pk), owner=str(member.pk), unit=str(self.team.pk)
            ),
        )
        barrier = Barrier.objects.get()
        self.assertRedirects(response, f"{BASE}{barrier.pk}/")
        self.assertEqual(barrier.status, Barrier.Status.OPEN)
        self.assertEqual(barrier.raised_on, datetime.date(2025, 6, 2))
        self.assertEqual(list(barrier.projects.all()), [project])
        self.assertEqual(barrier.owner, member)
        self.assertEqual(barrier.unit, self.team)

    def test_viewers_are_not_offered_as_owners(self) -> None:
        make_member(self.org, Role.MEMBER, full_name="Mo Member")
        self.sign_in(self.editor)
        page = self.client.get(self.url).content.decode()
        self.assertIn("Mo Member", page)
        self.assertNotIn("Vic Viewer", page)

    def test_a_viewer_posted_as_owner_is_refused_with_a_form_error(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(self.url, barrier_data(owner=str(self.viewer.pk)))
        self.assertEqual(response.status_code, 200)
        self.assertIn(
            "Choose a member who may edit: a viewer cannot own a barrier.",
            response.content.decode(),
        )
        self.assertFalse(Barrier.objects.exists())

    def test_another_organisations_project_is_refused(self) -> None:
        theirs = make_project(self.other_org, title="Southmere project")
        self.sign_in(self.editor)
        response = self.client.post(self.url, barrier_data(projects=str(theirs.pk)))
        self.assertEqual(response.status_code, 200)
        self.assertIn("There is a problem", response.content.decode())
        self.assertFalse(Barrier.objects.exists())

    def test_missing_category_and_future_date_reshow_with_errors(self) -> None:
        future = timezone.localdate() + datetime.timedelta(days=3)
        self.sign_in(self.editor)
        response = self.client.post(
            self.url,
            barrier_data(
                category="",
                raised_on_day=str(future.day),
                raised_on_month=str(future.month),
                raised_on_year=str(future.year),
            ),
        )
        page = response.content.decode()
        self.assertEqual(response.status_code, 200)
        self.assertIn("The date raised cannot be in the future.", page)
        self.assertFalse(Barrier.objects.exists())

    def test_viewer_gets_403(self) -> None:
        self.sign_in(self.viewer)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.assertEqual(self.client.post(self.url, barrier_data()).status_code, 403)
        self.assertFalse(Barrier.objects.exists())

    def test_outsider_gets_404(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(self.client.post(self.url, barrier_data()).status_code, 404)
        self.assertFalse(Barrier.objects.exists())


class DetailAndEditTests(BaseTestCase):
    def setUp(self) -> None:
        self.barrier = make_barrier(self.org, raised_on=datetime.date(2025, 3, 1))
        self.url = f"{BASE}{self.barrier.pk}/"
        self.edit = self.url + "edit/"

    def _resolve(self, **overrides: str) -> dict[str, str]:
        fields = {
            "title": self.barrier.title,
            "category": "resources",
            "raised_on_day": "1",
            "raised_on_month": "3",
            "raised_on_year": "2025",
            "status": "resolved",
            "resolved_on_day": "10",
            "resolved_on_month": "6",
            "resolved_on_year": "2025",
            "resolution": "Each team now has two protected hours a month.",
        }
        fields.update(overrides)
        return barrier_data(**fields)

    def test_detail_for_editor_viewer_and_outsider(self) -> None:
        project = make_project(self.org)
        self.barrier.projects.add(project)
        self.sign_in(self.editor)
        page = self.client.get(self.url).content.decode()
        self.assertIn(self.barrier.title, page)
        self.assertIn(project.title, page)
        self.assertIn("Change this barrier", page)
        self.assertIn("Delete this barrier", page)
        self.sign_in(self.viewer)
        page = self.client.get(self.url).content.decode()
        self.assertIn(self.barrier.title, page)
        self.assertNotIn("Change this barrier", page)
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_editor_resolves_a_barrier(self) -> None:
        self.sign_in(self.editor)
        self.assertEqual(self.client.get(self.edit).status_code, 200)
        response = self.client.post(self.edit, self._resolve())
        self.assertRedirects(response, self.url)
        self.barrier.refresh_from_db()
        self.assertEqual(self.barrier.status, Barrier.Status.RESOLVED)
        self.assertEqual(self.barrier.resolved_on, datetime.date(2025, 6, 10))

    def test_resolving_needs_a_date_and_a_sentence(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(
            self.edit,
            self._resolve(
                resolved_on_day="",
                resolved_on_month="",
                resolved_on_year="",
                resolution="  ",
            ),
        )
        page = response.content.decode()
        self.assertEqual(response.status_code, 200)
        self.assertIn("Enter the date the barrier was resolved.", page)
        self.assertIn("Say in a sentence how it was resolved.", page)
        self.barrier.refresh_from_db()
        self.assertEqual(self.barrier.status, Barrier.Status.OPEN)

    def test_resolved_date_cannot_come_before_the_date_raised(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(
            self.edit, self._resolve(resolved_on_month="2", resolved_on_day="1")
        )
        self.assertIn(
            "The resolved date must be on or after the date raised.",
            response.content.decode(),
        )
        self.barrier.refresh_from_db()
        self.assertIsNone(self.barrier.resolved_on)

    def test_an_open_barrier_has_no_resolved_date(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(self.edit, self._resolve(status="in_progress"))
        self.assertIn(
            "Only a resolved barrier has a resolved date", response.content.decode()
        )
        self.barrier.refresh_from_db()
        self.assertEqual(self.barrier.status, Barrier.Status.OPEN)

    def test_viewer_gets_403_and_outsider_404(self) -> None:
        self.sign_in(self.viewer)
        self.assertEqual(self.client.get(self.edit).status_code, 403)
        self.assertEqual(self.client.post(self.edit, self._resolve()).status_code, 403)
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(self.edit).status_code, 404)
        self.assertEqual(self.client.post(self.edit, self._resolve()).status_code, 404)
        self.barrier.refresh_from_db()
        self.assertEqual(self.barrier.status, Barrier.Status.OPEN)


class DeleteTests(BaseTestCase):
    def setUp(self) -> None:
        self.barrier = make_barrier(self.org)
        self.url = f"{BASE}{self.barrier.pk}/delete/"

    def test_editor_deletes(self) -> None:
        self.sign_in(self.editor)
        self.assertRedirects(self.client.post(self.url), BASE)
        self.assertFalse(Barrier.objects.exists())

    def test_a_plain_member_may_not_delete(self) -> None:
        self.sign_in(make_member(self.org, Role.MEMBER))
        self.assertEqual(self.client.post(self.url).status_code, 403)
        self.assertTrue(Barrier.objects.exists())

    def test_viewer_gets_403_and_outsider_404(self) -> None:
        self.sign_in(self.viewer)
        self.assertEqual(self.client.post(self.url).status_code, 403)
        self.sign_in(self.outsider)
        self.assertEqual(self.client.post(self.url).status_code, 404)
        self.assertTrue(Barrier.objects.exists())


class ForumTests(BaseTestCase):
    url = BASE + "forum/"

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        today = timezone.localdate()
        cls.newer = make_barrier(
            cls.org,
            title="Newer culture barrier",
            category="culture",
            raised_on=today - datetime.timedelta(days=10),
        )
        cls.older = make_barrier(
            cls.org,
            title="Older culture barrier",
            category="culture",
            status=Barrier.Status.IN_PROGRESS,
            raised_on=today - datetime.timedelta(days=40),
        )
        make_barrier(
            cls.org,
            title="Resolved culture barrier",
            category="culture",
            status=Barrier.Status.RESOLVED,
            resolved_on=today,
            resolution="Done.",
            raised_on=today - datetime.timedelta(days=99),
        )
        make_barrier(
            cls.org,
            title="Timing barrier",
            category="timing",
            raised_on=today - datetime.timedelta(days=1),
        )

    def test_open_barriers_by_category_oldest_first_with_age(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertLess(page.index("Older culture"), page.index("Newer culture"))
        self.assertLess(page.index("Newer culture"), page.index("Timing barrier"))
        self.assertNotIn("Resolved culture barrier", page)
        self.assertIn("40 days", page)
        self.assertIn("1 day<", page)
        for label in (
            "Culture",
            "Leadership",
            "Focus",
            "Resources",
            "Information",
            "Timing",
            "Engagement",
        ):
            self.assertIn(f">{label} <", page)
        self.assertIn("comes in a later release", page)

    def test_viewer_sees_no_toggle(self) -> None:
        self.sign_in(self.viewer)
        page = self.client.get(self.url).content.decode()
        self.assertNotIn("/escalate/", page)

    def test_editor_escalates_and_takes_it_back(self) -> None:
        self.sign_in(self.editor)
        self.assertIn("/escalate/", self.client.get(self.url).content.decode())
        escalate = f"{BASE}{self.older.pk}/escalate/"
        response = self.client.post(escalate, {"escalate": "true"})
        self.assertRedirects(response, f"{self.url}#barrier-{self.older.pk}")
        self.older.refresh_from_db()
        self.assertTrue(self.older.escalate_to_board)
        response = self.client.post(escalate, {"escalate": "false"}, **HTMX)
        self.assertTrue(
            response.content.decode()
            .lstrip()
            .startswith(f'<div id="escalate-{self.older.pk}">')
        )
        self.older.refresh_from_db()
        self.assertFalse(self.older.escalate_to_board)

    def test_escalate_refused_to_viewer_and_outsider(self) -> None:
        escalate = f"{BASE}{self.older.pk}/escalate/"
        self.sign_in(self.viewer)
        self.assertEqual(
            self.client.post(escalate, {"escalate": "true"}).status_code, 403
        )
        self.sign_in(self.outsider)
        self.assertEqual(
            self.client.post(escalate, {"escalate": "true"}).status_code, 404
        )
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.older.refresh_from_db()
        self.assertFalse(self.older.escalate_to_board)
