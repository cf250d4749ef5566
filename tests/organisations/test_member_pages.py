from __future__ import annotations

from openqi.audit.models import AuditEvent
from openqi.organisations.models import Membership, Role
from tests.base import BaseTestCase
from tests.factories import make_member
from tests.organisations.helpers import events_for


class MemberListTests(BaseTestCase):
    url = "/organisations/northfield/members/"

    def test_editor_sees_everyone_with_a_change_link(self) -> None:
        self.sign_in(self.editor)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        for text in (
            "Ada Editor",
            "Vic Viewer",
            self.viewer.email,
            "Administrator",
            "Viewer",
        ):
            self.assertIn(text, page)
        viewer_membership = Membership.objects.get(user=self.viewer)
        self.assertIn(
            f"/organisations/northfield/members/{viewer_membership.pk}/", page
        )

    def test_viewer_sees_everyone_without_actions(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("Ada Editor", page)
        self.assertNotIn("Change", page)

    def test_plain_member_sees_everyone(self) -> None:
        self.sign_in(make_member(self.org, Role.MEMBER, full_name="Mo Member"))
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertIn("Mo Member", response.content.decode())

    def test_outsider_gets_404(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_members_of_other_organisations_are_not_listed(self) -> None:
        self.sign_in(self.editor)
        self.assertNotIn("Olu Outsider", self.client.get(self.url).content.decode())


class MemberEditTests(BaseTestCase):
    def membership(self, user: object) -> Membership:
        return Membership.objects.get(user=user, organisation=self.org)

    def url(self, user: object) -> str:
        return f"/organisations/northfield/members/{self.membership(user).pk}/"

    def test_editor_changes_role_and_unit_and_it_is_audited(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(
            self.url(self.viewer), {"role": "project_lead", "unit": self.team.pk}
        )
        self.assertRedirects(response, "/organisations/northfield/members/")
        membership = self.membership(self.viewer)
        self.assertEqual(
            (membership.role, membership.unit), (Role.PROJECT_LEAD, self.team)
        )
        [event] = events_for(self.org, "organisations.Membership", action="update")
        self.assertEqual(event.actor, self.editor)
        self.assertEqual(
            event.changes(),
            [("role", "viewer", "project_lead"), ("unit_id", None, self.team.pk)],
        )

    def test_editor_sees_the_form(self) -> None:
        self.sign_in(self.editor)
        response = self.client.get(self.url(self.viewer))
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("Change Vic Viewer", page)
        self.assertIn("Remove Vic Viewer", page)
        pk = self.membership(self.viewer).pk
        self.assertIn(f'action="/organisations/northfield/members/{pk}/remove/"', page)

    def test_viewer_gets_403(self) -> None:
        self.sign_in(self.viewer)
        self.assertEqual(self.client.get(self.url(self.viewer)).status_code, 403)
        response = self.client.post(self.url(self.viewer), {"role": "admin"})
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.membership(self.viewer).role, Role.VIEWER)

    def test_plain_member_gets_403(self) -> None:
        member = make_member(self.org, Role.QI_TEAM)
        self.sign_in(member)
        self.assertEqual(
            self.client.post(self.url(member), {"role": "admin"}).status_code, 403
        )
        self.assertEqual(self.membership(member).role, Role.QI_TEAM)

    def test_outsider_gets_404_even_through_their_own_organisation(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(self.url(self.viewer)).status_code, 404)
        pk = self.membership(self.viewer).pk
        response = self.client.post(
            f"/organisations/southmere/members/{pk}/", {"role": "admin"}
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.membership(self.viewer).role, Role.VIEWER)

    def test_the_last_administrator_cannot_be_demoted(self) -> None:
        self.sign_in(self.editor)
        before = AuditEvent.objects.count()
        response = self.client.post(
            self.url(self.editor), {"role": "member", "unit": ""}
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("Ada Editor is the only administrator", response.content.decode())
        self.assertEqual(self.membership(self.editor).role, Role.ADMIN)
        self.assertEqual(AuditEvent.objects.count(), before)

    def test_an_administrator_may_step_down_when_another_remains(self) -> None:
        make_member(self.org, Role.ADMIN, full_name="Bea Backup")
        self.sign_in(self.editor)
        response = self.client.post(
            self.url(self.editor), {"role": "member", "unit": ""}
        )
        self.assertRedirects(response, "/organisations/northfield/members/")
        self.assertEqual(self.membership(self.editor).role, Role.MEMBER)

    def test_bad_input_is_shown_and_changes_nothing(self) -> None:
        self.sign_in(self.editor)
        elsewhere_unit = self.other_org.units.create(
            name="Southmere team", level="division"
        )
        response = self.client.post(
            self.url(self.viewer), {"role": "emperor", "unit": elsewhere_unit.pk}
        )
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("There is a problem", page)
        self.assertIn("Select a valid choice", page)
        membership = self.membership(self.viewer)
        self.assertEqual((membership.role, membership.unit), (Role.VIEWER, None))


class MemberRemoveTests(BaseTestCase):
    def url(self, user: object) -> str:
        pk = Membership.objects.get(user=user, organisation=self.org).pk
        return f"/organisations/northfield/members/{pk}/remove/"

    def test_editor_removes_a_member_and_it_is_audited(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(self.url(self.viewer), follow=True)
        self.assertRedirects(response, "/organisations/northfield/members/")
        self.assertIn("Vic Viewer removed from", response.content.decode())
        self.assertFalse(Membership.objects.filter(user=self.viewer).exists())
        [event] = events_for(self.org, "organisations.Membership", action="delete")
        self.assertEqual(event.actor, self.editor)
        self.assertEqual(event.before["role"], "viewer")

    def test_the_last_administrator_cannot_be_removed(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(self.url(self.editor), follow=True)
        self.assertIn("is the only administrator", response.content.decode())
        self.assertTrue(
            Membership.objects.filter(user=self.editor, organisation=self.org).exists()
        )

    def test_an_administrator_leaving_goes_home(self) -> None:
        make_member(self.org, Role.ADMIN, full_name="Bea Backup")
        self.sign_in(self.editor)
        response = self.client.post(self.url(self.editor))
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        self.assertFalse(Membership.objects.filter(user=self.editor).exists())

    def test_viewer_gets_403(self) -> None:
        self.sign_in(self.viewer)
        self.assertEqual(self.client.post(self.url(self.viewer)).status_code, 403)
        self.assertTrue(Membership.objects.filter(user=self.viewer).exists())

    def test_outsider_gets_404(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.post(self.url(self.viewer)).status_code, 404)
        self.assertTrue(Membership.objects.filter(user=self.viewer).exists())

    def test_get_is_not_allowed(self) -> None:
        self.sign_in(self.editor)
        self.assertEqual(self.client.get(self.url(self.viewer)).status_code, 405)
