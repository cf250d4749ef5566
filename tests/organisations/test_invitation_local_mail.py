"""In development the invitations page says e-mail is not sent and shows the link.

See openqi/core/mail.py: DEBUG on with the console (or locmem) backend shows
both; DEBUG off or a real backend shows neither.
"""

from __future__ import annotations

import contextlib
import io
import re
from unittest import mock

from django.test import override_settings

from openqi.core.mail import CONSOLE
from openqi.organisations.models import Invitation
from tests.base import BaseTestCase

NOTICE = "E-mail is not sent in this set-up: it is printed in the server&#39;s console."
SMTP = "django.core.mail.backends.smtp.EmailBackend"
INVITATION_LINK = re.compile(r"http://testserver/accounts/invitations/[^\s\"<]+/")


class InvitationLocalMailTests(BaseTestCase):
    url = "/organisations/northfield/invitations/"

    def invite(self) -> str:
        """Invite someone as the editor; return the page that follows."""
        self.sign_in(self.editor)
        with contextlib.redirect_stdout(io.StringIO()) as console:
            response = self.client.post(
                self.url,
                {"email": "new.starter@example.org", "role": "member"},
                follow=True,
            )
        self.printed = console.getvalue()
        self.assertEqual(response.status_code, 200)
        self.assertTrue(Invitation.objects.filter(email="new.starter@example.org"))
        return response.content.decode()

    @override_settings(DEBUG=True, EMAIL_BACKEND=CONSOLE)
    def test_development_says_mail_is_printed_in_the_console(self) -> None:
        self.sign_in(self.editor)
        self.assertContains(self.client.get(self.url), NOTICE)

    @override_settings(DEBUG=True, EMAIL_BACKEND=CONSOLE)
    def test_development_shows_the_invitation_link_once(self) -> None:
        page = self.invite()
        printed = INVITATION_LINK.search(self.printed)
        assert printed is not None, "the console shows no invitation link"
        self.assertIn(f'href="{printed.group()}"', page)
        self.assertIn("the e-mail to new.starter@example.org", page)
        again = self.client.get(self.url).content.decode()
        self.assertIn(NOTICE, again)
        self.assertIsNone(INVITATION_LINK.search(again))

    @override_settings(DEBUG=True, EMAIL_BACKEND=CONSOLE)
    def test_the_link_shown_opens_the_invitation(self) -> None:
        link = INVITATION_LINK.search(self.invite())
        assert link is not None
        self.client.logout()
        response = self.client.get(link.group().removeprefix("http://testserver"))
        self.assertContains(response, "new.starter@example.org")

    @override_settings(DEBUG=True, EMAIL_BACKEND=CONSOLE)
    def test_a_viewer_gets_403_and_sees_no_link(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 403)
        self.assertNotContains(response, "E-mail is not sent", status_code=403)

    @override_settings(DEBUG=False, EMAIL_BACKEND=CONSOLE)
    def test_production_shows_neither_notice_nor_link(self) -> None:
        page = self.invite()
        self.assertIsNotNone(INVITATION_LINK.search(self.printed))  # it was sent
        self.assertNotIn("E-mail is not sent", page)
        self.assertIsNone(INVITATION_LINK.search(page))

    @override_settings(DEBUG=True, EMAIL_BACKEND=SMTP)
    def test_a_real_mail_server_shows_neither_notice_nor_link(self) -> None:
        with mock.patch(f"{SMTP}.send_messages", return_value=1) as send:
            page = self.invite()
        send.assert_called_once()
        self.assertNotIn("E-mail is not sent", page)
        self.assertIsNone(INVITATION_LINK.search(page))
