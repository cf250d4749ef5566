from __future__ import annotations

import re

from django.core import mail

from openqi.organisations.models import Invitation, Role
from tests.base import BaseTestCase
from tests.factories import make_member
from tests.organisations.helpers import events_for


class InvitationListTests(BaseTestCase):
    url = "/organisations/northfield/invitations/"

    def invite(self, **data: object) -> object:
        return self.client.post(
            self.url, {"email": "New.Starter@example.org", "role": "member", **data}
        )

    def test_editor_sees_the_form_and_open_invitations(self) -> None:
        Invitation.create(
            organisation=self.org, email="waiting@example.org", role=Role.MEMBER
        )
        self.sign_in(self.editor)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("Invite someone", page)
        self.assertIn("waiting@example.org", page)

    def test_viewer_gets_403(self) -> None:
        self.sign_in(self.viewer)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.assertEqual(self.invite().status_code, 403)
        self.assertFalse(Invitation.objects.exists())
        self.assertEqual(mail.outbox, [])

    def test_plain_member_gets_403(self) -> None:
        self.sign_in(make_member(self.org, Role.PROJECT_LEAD))
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.assertEqual(self.invite().status_code, 403)

    def test_outsider_gets_404(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(self.invite().status_code, 404)
        self.assertFalse(Invitation.objects.exists())

    def test_editor_invites_someone_by_email(self) -> None:
        self.sign_in(self.editor)
        response = self.invite(role="project_lead", unit=self.team.pk)
        self.assertRedirects(response, self.url)
        invitation = Invitation.objects.get()
        self.assertEqual(invitation.email, "new.starter@example.org")
        self.assertEqual(
            (invitation.role, invitation.unit), (Role.PROJECT_LEAD, self.team)
        )
        self.assertEqual(invitation.invited_by, self.editor)
        [message] = mail.outbox
        self.assertEqual(message.to, ["new.starter@example.org"])
        self.assertIn("Northfield Hospitals NHS Trust", message.subject)
        self.assertIn("Ada Editor has invited you", message.body)
        token = re.search(
            r"http://testserver/accounts/invitations/([^/\s]+)/", message.body
        )
        self.assertIsNotNone(token, message.body)
        self.assertEqual(Invitation.find(token.group(1)), invitation)  # type: ignore[union-attr]

    def test_invitation_is_audited_without_its_token(self) -> None:
        self.sign_in(self.editor)
        self.invite()
        [event] = events_for(self.org, "organisations.Invitation", action="create")
        self.assertEqual(event.actor, self.editor)
        self.assertEqual(event.after["email"], "new.starter@example.org")
        self.assertNotIn("token_hash", event.after)

    def test_inviting_again_replaces_the_open_invitation(self) -> None:
        self.sign_in(self.editor)
        self.invite()
        first = Invitation.objects.get()
        self.invite(role="qi_team")
        first.refresh_from_db()
        self.assertIsNotNone(first.revoked_at)
        [current] = [i for i in Invitation.objects.all() if i.is_open]
        self.assertEqual(current.role, Role.QI_TEAM)
        self.assertEqual(len(mail.outbox), 2)

    def test_inviting_a_member_is_refused(self) -> None:
        self.sign_in(self.editor)
        response = self.invite(email=self.viewer.email.upper())
        self.assertEqual(response.status_code, 200)
        self.assertIn("is already a member of Northfield", response.content.decode())
        self.assertFalse(Invitation.objects.exists())
        self.assertEqual(mail.outbox, [])

    def test_bad_input_is_shown_and_changes_nothing(self) -> None:
        self.sign_in(self.editor)
        response = self.invite(email="not an address", role="emperor")
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("There is a problem", page)
        self.assertIn("Enter a valid email address.", page)
        self.assertFalse(Invitation.objects.exists())
        self.assertEqual(mail.outbox, [])


class InvitationRevokeTests(BaseTestCase):
    def setUp(self) -> None:
        self.invitation, _ = Invitation.create(
            organisation=self.org, email="waiting@example.org", role=Role.MEMBER
        )
        self.url = f"/organisations/northfield/invitations/{self.invitation.pk}/revoke/"

    def test_editor_revokes_and_it_is_audited(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(self.url, follow=True)
        self.assertRedirects(response, "/organisations/northfield/invitations/")
        self.assertIn(
            "Invitation for waiting@example.org revoked.", response.content.decode()
        )
        self.invitation.refresh_from_db()
        self.assertFalse(self.invitation.is_open)
        [event] = events_for(self.org, "organisations.Invitation", action="update")
        self.assertEqual(event.actor, self.editor)
        self.assertEqual([name for name, _, _ in event.changes()], ["revoked_at"])

    def test_revoking_twice_says_so(self) -> None:
        self.sign_in(self.editor)
        self.client.post(self.url)
        response = self.client.post(self.url, follow=True)
        self.assertIn("is no longer open", response.content.decode())

    def test_viewer_gets_403(self) -> None:
        self.sign_in(self.viewer)
        self.assertEqual(self.client.post(self.url).status_code, 403)
        self.invitation.refresh_from_db()
        self.assertTrue(self.invitation.is_open)

    def test_outsider_gets_404(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.post(self.url).status_code, 404)
        response = self.client.post(
            f"/organisations/southmere/invitations/{self.invitation.pk}/revoke/"
        )
        self.assertEqual(response.status_code, 404)
        self.invitation.refresh_from_db()
        self.assertTrue(self.invitation.is_open)
