"""Multi-factor authentication (allauth.mfa, TOTP) and the organisation rule
that its administrators must use it."""

from __future__ import annotations

import re
import time

from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.core.cache import cache
from django.urls import reverse

from openqi.organisations.models import Organisation
from tests.base import BaseTestCase

SIGN_IN = reverse("accounts:sign_in")


def _code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


class MfaSignInTests(BaseTestCase):
    def setUp(self) -> None:
        cache.clear()
        self.secret = generate_totp_secret()
        TOTP.activate(self.editor, self.secret)

    def _password_step(self):  # type: ignore[no-untyped-def]
        return self.client.post(
            SIGN_IN, {"login": self.editor.email, "password": self.password}
        )

    def test_person_with_an_authenticator_is_asked_for_its_code(self) -> None:
        response = self._password_step()
        self.assertRedirects(
            response, reverse("mfa_authenticate"), fetch_redirect_response=False
        )
        self.assertNotIn("_auth_user_id", self.client.session)
        page = self.client.get(reverse("mfa_authenticate"))
        self.assertContains(page, "Enter the code from your authenticator app")

    def test_wrong_code_signs_no_one_in(self) -> None:
        self._password_step()
        response = self.client.post(reverse("mfa_authenticate"), {"code": "000000"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "There is a problem")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_right_code_signs_in(self) -> None:
        self._password_step()
        response = self.client.post(
            reverse("mfa_authenticate"), {"code": _code(self.secret)}
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(int(self.client.session["_auth_user_id"]), self.editor.pk)

    def test_person_without_an_authenticator_signs_in_with_the_password(self) -> None:
        response = self.client.post(
            SIGN_IN, {"login": self.viewer.email, "password": self.password}
        )
        self.assertRedirects(
            response, reverse("core:home"), fetch_redirect_response=False
        )


class MfaSetUpTests(BaseTestCase):
    def test_person_confirms_their_password_then_sets_up_an_authenticator_app(
        self,
    ) -> None:
        self.sign_in(self.viewer)
        response = self.client.get(reverse("mfa_activate_totp"))
        self.assertEqual(response.status_code, 302)
        confirm = self.client.get(response["Location"])
        self.assertContains(confirm, "Enter your password again")
        self.client.post(response["Location"], {"password": self.password})
        page = self.client.get(reverse("mfa_activate_totp"))
        self.assertContains(page, "Set up an authenticator app")
        self.assertContains(page, "<svg")
        secret = re.search(r"Key: <code>(\w+)</code>", page.content.decode()).group(1)
        response = self.client.post(
            reverse("mfa_activate_totp"), {"code": _code(secret)}
        )
        self.assertEqual(response.status_code, 302)
        index = self.client.get(reverse("mfa_index"))
        self.assertContains(index, "An authenticator app is set up")


class AdministratorsMustUseMfaTests(BaseTestCase):
    def setUp(self) -> None:
        Organisation.objects.filter(pk=self.org.pk).update(admins_must_use_mfa=True)
        self.detail = reverse("organisations:detail", kwargs={"slug": "northfield"})

    def test_administrator_without_mfa_is_sent_to_set_it_up(self) -> None:
        self.sign_in(self.editor)
        response = self.client.get(self.detail, follow=True)
        self.assertRedirects(response, reverse("mfa_index"))
        self.assertContains(response, "asks its administrators to use multi-factor")

    def test_administrator_with_mfa_reaches_the_pages(self) -> None:
        TOTP.activate(self.editor, generate_totp_secret())
        self.sign_in(self.editor)
        self.assertEqual(self.client.get(self.detail).status_code, 200)

    def test_other_roles_are_not_asked(self) -> None:
        self.sign_in(self.viewer)
        self.assertEqual(self.client.get(self.detail).status_code, 200)

    def test_rule_applies_only_to_the_organisation_that_sets_it(self) -> None:
        self.sign_in(self.outsider)
        response = self.client.get(
            reverse("organisations:detail", kwargs={"slug": "southmere"})
        )
        self.assertEqual(response.status_code, 200)

    def test_administrator_turns_the_rule_on_only_with_mfa_of_their_own(self) -> None:
        Organisation.objects.filter(pk=self.org.pk).update(admins_must_use_mfa=False)
        url = reverse("organisations:security", kwargs={"slug": "northfield"})
        self.sign_in(self.editor)
        response = self.client.post(url, {"admins_must_use_mfa": "on"})
        self.assertContains(response, "Set up multi-factor authentication for yourself")
        self.org.refresh_from_db()
        self.assertFalse(self.org.admins_must_use_mfa)
        TOTP.activate(self.editor, generate_totp_secret())
        self.client.post(url, {"admins_must_use_mfa": "on"})
        self.org.refresh_from_db()
        self.assertTrue(self.org.admins_must_use_mfa)
