from django.urls import reverse

from tests.base import BaseTestCase


class SignInTests(BaseTestCase):
    url = reverse("accounts:sign_in")

    def test_page_shows_the_form(self) -> None:
        response = self.client.get(self.url)
        self.assertContains(response, "Sign in to OpenQI")
        self.assertContains(response, 'name="login"')
        self.assertContains(response, 'name="password"')

    def test_each_of_the_cast_can_sign_in(self) -> None:
        for user in (self.editor, self.viewer, self.outsider):
            with self.subTest(user=user.full_name):
                response = self.client.post(
                    self.url, {"login": user.email, "password": self.password}
                )
                self.assertRedirects(
                    response, reverse("core:home"), fetch_redirect_response=False
                )
                self.assertEqual(int(self.client.session["_auth_user_id"]), user.pk)
                self.client.logout()

    def test_e_mail_address_is_not_case_sensitive(self) -> None:
        response = self.client.post(
            self.url, {"login": self.editor.email.upper(), "password": self.password}
        )
        self.assertEqual(response.status_code, 302)

    def test_wrong_password_shows_a_clear_error_and_signs_no_one_in(self) -> None:
        response = self.client.post(
            self.url, {"login": self.editor.email, "password": "nope"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "There is a problem")
        self.assertContains(response, "The e-mail address or password is not right")
        self.assertContains(
            response, "<title>Error: Sign in – OpenQI</title>", html=False
        )
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_unknown_address_gets_the_same_error(self) -> None:
        response = self.client.post(
            self.url, {"login": "nobody@example.org", "password": self.password}
        )
        self.assertContains(response, "The e-mail address or password is not right")

    def test_inactive_person_cannot_sign_in(self) -> None:
        self.viewer.is_active = False
        self.viewer.save()
        response = self.client.post(
            self.url, {"login": self.viewer.email, "password": self.password}
        )
        self.assertContains(response, "The e-mail address or password is not right")

    def test_empty_form_names_each_missing_field(self) -> None:
        response = self.client.post(self.url, {})
        self.assertContains(response, "Enter your e-mail address")
        self.assertContains(response, "Enter your password")
        self.assertContains(response, 'href="#id_login"')
        self.assertContains(response, "nhsuk-form-group--error")

    def test_next_is_followed_when_it_is_on_this_site(self) -> None:
        response = self.client.post(
            self.url,
            {
                "login": self.editor.email,
                "password": self.password,
                "next": "/accounts/profile/",
            },
        )
        self.assertRedirects(
            response, "/accounts/profile/", fetch_redirect_response=False
        )

    def test_next_elsewhere_is_ignored(self) -> None:
        for target in (
            "https://evil.example.com/",
            "//evil.example.com/",
            "javascript:alert(1)",
        ):
            with self.subTest(target=target):
                response = self.client.post(
                    self.url,
                    {
                        "login": self.editor.email,
                        "password": self.password,
                        "next": target,
                    },
                )
                self.assertRedirects(
                    response, reverse("core:home"), fetch_redirect_response=False
                )
                self.client.logout()

    def test_next_from_the_query_string_is_kept_in_the_form(self) -> None:
        response = self.client.get(self.url + "?next=/accounts/tokens/")
        self.assertContains(response, 'name="next" value="/accounts/tokens/"')

    def test_a_protected_page_sends_you_here_and_back(self) -> None:
        response = self.client.get(reverse("accounts:profile"))
        self.assertRedirects(
            response,
            f"{self.url}?next=/accounts/profile/",
            fetch_redirect_response=False,
        )


class SignOutTests(BaseTestCase):
    url = reverse("accounts:sign_out")

    def test_post_signs_out_each_of_the_cast(self) -> None:
        for user in (self.editor, self.viewer, self.outsider):
            with self.subTest(user=user.full_name):
                self.sign_in(user)
                response = self.client.post(self.url)
                self.assertRedirects(response, reverse("accounts:sign_in"))
                self.assertNotIn("_auth_user_id", self.client.session)

    def test_get_is_refused_and_keeps_you_signed_in(self) -> None:
        self.sign_in(self.editor)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 405)
        self.assertIn("_auth_user_id", self.client.session)

    def test_the_page_says_you_signed_out(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(self.url, follow=True)
        self.assertContains(response, "You have signed out.")

    def test_page_after_a_wrong_password_does_not_contain_it(self) -> None:
        response = self.client.post(
            reverse("accounts:sign_in"),
            {"login": self.editor.email, "password": "my-secret-guess"},
        )
        self.assertContains(response, "is not right")
        self.assertNotContains(response, "my-secret-guess")
