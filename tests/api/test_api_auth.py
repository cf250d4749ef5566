"""Signing in to the API: a browser session (with CSRF for changes) or a personal token."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openqi.accounts.models import ApiToken
from openqi.audit.models import AuditEvent
from tests.api.base import SESSION, TOKEN, ApiTestCase


class ApiAuthTests(ApiTestCase):
    def setUp(self) -> None:
        self.me = reverse("api:me")
        self.units = reverse("api:units", kwargs={"slug": "northfield"})

    def test_session_signs_in(self) -> None:
        response = self.call("get", self.me, self.viewer, via=SESSION)
        self.assertEqual(response.json()["email"], self.viewer.email)

    def test_token_signs_in_and_records_its_use(self) -> None:
        raw = self.token_for(self.viewer)
        response = self.client.get(self.me, HTTP_AUTHORIZATION=f"Bearer {raw}")
        self.assertEqual(response.json()["email"], self.viewer.email)
        self.assertIsNotNone(ApiToken.objects.get(user=self.viewer).last_used_at)

    def test_anonymous_gets_401_saying_how_to_sign_in(self) -> None:
        body = self.assert_error(self.client.get(self.me), 401)
        self.assertIn("/accounts/tokens/", body["error"])
        self.assertEqual(
            self.client.get(self.me)["WWW-Authenticate"], 'Bearer realm="OpenQI API"'
        )

    def test_revoked_token_gets_401(self) -> None:
        token, raw = ApiToken.issue(self.editor, "old script")
        token.revoked_at = timezone.now()
        token.save()
        response = self.client.get(self.me, HTTP_AUTHORIZATION=f"Bearer {raw}")
        body = self.assert_error(response, 401)
        self.assertIn("revoked or expired", body["error"])

    def test_expired_token_gets_401(self) -> None:
        raw = self.token_for(
            self.editor, expires_at=timezone.now() - timedelta(minutes=1)
        )
        self.assert_error(
            self.client.get(self.me, HTTP_AUTHORIZATION=f"Bearer {raw}"), 401
        )

    def test_mistyped_token_or_scheme_gets_401(self) -> None:
        raw = self.token_for(self.editor)
        for header in (f"Bearer {raw}x", f"Token {raw}", "Bearer ", "Bearer oqi_"):
            with self.subTest(header):
                response = self.client.get(self.me, HTTP_AUTHORIZATION=header)
                self.assert_error(response, 401)

    def test_a_bad_token_is_refused_even_with_a_session(self) -> None:
        self.client.force_login(self.editor)
        response = self.client.get(self.me, HTTP_AUTHORIZATION="Bearer oqi_not-a-token")
        self.assert_error(response, 401)

    def test_session_change_without_csrf_token_gets_403(self) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.editor)
        response = client.post(
            self.units,
            {"name": "Surgery", "level": "division"},
            content_type="application/json",
        )
        body = self.assert_error(response, 403)
        self.assertIn("X-CSRFToken", body["error"])
        self.assertFalse(self.org.units.filter(name="Surgery").exists())

    def test_session_change_with_csrf_token_succeeds(self) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.editor)
        client.get(reverse("api:openapi-view"))  # sets the csrftoken cookie
        token = client.cookies["csrftoken"].value
        response = client.post(
            self.units,
            {"name": "Surgery", "level": "division"},
            content_type="application/json",
            HTTP_X_CSRFTOKEN=token,
        )
        self.assertEqual(response.status_code, 201, response.content)

    def test_session_read_needs_no_csrf_token(self) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.viewer)
        self.assertEqual(client.get(self.units).status_code, 200)

    def test_token_change_needs_no_csrf_token(self) -> None:
        client = Client(enforce_csrf_checks=True)
        response = client.post(
            self.units,
            {"name": "Surgery", "level": "division"},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {self.token_for(self.editor)}",
        )
        self.assertEqual(response.status_code, 201, response.content)

    def test_changes_by_token_are_attributed_to_its_user_via_api(self) -> None:
        response = self.call(
            "post",
            self.units,
            self.editor,
            via=TOKEN,
            data={"name": "Surgery", "level": "division"},
        )
        self.assertEqual(response.status_code, 201)
        event = AuditEvent.objects.get(
            model="organisations.Unit", object_repr="Surgery"
        )
        self.assertEqual((event.actor, event.via), (self.editor, "api"))
        self.assertEqual(event.after["name"], "Surgery")

    def test_changes_by_session_are_attributed_via_api(self) -> None:
        self.call(
            "post",
            self.units,
            self.editor,
            via=SESSION,
            data={"name": "Surgery", "level": "division"},
        )
        event = AuditEvent.objects.get(
            model="organisations.Unit", object_repr="Surgery"
        )
        self.assertEqual((event.actor, event.via), (self.editor, "api"))


class ApiTokenRateLimitTests(ApiTestCase):
    """Token use is rate-limited per address (bad tokens) and per person (calls)."""

    def setUp(self) -> None:
        from django.core.cache import cache

        cache.clear()
        self.me = reverse("api:me")

    def test_repeated_bad_tokens_from_one_address_get_429_then_even_a_good_one(
        self,
    ) -> None:
        from django.conf import settings
        from django.test import override_settings

        raw = self.token_for(self.viewer)
        limits = {**settings.ACCOUNT_RATE_LIMITS, "api_token_failed": "3/m/ip"}
        with override_settings(ACCOUNT_RATE_LIMITS=limits):
            for n in range(3):
                self.assert_error(
                    self.client.get(self.me, HTTP_AUTHORIZATION=f"Bearer oqi_guess{n}"),
                    401,
                )
            body = self.assert_error(
                self.client.get(self.me, HTTP_AUTHORIZATION=f"Bearer {raw}"), 429
            )
            self.assertIn("Wait a minute", body["error"])
            other = self.client.get(
                self.me, HTTP_AUTHORIZATION=f"Bearer {raw}", REMOTE_ADDR="10.1.2.3"
            )
            self.assertEqual(other.status_code, 200)

    def test_calls_beyond_the_per_person_limit_get_429(self) -> None:
        from django.conf import settings
        from django.test import override_settings

        raw = self.token_for(self.viewer)
        limits = {**settings.ACCOUNT_RATE_LIMITS, "api_token": "2/m/key"}
        with override_settings(ACCOUNT_RATE_LIMITS=limits):
            for _ in range(2):
                response = self.client.get(self.me, HTTP_AUTHORIZATION=f"Bearer {raw}")
                self.assertEqual(response.status_code, 200)
            body = self.assert_error(
                self.client.get(self.me, HTTP_AUTHORIZATION=f"Bearer {raw}"), 429
            )
            self.assertIn("Too many API requests for your account", body["error"])
            other = self.client.get(
                self.me, HTTP_AUTHORIZATION=f"Bearer {self.token_for(self.editor)}"
            )
            self.assertEqual(other.status_code, 200)

    def test_administrator_without_mfa_is_refused_where_the_organisation_requires_it(
        self,
    ) -> None:
        self.org.admins_must_use_mfa = True
        self.org.save()
        units = reverse("api:units", kwargs={"slug": "northfield"})
        raw = self.token_for(self.editor)
        body = self.assert_error(
            self.client.get(units, HTTP_AUTHORIZATION=f"Bearer {raw}"), 403
        )
        self.assertIn("multi-factor authentication", body["error"])
        viewer = self.client.get(
            units, HTTP_AUTHORIZATION=f"Bearer {self.token_for(self.viewer)}"
        )
        self.assertEqual(viewer.status_code, 200)
