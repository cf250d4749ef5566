"""The system's portfolio and a member's sharing page: who sees what."""

from __future__ import annotations

import re
from unittest import mock

from django.test import Client, TestCase
from django.urls import reverse

from openqi.audit.kept import data_changed
from openqi.audit.models import AuditEvent
from openqi.organisations.models import Membership, Role
from openqi.projects.models import Project
from openqi.system.models import Sharing
from openqi.system.services import save_sharing
from tests.system.helpers import SystemCast


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


class SystemPortfolioTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        SystemCast.build(cls)

    def _portfolio(self, user: object, slug: str | None = None) -> object:
        self.client.force_login(user)
        return self.client.get(
            reverse("system:portfolio", kwargs={"slug": slug or self.system.slug})
        )

    def test_people_with_a_role_in_the_system_see_what_members_share(self) -> None:
        for user in (self.system_admin, self.system_viewer):
            response = self._portfolio(user)
            self.assertEqual(response.status_code, 200)
            page = _text(response.content.decode())
            self.assertIn("Northmoor NHS Trust", page)
            self.assertIn("Southmoor NHS Trust", page)

    def test_a_member_organisations_people_do_not_see_the_system_portfolio(
        self,
    ) -> None:
        for user in (self.north_admin, self.north_member):
            self.assertEqual(self._portfolio(user).status_code, 404)

    def test_unless_they_also_hold_a_role_in_the_system(self) -> None:
        Membership.objects.create(
            user=self.north_member, organisation=self.system, role=Role.VIEWER
        )
        self.assertEqual(self._portfolio(self.north_member).status_code, 200)

    def test_another_systems_people_get_404(self) -> None:
        self.assertEqual(self._portfolio(self.far_admin).status_code, 404)
        self.client.force_login(self.far_admin)
        response = self.client.get(
            f"/api/v1/organisations/{self.system.slug}/system/portfolio"
        )
        self.assertEqual(response.status_code, 404)

    def test_a_provider_has_no_system_portfolio(self) -> None:
        self.assertEqual(
            self._portfolio(self.north_admin, self.north.slug).status_code, 404
        )

    def test_a_member_that_does_not_share_is_absent(self) -> None:
        page = self._portfolio(self.system_admin).content.decode()
        self.assertNotIn("Westmoor", page)
        self.client.force_login(self.system_admin)
        api = self.client.get(
            f"/api/v1/organisations/{self.system.slug}/system/portfolio"
        ).json()
        self.assertEqual(
            [m["slug"] for m in api["members"]], ["northmoor", "southmoor"]
        )
        projects = self.client.get(
            reverse("system:projects", kwargs={"slug": self.system.slug})
        ).content.decode()
        self.assertIn("Hip fracture theatre within 36 hours", projects)
        self.assertNotIn("Westmoor secret pilot", projects)

    def test_only_what_is_shared_is_shown(self) -> None:
        save_sharing(self.south, portfolio=False, capability=True, readiness=False)
        self.client.force_login(self.system_admin)
        projects = self.client.get(
            reverse("system:projects", kwargs={"slug": self.system.slug})
        ).content.decode()
        self.assertNotIn("Virtual ward for frailty", projects)
        self.assertIn("Hip fracture theatre within 36 hours", projects)

    def test_turning_sharing_off_removes_it_at_once(self) -> None:
        self.assertIn("Northmoor", self._portfolio(self.system_admin).content.decode())
        self.client.force_login(self.north_admin)
        response = self.client.post(
            reverse("system:sharing", kwargs={"slug": self.north.slug}), {}
        )
        self.assertEqual(response.status_code, 302)
        self.client = Client()  # not the administrator's "Saved" message
        page = self._portfolio(self.system_admin).content.decode()
        self.assertIn("Southmoor", page)
        self.assertNotIn("Northmoor", page)

    def test_suppression_holds_on_the_page(self) -> None:
        page = self._portfolio(self.system_admin).content.decode()
        table = _text(page[page.index('id="capability-table"') :])
        table = table[: table.index("Readiness across members")]
        # Southmoor's 3 are suppressed, and Northmoor's 12 with them, since the
        # level's total (15) is shown: 15 - 12 would give the 3 away.
        self.assertIn("Northmoor NHS Trust 19 suppressed 7", table)
        self.assertIn("Southmoor NHS Trust 11 suppressed 8", table)
        self.assertIn("All members sharing 15 15", table)
        self.assertNotRegex(table, r"\b(3|12)\b")

    def test_suppression_holds_in_the_api(self) -> None:
        self.client.force_login(self.system_admin)
        found = self.client.get(
            f"/api/v1/organisations/{self.system.slug}/system/portfolio"
        ).json()["capability"]
        self.assertEqual(found["levels"], ["Awareness", "Practitioner"])
        self.assertEqual(
            [(m["member"], m["people"]) for m in found["members"]],
            [("northmoor", [None, 7]), ("southmoor", [None, 8])],
        )
        self.assertEqual(found["totals"], [15, 15])

    def test_project_titles_link_only_where_the_viewer_is_a_member(self) -> None:
        Membership.objects.create(
            user=self.system_admin, organisation=self.north, role=Role.VIEWER
        )
        self.client.force_login(self.system_admin)
        page = self.client.get(
            reverse("system:projects", kwargs={"slug": self.system.slug})
        ).content.decode()
        north = reverse(
            "projects:detail",
            kwargs={"slug": self.north.slug, "pk": self.north_project.pk},
        )
        south = reverse(
            "projects:detail",
            kwargs={"slug": self.south.slug, "pk": self.south_project.pk},
        )
        self.assertIn(f'href="{north}"', page)
        self.assertNotIn(south, page)
        self.assertIn("Virtual ward for frailty", page)

    def test_filters_and_a_bad_filter(self) -> None:
        self.client.force_login(self.system_admin)
        url = reverse("system:projects", kwargs={"slug": self.system.slug})
        page = self.client.get(url, {"status": "idea"}).content.decode()
        self.assertIn("Fewer missed doses", page)
        self.assertNotIn("Virtual ward for frailty", page)
        page = self.client.get(url, {"rating": "3.0"}).content.decode()
        self.assertIn("Hip fracture theatre", page)
        self.assertNotIn("Fewer missed doses", page)
        response = self.client.get(url, {"member": "westmoor", "rating": "9" * 500})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "from the list")
        self.assertNotContains(response, "Westmoor secret pilot")

    def test_query_counts_are_pinned_and_kept_per_member(self) -> None:
        self.client.force_login(self.system_admin)
        url = reverse("system:portfolio", kwargs={"slug": self.system.slug})
        with mock.patch("openqi.audit.kept._is_changed_here", return_value=False):
            with self.captureOnCommitCallbacks(execute=True):
                for member in (self.north, self.south, self.west):
                    data_changed(member.pk)  # nothing kept from before this test
            # The session, the user, their memberships, the members, their
            # sharing; each sharing member's parts (projects, priorities and
            # the capability coverage's five); the library, the system's own
            # priorities and projects.
            with self.assertNumQueries(5 + 2 * 7 + 3):
                self.client.get(url)
            # Kept: nothing of the members is read again, however many share.
            with self.assertNumQueries(8):
                self.assertEqual(self.client.get(url).status_code, 200)
            with self.assertNumQueries(5):
                self.client.get(
                    reverse("system:projects", kwargs={"slug": self.system.slug})
                )
            # A change in one member is seen at once; the other's part stays kept.
            with self.captureOnCommitCallbacks(execute=True):
                project = Project.objects.get(pk=self.north_project.pk)
                project.title = "Hip fracture theatre within 24 hours"
                project.save()
            with self.assertNumQueries(8 + 7):
                self.client.get(url)
            projects = self.client.get(
                reverse("system:projects", kwargs={"slug": self.system.slug})
            )
            self.assertContains(projects, "within 24 hours")


class SharingPageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        SystemCast.build(cls)

    def test_off_by_default(self) -> None:
        self.client.force_login(self.west_admin)
        response = self.client.get(
            reverse("system:sharing", kwargs={"slug": self.west.slug})
        )
        self.assertContains(
            response, "Sharing with Moorland-Ics Integrated Care System"
        )
        self.assertContains(response, "Shared now: nothing.")
        self.assertFalse(Sharing.objects.filter(organisation=self.west).exists())

    def test_an_administrator_shares_and_it_is_on_the_audit_trail(self) -> None:
        self.client.force_login(self.west_admin)
        url = reverse("system:sharing", kwargs={"slug": self.west.slug})
        response = self.client.post(url, {"readiness": "on"}, follow=True)
        self.assertContains(response, "shares our readiness for improvement")
        sharing = Sharing.objects.get(organisation=self.west)
        self.assertEqual(
            (sharing.portfolio, sharing.capability, sharing.readiness),
            (False, False, True),
        )
        event = AuditEvent.objects.filter(
            organisation=self.west, model="system.Sharing"
        ).get()
        self.assertEqual(event.actor, self.west_admin)

    def test_a_member_reads_but_cannot_change(self) -> None:
        self.client.force_login(self.north_member)
        url = reverse("system:sharing", kwargs={"slug": self.north.slug})
        response = self.client.get(url)
        self.assertContains(response, "Only an administrator")
        self.assertEqual(self.client.post(url, {}).status_code, 403)
        self.assertTrue(Sharing.objects.get(organisation=self.north).portfolio)

    def test_a_stale_version_is_refused_with_what_differs(self) -> None:
        sharing = Sharing.objects.get(organisation=self.north)
        old = sharing.version
        save_sharing(self.north, portfolio=True, capability=False, readiness=False)
        self.client.force_login(self.north_admin)
        response = self.client.post(
            reverse("system:sharing", kwargs={"slug": self.north.slug}),
            {"portfolio": "on", "readiness": "on", "version": old},
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Someone else saved this")
        self.assertFalse(Sharing.objects.get(organisation=self.north).readiness)

    def test_an_organisation_outside_any_system_is_told_so(self) -> None:
        self.client.force_login(self.system_admin)
        # The system itself belongs to no system.
        response = self.client.get(
            reverse("system:sharing", kwargs={"slug": self.system.slug})
        )
        self.assertContains(response, "does not belong to an integrated care system")

    def test_the_api_reads_and_changes_sharing(self) -> None:
        self.client.force_login(self.west_admin)
        url = f"/api/v1/organisations/{self.west.slug}/sharing"
        self.assertEqual(
            self.client.get(url).json(),
            {
                "organisation": "westmoor",
                "system": "moorland-ics",
                "portfolio": False,
                "capability": False,
                "readiness": False,
                "version": None,
            },
        )
        answer = self.client.patch(
            url, {"portfolio": True}, content_type="application/json"
        )
        self.assertEqual(answer.status_code, 200)
        self.assertTrue(answer.json()["portfolio"])
        bad = self.client.patch(
            url, {"portfolio": "perhaps"}, content_type="application/json"
        )
        self.assertEqual(bad.status_code, 422)
        stale = self.client.patch(
            url, {"version": 99, "readiness": True}, content_type="application/json"
        )
        self.assertEqual(stale.status_code, 409)
