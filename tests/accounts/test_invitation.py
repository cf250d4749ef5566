from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from openqi.accounts.models import User
from openqi.accounts.services import (
    InvitationClosed,
    InvitationForSomeoneElse,
    NewPerson,
    accept_invitation,
)
from openqi.organisations.models import Invitation, Membership, Role
from tests.base import BaseTestCase

NEW_PERSON = {
    "full_name": "Wren Fairweather",
    "password1": "a-long-unusual-passphrase",
    "password2": "a-long-unusual-passphrase",
}


class InvitationTests(BaseTestCase):
    def _invite(self, email: str = "wren@example.org", **fields):  # type: ignore[no-untyped-def]
        fields.setdefault("role", Role.PROJECT_LEAD)
        invitation, raw = Invitation.create(
            organisation=self.org, email=email, invited_by=self.editor, **fields
        )
        return invitation, reverse("accounts:invitation", kwargs={"token": raw})

    def test_page_shows_organisation_and_role(self) -> None:
        _, url = self._invite()
        response = self.client.get(url)
        self.assertContains(response, "Join Northfield Hospitals NHS Trust")
        self.assertContains(response, "Project lead")
        self.assertContains(response, "Ada Editor")
        self.assertContains(response, "Create your account")

    def test_unknown_token_is_404(self) -> None:
        response = self.client.get(
            reverse("accounts:invitation", kwargs={"token": "made-up"})
        )
        self.assertEqual(response.status_code, 404)

    def test_new_person_sets_name_and_password_and_joins(self) -> None:
        invitation, url = self._invite()
        response = self.client.post(url, NEW_PERSON)
        self.assertEqual(response.status_code, 302)
        user = User.objects.get(email="wren@example.org")
        self.assertEqual(user.full_name, "Wren Fairweather")
        self.assertTrue(user.check_password(NEW_PERSON["password1"]))
        membership = Membership.objects.get(user=user)
        self.assertEqual(
            (membership.organisation, membership.role), (self.org, Role.PROJECT_LEAD)
        )
        invitation.refresh_from_db()
        self.assertIsNotNone(invitation.accepted_at)
        self.assertEqual(int(self.client.session["_auth_user_id"]), user.pk)

    def test_bad_details_re_show_with_errors_and_change_nothing(self) -> None:
        invitation, url = self._invite()
        for data, message in (
            ({}, "Enter your full name"),
            (
                {**NEW_PERSON, "password2": "something-else-entirely"},
                "The two passwords do not match",
            ),
            (
                {**NEW_PERSON, "password1": "short", "password2": "short"},
                "This password is too short",
            ),
        ):
            with self.subTest(message=message):
                response = self.client.post(url, data)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "There is a problem")
                self.assertContains(response, message)
        self.assertFalse(User.objects.filter(email="wren@example.org").exists())
        invitation.refresh_from_db()
        self.assertIsNone(invitation.accepted_at)

    def test_signed_in_person_just_accepts(self) -> None:
        invitation, url = self._invite(email=self.outsider.email, role=Role.VIEWER)
        self.sign_in(self.outsider)
        response = self.client.get(url)
        self.assertContains(response, "Accept the invitation")
        self.assertNotContains(response, "Create your account")
        response = self.client.post(url)
        self.assertEqual(response.status_code, 302)
        membership = Membership.objects.get(user=self.outsider, organisation=self.org)
        self.assertEqual(membership.role, Role.VIEWER)
        invitation.refresh_from_db()
        self.assertIsNotNone(invitation.accepted_at)

    def test_existing_member_keeps_their_role(self) -> None:
        invitation, url = self._invite(email=self.viewer.email, role=Role.ADMIN)
        self.sign_in(self.viewer)
        self.client.post(url)
        self.assertEqual(
            Membership.objects.get(user=self.viewer, organisation=self.org).role,
            Role.VIEWER,
        )
        invitation.refresh_from_db()
        self.assertIsNotNone(invitation.accepted_at)

    def test_someone_with_an_account_is_asked_to_sign_in(self) -> None:
        invitation, url = self._invite(email=self.outsider.email)
        response = self.client.get(url)
        self.assertContains(response, "Sign in to accept")
        response = self.client.post(url, NEW_PERSON)
        self.assertEqual(response.status_code, 200)
        self.assertFalse(
            Membership.objects.filter(
                user=self.outsider, organisation=self.org
            ).exists()
        )
        invitation.refresh_from_db()
        self.assertIsNone(invitation.accepted_at)

    def test_closed_invitations_say_why_and_cannot_be_used(self) -> None:
        cases = {
            "This invitation has expired.": {
                "expires_at": timezone.now() - timedelta(minutes=1)
            },
            "This invitation has been withdrawn.": {"revoked_at": timezone.now()},
            "This invitation has already been used.": {"accepted_at": timezone.now()},
        }
        for n, (message, fields) in enumerate(cases.items()):
            with self.subTest(message=message):
                invitation, url = self._invite(email=f"closed{n}@example.org")
                Invitation.objects.filter(pk=invitation.pk).update(**fields)
                response = self.client.get(url)
                self.assertContains(response, message)
                self.assertContains(response, "This invitation cannot be used")
                response = self.client.post(url, NEW_PERSON)
                self.assertContains(response, message)
                self.assertFalse(
                    User.objects.filter(email=f"closed{n}@example.org").exists()
                )

    def test_accept_invitation_refuses_a_closed_invitation(self) -> None:
        invitation, _ = self._invite()
        accept_invitation(
            invitation,
            NewPerson(full_name="Wren Fairweather", password="x-y-z-long-one"),
        )
        with self.assertRaises(InvitationClosed):
            accept_invitation(invitation, self.outsider)
        self.assertFalse(
            Membership.objects.filter(
                user=self.outsider, organisation=self.org
            ).exists()
        )


class InvitationBoundToAddressTests(BaseTestCase):
    """An invitation can be accepted only by the address it was sent to."""

    def _invite(self, email: str, role: str = Role.ADMIN):  # type: ignore[no-untyped-def]
        invitation, raw = Invitation.create(
            organisation=self.org, email=email, role=role, invited_by=self.editor
        )
        return invitation, reverse("accounts:invitation", kwargs={"token": raw})

    def test_someone_signed_in_as_another_address_cannot_accept(self) -> None:
        invitation, url = self._invite("new.admin@example.org")
        self.sign_in(self.outsider)
        response = self.client.post(url)
        self.assertEqual(response.status_code, 403)
        self.assertContains(
            response, "You are signed in as someone else", status_code=403
        )
        self.assertFalse(
            Membership.objects.filter(
                user=self.outsider, organisation=self.org
            ).exists()
        )
        invitation.refresh_from_db()
        self.assertIsNone(invitation.accepted_at)

    def test_page_tells_them_to_sign_out_and_sign_in_as_the_invited_address(
        self,
    ) -> None:
        _, url = self._invite("new.admin@example.org")
        self.sign_in(self.outsider)
        response = self.client.get(url)
        self.assertContains(response, "This invitation is for new.admin@example.org")
        self.assertContains(response, "sign in as new.admin@example.org")
        self.assertContains(response, "Sign out and continue")
        self.assertNotContains(response, "Accept the invitation")

    def test_signing_out_from_the_invitation_returns_to_it(self) -> None:
        _, url = self._invite("new.admin@example.org")
        self.sign_in(self.outsider)
        response = self.client.post(reverse("accounts:sign_out"), {"next": url})
        self.assertRedirects(response, url)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_sign_out_ignores_a_next_on_another_site(self) -> None:
        self.sign_in(self.outsider)
        response = self.client.post(
            reverse("accounts:sign_out"), {"next": "https://evil.example/"}
        )
        self.assertRedirects(response, reverse("accounts:sign_in"))

    def test_address_is_compared_without_regard_to_case(self) -> None:
        invitation, url = self._invite(self.outsider.email.upper(), role=Role.VIEWER)
        self.sign_in(self.outsider)
        response = self.client.post(url)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(
            Membership.objects.filter(
                user=self.outsider, organisation=self.org
            ).exists()
        )

    def test_service_refuses_a_person_with_another_address(self) -> None:
        invitation, _ = self._invite("new.admin@example.org")
        with self.assertRaises(InvitationForSomeoneElse):
            accept_invitation(invitation, self.outsider)
        invitation.refresh_from_db()
        self.assertIsNone(invitation.accepted_at)

    def test_new_person_is_registered_with_the_invited_address(self) -> None:
        _, url = self._invite("new.admin@example.org")
        self.client.post(url, {**NEW_PERSON, "email": "someone.else@example.org"})
        self.assertTrue(User.objects.filter(email="new.admin@example.org").exists())
        self.assertFalse(User.objects.filter(email="someone.else@example.org").exists())
