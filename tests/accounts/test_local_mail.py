"""In development the password-reset pages say e-mail is not sent and show the link.

Development is DEBUG on with a backend that keeps e-mail on this machine (the
console backend of `make run`, locmem in the tests); production is DEBUG off or a
real backend, where the pages show neither (openqi/core/mail.py).
"""

from __future__ import annotations

import contextlib
import io
import re
from unittest import mock

from django.core import mail
from django.test import override_settings
from django.urls import reverse

from openqi.core.mail import CONSOLE
from tests.base import BaseTestCase

NOTICE = "E-mail is not sent in this set-up: it is printed in the server&#39;s console."
SMTP = "django.core.mail.backends.smtp.EmailBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
RESET_LINK = re.compile(r"/accounts/password-reset/[\w-]+/[a-z0-9]+-[a-z0-9]+/")


class PasswordResetLocalMailTests(BaseTestCase):
    def ask_for_link(self, email: str) -> str:
        """Ask for a reset link and return the page that follows."""
        with contextlib.redirect_stdout(io.StringIO()) as console:
            response = self.client.post(
                reverse("accounts:password_reset"), {"email": email}, follow=True
            )
        self.printed = console.getvalue()
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    @override_settings(DEBUG=True, EMAIL_BACKEND=CONSOLE)
    def test_development_says_mail_is_printed_in_the_console(self) -> None:
        page = self.client.get(reverse("accounts:password_reset")).content.decode()
        self.assertIn(NOTICE, page)

    @override_settings(DEBUG=True, EMAIL_BACKEND=CONSOLE)
    def test_development_shows_the_link_the_console_printed(self) -> None:
        page = self.ask_for_link(self.viewer.email)
        self.assertIn(NOTICE, page)
        self.assertIsNotNone(RESET_LINK.search(self.printed))
        link = next(
            word for word in self.printed.split() if "/accounts/password-reset/" in word
        )
        self.assertIn(f'href="{link}"', page)
        self.assertIn(f"the e-mail to {self.viewer.email}", page)
        # The link works: it leads to the form for a new password.
        response = self.client.get(link.removeprefix("http://testserver"), follow=True)
        self.assertContains(response, "Choose a new password")

    @override_settings(DEBUG=True, EMAIL_BACKEND=CONSOLE)
    def test_development_shows_the_link_once(self) -> None:
        self.ask_for_link(self.viewer.email)
        again = self.client.get(reverse("accounts:password_reset_done"))
        self.assertContains(again, NOTICE)
        self.assertIsNone(RESET_LINK.search(again.content.decode()))

    @override_settings(DEBUG=True, EMAIL_BACKEND=LOCMEM)
    def test_development_with_locmem_shows_the_link_it_kept(self) -> None:
        page = self.ask_for_link(self.viewer.email)
        self.assertIn("it is kept in the server&#39;s memory", page)
        link = mail.outbox[-1].body.split("open this link:")[1].split()[0]
        self.assertIn(f'href="{link}"', page)

    @override_settings(DEBUG=True, EMAIL_BACKEND=CONSOLE)
    def test_no_link_when_no_account_uses_the_address(self) -> None:
        page = self.ask_for_link("nobody@example.org")
        self.assertIn(NOTICE, page)
        self.assertIsNone(RESET_LINK.search(page))

    @override_settings(DEBUG=False, EMAIL_BACKEND=CONSOLE)
    def test_production_shows_neither_notice_nor_link(self) -> None:
        form = self.client.get(reverse("accounts:password_reset")).content.decode()
        page = self.ask_for_link(self.viewer.email)
        self.assertIsNotNone(RESET_LINK.search(self.printed))  # it was sent
        for shown in (form, page):
            self.assertNotIn("E-mail is not sent", shown)
            self.assertIsNone(RESET_LINK.search(shown))
            self.assertNotIn("data-local-mail", shown)

    @override_settings(DEBUG=True, EMAIL_BACKEND=SMTP)
    def test_a_real_mail_server_shows_neither_notice_nor_link(self) -> None:
        with mock.patch(f"{SMTP}.send_messages", return_value=1) as send:
            page = self.ask_for_link(self.viewer.email)
        send.assert_called_once()
        self.assertNotIn("E-mail is not sent", page)
        self.assertIsNone(RESET_LINK.search(page))
