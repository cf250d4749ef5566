import re

from django.core import mail
from django.urls import reverse

from tests.base import BaseTestCase


class PasswordResetTests(BaseTestCase):
    def _ask_for_link(self, email: str):  # type: ignore[no-untyped-def]
        return self.client.post(reverse("accounts:password_reset"), {"email": email})

    def test_page_shows_the_form(self) -> None:
        response = self.client.get(reverse("accounts:password_reset"))
        self.assertContains(response, "Reset your password")

    def test_each_of_the_cast_gets_a_working_link(self) -> None:
        for user in (self.editor, self.viewer, self.outsider):
            with self.subTest(user=user.full_name):
                mail.outbox.clear()
                response = self._ask_for_link(user.email)
                self.assertRedirects(response, reverse("accounts:password_reset_done"))
                self.assertEqual(len(mail.outbox), 1)
                message = mail.outbox[0]
                self.assertEqual(message.to, [user.email])
                self.assertEqual(message.subject, "Choose a new OpenQI password")
                self.assertIn(user.full_name, message.body)
                link = re.search(
                    r"http://testserver(/accounts/password-reset/\S+)", message.body
                )
                self.assertIsNotNone(link)

                # The link hides its token in the session and redirects to a form.
                response = self.client.get(link.group(1), follow=True)  # type: ignore[union-attr]
                self.assertContains(response, "Choose a new password")
                form_url = response.redirect_chain[-1][0]
                response = self.client.post(
                    form_url,
                    {
                        "new_password1": "a-fresh-passphrase-9",
                        "new_password2": "a-fresh-passphrase-9",
                    },
                )
                self.assertRedirects(
                    response, reverse("accounts:password_reset_complete")
                )
                user.refresh_from_db()
                self.assertTrue(user.check_password("a-fresh-passphrase-9"))

                # Used once, the link no longer works.
                response = self.client.get(link.group(1), follow=True)  # type: ignore[union-attr]
                self.assertContains(response, "This link does not work")

    def test_unknown_address_sends_nothing_but_says_the_same(self) -> None:
        response = self._ask_for_link("nobody@example.org")
        self.assertRedirects(response, reverse("accounts:password_reset_done"))
        self.assertEqual(mail.outbox, [])

    def test_bad_address_re_shows_the_form_with_an_error(self) -> None:
        response = self._ask_for_link("not-an-address")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "There is a problem")
        self.assertEqual(mail.outbox, [])

    def test_mismatched_new_passwords_change_nothing(self) -> None:
        self._ask_for_link(self.viewer.email)
        link = re.search(
            r"http://testserver(/accounts/password-reset/\S+)", mail.outbox[0].body
        )
        response = self.client.get(link.group(1), follow=True)  # type: ignore[union-attr]
        form_url = response.redirect_chain[-1][0]
        response = self.client.post(
            form_url,
            {
                "new_password1": "a-fresh-passphrase-9",
                "new_password2": "different-one-9",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "There is a problem")
        self.viewer.refresh_from_db()
        self.assertTrue(self.viewer.check_password(self.password))

    def test_a_made_up_link_does_not_work(self) -> None:
        url = reverse(
            "accounts:password_reset_confirm",
            kwargs={"uidb64": "MQ", "token": "set-password"},
        )
        response = self.client.get(url)
        self.assertContains(response, "This link does not work")

    def test_done_and_complete_pages(self) -> None:
        self.assertContains(
            self.client.get(reverse("accounts:password_reset_done")),
            "Check your e-mail",
        )
        self.assertContains(
            self.client.get(reverse("accounts:password_reset_complete")),
            "Your password has been changed",
        )


class PasswordChangeTests(BaseTestCase):
    url = reverse("accounts:password_change")

    def test_anonymous_is_sent_to_sign_in(self) -> None:
        response = self.client.get(self.url)
        self.assertRedirects(
            response,
            f"{reverse('accounts:sign_in')}?next={self.url}",
            fetch_redirect_response=False,
        )

    def test_each_of_the_cast_can_change_their_password(self) -> None:
        for user in (self.editor, self.viewer, self.outsider):
            with self.subTest(user=user.full_name):
                self.sign_in(user)
                self.assertContains(self.client.get(self.url), "Change your password")
                response = self.client.post(
                    self.url,
                    {
                        "old_password": self.password,
                        "new_password1": "a-brand-new-passphrase",
                        "new_password2": "a-brand-new-passphrase",
                    },
                    follow=True,
                )
                self.assertRedirects(response, reverse("accounts:profile"))
                self.assertContains(response, "Your password has been changed.")
                user.refresh_from_db()
                self.assertTrue(user.check_password("a-brand-new-passphrase"))
                # Still signed in after the change.
                self.assertEqual(
                    self.client.get(reverse("accounts:profile")).status_code, 200
                )

    def test_wrong_current_password_changes_nothing(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.post(
            self.url,
            {
                "old_password": "wrong",
                "new_password1": "a-brand-new-passphrase",
                "new_password2": "a-brand-new-passphrase",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "There is a problem")
        self.assertContains(response, 'href="#id_old_password"')
        self.viewer.refresh_from_db()
        self.assertTrue(self.viewer.check_password(self.password))

    def test_weak_new_password_is_refused(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.post(
            self.url,
            {
                "old_password": self.password,
                "new_password1": "12345",
                "new_password2": "12345",
            },
        )
        self.assertContains(response, "This password is too short")
        self.viewer.refresh_from_db()
        self.assertTrue(self.viewer.check_password(self.password))
