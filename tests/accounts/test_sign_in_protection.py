"""Rate limits and lockout on signing in and password reset; the sign-in trail;
API tokens revoked when the password changes."""

from __future__ import annotations

import re

from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from openqi.accounts.models import ApiToken
from openqi.audit.models import SignInEvent
from tests.base import BaseTestCase
from tests.factories import make_member

SIGN_IN = reverse("accounts:sign_in")


def _limits(**rates: str) -> dict[str, str]:
    return {**settings.ACCOUNT_RATE_LIMITS, **rates}


class LockoutTests(BaseTestCase):
    def setUp(self) -> None:
        cache.clear()

    def _try(self, email: str, password: str = "wrong-password", **extra: str):  # type: ignore[no-untyped-def]
        return self.client.post(
            SIGN_IN, {"login": email, "password": password}, **extra
        )

    @override_settings(
        ACCOUNT_RATE_LIMITS=_limits(login_failed="100/15m/ip,3/15m/key"),
        SIGN_IN_LOCKOUT_MINUTES=15,
    )
    def test_address_is_locked_after_too_many_failures_even_with_the_right_password(
        self,
    ) -> None:
        for _ in range(3):
            self.assertContains(self._try(self.editor.email), "is not right")
        response = self._try(self.editor.email, self.password)
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertContains(response, "You have tried to sign in too many times")
        self.assertContains(response, "Wait 15 minutes, then try again")
        self.assertContains(response, "reset it with the link")

    @override_settings(ACCOUNT_RATE_LIMITS=_limits(login_failed="100/15m/ip,3/15m/key"))
    def test_lockout_of_one_address_leaves_others_signing_in(self) -> None:
        for _ in range(4):
            self._try(self.editor.email)
        response = self._try(self.viewer.email, self.password)
        self.assertEqual(response.status_code, 302)

    @override_settings(ACCOUNT_RATE_LIMITS=_limits(login_failed="3/15m/ip,100/15m/key"))
    def test_many_addresses_tried_from_one_ip_address_are_locked_out(self) -> None:
        for n in range(3):
            self._try(f"guess{n}@example.org")
        response = self._try(self.viewer.email, self.password)
        self.assertContains(response, "You have tried to sign in too many times")
        self.assertEqual(
            self._try(self.viewer.email, self.password, REMOTE_ADDR="10.9.8.7")[
                "Location"
            ],
            reverse("core:home"),
        )

    @override_settings(ACCOUNT_RATE_LIMITS=_limits(login="2/m/ip"))
    def test_too_many_sign_in_posts_from_one_address_are_refused(self) -> None:
        self._try(self.editor.email)
        self._try(self.editor.email)
        response = self._try(self.editor.email, self.password)
        self.assertContains(response, "You have tried to sign in too many times")
        self.assertNotIn("_auth_user_id", self.client.session)

    @override_settings(ACCOUNT_RATE_LIMITS=_limits(reset_password="100/h/ip,2/h/key"))
    def test_password_reset_is_limited_per_address(self) -> None:
        url = reverse("accounts:password_reset")
        for _ in range(2):
            self.client.post(url, {"email": self.editor.email})
        response = self.client.post(url, {"email": self.editor.email})
        self.assertContains(response, "You have asked to reset the password too many")
        self.assertEqual(len(mail.outbox), 2)


class SignInTrailTests(BaseTestCase):
    def setUp(self) -> None:
        cache.clear()

    def _kinds(self, **filters: object) -> list[str]:
        return list(
            SignInEvent.objects.filter(**filters)
            .order_by("at", "pk")
            .values_list("kind", flat=True)
        )

    def test_failed_and_successful_sign_ins_and_signing_out_are_recorded(self) -> None:
        self.client.post(SIGN_IN, {"login": self.editor.email, "password": "nope"})
        self.client.post(
            SIGN_IN, {"login": self.editor.email, "password": self.password}
        )
        self.client.post(reverse("accounts:sign_out"))
        self.assertEqual(
            self._kinds(user=self.editor),
            ["sign_in_failed", "signed_in", "signed_out"],
        )
        event = SignInEvent.objects.filter(user=self.editor).first()
        self.assertEqual(event.ip_address, "127.0.0.1")

    def test_failure_for_an_unknown_address_keeps_the_address(self) -> None:
        self.client.post(SIGN_IN, {"login": "nobody@example.org", "password": "x"})
        event = SignInEvent.objects.get()
        self.assertEqual(
            (event.user, event.email, event.kind),
            (None, "nobody@example.org", "sign_in_failed"),
        )

    @override_settings(ACCOUNT_RATE_LIMITS=_limits(login_failed="100/m/ip,1/m/key"))
    def test_lockout_is_recorded(self) -> None:
        for _ in range(2):
            self.client.post(SIGN_IN, {"login": self.viewer.email, "password": "x"})
        self.assertIn("locked_out", self._kinds(user=self.viewer))

    def test_token_issue_and_revocation_are_recorded(self) -> None:
        self.sign_in(self.viewer)
        self.client.post(reverse("accounts:tokens"), {"name": "Uploads"})
        token = ApiToken.objects.get(user=self.viewer)
        self.client.post(reverse("accounts:token_revoke", kwargs={"pk": token.pk}))
        self.assertEqual(
            self._kinds(user=self.viewer, kind__startswith="token"),
            ["token_issued", "token_revoked"],
        )

    def test_administrator_reads_sign_in_events_of_members_only(self) -> None:
        stranger = make_member(self.other_org, "viewer", full_name="Stan Stranger")
        self.client.post(SIGN_IN, {"login": self.viewer.email, "password": "nope"})
        self.client.post(SIGN_IN, {"login": stranger.email, "password": "nope"})
        self.sign_in(self.editor)
        response = self.client.get(
            reverse("audit:sign_ins", kwargs={"slug": "northfield"})
        )
        self.assertContains(response, "Vic Viewer")
        self.assertContains(response, "Sign-in failed")
        self.assertNotContains(response, "Stan Stranger")

    def test_person_sees_their_own_recent_activity_on_the_profile(self) -> None:
        self.client.post(SIGN_IN, {"login": self.viewer.email, "password": "nope"})
        self.sign_in(self.viewer)
        response = self.client.get(reverse("accounts:profile"))
        self.assertContains(response, "Recent activity on your account")
        self.assertContains(response, "Sign-in failed")


class TokensRevokedWithPasswordTests(BaseTestCase):
    def test_changing_the_password_revokes_api_tokens_and_says_so(self) -> None:
        ApiToken.issue(self.editor, "Uploads")
        ApiToken.issue(self.editor, "Reports")
        ApiToken.issue(self.viewer, "Someone else's")
        self.sign_in(self.editor)
        response = self.client.post(
            reverse("accounts:password_change"),
            {
                "old_password": self.password,
                "new_password1": "another-long-passphrase",
                "new_password2": "another-long-passphrase",
            },
            follow=True,
        )
        self.assertContains(response, "Your 2 API tokens have been revoked")
        self.assertFalse(ApiToken.objects.active().filter(user=self.editor).exists())
        self.assertTrue(ApiToken.objects.active().filter(user=self.viewer).exists())
        event = SignInEvent.objects.get(user=self.editor, kind="password_changed")
        self.assertIn("2 API tokens revoked", event.detail)

    def test_resetting_the_password_revokes_api_tokens(self) -> None:
        ApiToken.issue(self.viewer, "Uploads")
        self.client.post(
            reverse("accounts:password_reset"), {"email": self.viewer.email}
        )
        link = re.search(
            r"http://testserver(/accounts/password-reset/\S+)", mail.outbox[0].body
        )
        form_url = self.client.get(link.group(1))["Location"]
        self.client.post(
            form_url,
            {
                "new_password1": "another-long-passphrase",
                "new_password2": "another-long-passphrase",
            },
        )
        self.viewer.refresh_from_db()
        self.assertTrue(self.viewer.check_password("another-long-passphrase"))
        self.assertFalse(ApiToken.objects.active().filter(user=self.viewer).exists())

    def test_signing_in_does_not_revoke_tokens(self) -> None:
        ApiToken.issue(self.viewer, "Uploads")
        self.client.post(
            SIGN_IN, {"login": self.viewer.email, "password": self.password}
        )
        self.assertTrue(ApiToken.objects.active().filter(user=self.viewer).exists())
