from django.urls import reverse

from tests.base import BaseTestCase


class ProfileTests(BaseTestCase):
    url = reverse("accounts:profile")

    def test_anonymous_is_sent_to_sign_in(self) -> None:
        response = self.client.get(self.url)
        self.assertRedirects(
            response,
            f"{reverse('accounts:sign_in')}?next={self.url}",
            fetch_redirect_response=False,
        )

    def test_each_of_the_cast_sees_and_changes_only_their_own_name(self) -> None:
        for user in (self.editor, self.viewer, self.outsider):
            with self.subTest(user=user.full_name):
                self.sign_in(user)
                response = self.client.get(self.url)
                self.assertContains(response, "Your profile")
                self.assertContains(response, user.email)
                response = self.client.post(
                    self.url, {"full_name": "Renamed Person"}, follow=True
                )
                self.assertRedirects(response, self.url)
                self.assertContains(response, "Your name has been saved.")
                user.refresh_from_db()
                self.assertEqual(user.full_name, "Renamed Person")
        self.editor.refresh_from_db()
        self.assertEqual(self.editor.full_name, "Renamed Person")

    def test_profile_lists_the_person_s_organisations_only(self) -> None:
        self.sign_in(self.outsider)
        response = self.client.get(self.url)
        self.assertContains(response, "Southmere Community Trust")
        self.assertNotContains(response, "Northfield Hospitals NHS Trust")

    def test_empty_name_re_shows_with_an_error_and_changes_nothing(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.post(self.url, {"full_name": ""})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Enter your full name")
        self.viewer.refresh_from_db()
        self.assertEqual(self.viewer.full_name, "Vic Viewer")
