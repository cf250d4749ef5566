"""The account pages built on allauth's and Django's forms say what to enter when
a field is left empty, as OpenQI's own forms do (core.forms.SaysWhatToEnter)."""

from __future__ import annotations

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.cache import cache
from django.http import HttpResponse
from django.urls import reverse

from tests.base import BaseTestCase

DJANGO_REQUIRED = "This field is required."


class AccountPagesSayWhatToEnterTests(BaseTestCase):
    def setUp(self) -> None:
        cache.clear()

    def assert_says(self, response: HttpResponse, message: str) -> None:
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("There is a problem", page)
        self.assertIn(message, page)
        self.assertNotIn(DJANGO_REQUIRED, page)

    def test_password_reset_asks_for_the_address(self) -> None:
        response = self.client.post(reverse("accounts:password_reset"), {"email": ""})
        self.assert_says(response, "Enter your e-mail address")

    def test_confirming_it_is_you_asks_for_the_password(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.post(reverse("account_reauthenticate"), {})
        self.assert_says(response, "Enter your password")

    def test_the_second_step_of_signing_in_asks_for_the_code(self) -> None:
        TOTP.activate(self.editor, generate_totp_secret())
        self.client.post(
            reverse("accounts:sign_in"),
            {"login": self.editor.email, "password": self.password},
        )
        response = self.client.post(reverse("mfa_authenticate"), {"code": ""})
        self.assert_says(response, "Enter the code")

    def test_setting_up_an_app_asks_for_its_code(self) -> None:
        self.sign_in(self.viewer)
        self.client.post(reverse("account_reauthenticate"), {"password": self.password})
        response = self.client.post(reverse("mfa_activate_totp"), {"code": ""})
        self.assert_says(response, "Enter the code from the app")

    def test_changing_the_password_asks_for_each_field(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.post(reverse("accounts:password_change"), {})
        self.assert_says(response, "Enter your current password")
        self.assertIn("Enter a new password", response.content.decode())
        self.assertIn("Type the new password again", response.content.decode())
