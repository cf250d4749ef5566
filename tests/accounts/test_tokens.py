import re

from django.urls import reverse

from openqi.accounts.models import ApiToken
from tests.base import BaseTestCase


class TokenTests(BaseTestCase):
    url = reverse("accounts:tokens")

    def test_anonymous_is_sent_to_sign_in(self) -> None:
        for response in (
            self.client.get(self.url),
            self.client.post(self.url, {"name": "x"}),
        ):
            self.assertEqual(response.status_code, 302)
            self.assertTrue(
                response["Location"].startswith(reverse("accounts:sign_in"))
            )
        self.assertFalse(ApiToken.objects.exists())

    def test_each_of_the_cast_creates_a_token_shown_once(self) -> None:
        for user in (self.editor, self.viewer, self.outsider):
            with self.subTest(user=user.full_name):
                self.sign_in(user)
                response = self.client.post(self.url, {"name": "Weekly upload"})
                self.assertEqual(response.status_code, 200)
                token = ApiToken.objects.get(user=user)
                found = re.search(
                    r'class="openqi-token-secret">(oqi_[^<]+)<',
                    response.content.decode(),
                )
                self.assertIsNotNone(found)
                raw = found.group(1)  # type: ignore[union-attr]
                self.assertContains(response, "shown only this once")
                self.assertEqual(ApiToken.user_for(raw), user)
                # Never again: the list shows only the first characters.
                response = self.client.get(self.url)
                self.assertNotContains(response, raw)
                self.assertContains(response, token.hint)

    def test_list_shows_only_your_own_tokens(self) -> None:
        ApiToken.issue(self.editor, "Editor's script")
        self.sign_in(self.viewer)
        response = self.client.get(self.url)
        self.assertNotContains(response, "Editor&#39;s script")
        self.assertContains(response, "You have no API tokens.")

    def test_empty_name_re_shows_with_an_error_and_creates_nothing(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.post(self.url, {"name": ""})
        self.assertContains(response, "Enter a name for the token")
        self.assertContains(response, "There is a problem")
        self.assertFalse(ApiToken.objects.exists())

    def test_revoke_stops_the_token_working(self) -> None:
        for user in (self.editor, self.viewer, self.outsider):
            with self.subTest(user=user.full_name):
                token, raw = ApiToken.issue(user, "Script")
                self.sign_in(user)
                response = self.client.post(
                    reverse("accounts:token_revoke", kwargs={"pk": token.pk}),
                    follow=True,
                )
                self.assertRedirects(response, self.url)
                self.assertContains(response, "has been revoked")
                self.assertContains(response, "Revoked")
                self.assertIsNone(ApiToken.user_for(raw))

    def test_revoke_is_post_only(self) -> None:
        token, raw = ApiToken.issue(self.viewer, "Script")
        self.sign_in(self.viewer)
        response = self.client.get(
            reverse("accounts:token_revoke", kwargs={"pk": token.pk})
        )
        self.assertEqual(response.status_code, 405)
        self.assertEqual(ApiToken.user_for(raw), self.viewer)

    def test_someone_else_s_token_is_404_and_stays_active(self) -> None:
        token, raw = ApiToken.issue(self.editor, "Editor's script")
        for user in (self.viewer, self.outsider):
            with self.subTest(user=user.full_name):
                self.sign_in(user)
                response = self.client.post(
                    reverse("accounts:token_revoke", kwargs={"pk": token.pk})
                )
                self.assertEqual(response.status_code, 404)
        self.assertEqual(ApiToken.user_for(raw), self.editor)
