from django.urls import reverse

from openqi.organisations.models import Membership, Role
from tests.base import BaseTestCase
from tests.factories import make_user


class HomeTests(BaseTestCase):
    url = reverse("core:home")

    def test_anonymous_is_sent_to_sign_in(self) -> None:
        response = self.client.get(self.url)
        self.assertRedirects(
            response,
            f"{reverse('accounts:sign_in')}?next=/",
            fetch_redirect_response=False,
        )

    def test_one_organisation_goes_straight_to_it(self) -> None:
        for user, slug in (
            (self.editor, "northfield"),
            (self.viewer, "northfield"),
            (self.outsider, "southmere"),
        ):
            with self.subTest(user=user.full_name):
                self.sign_in(user)
                response = self.client.get(self.url)
                self.assertRedirects(
                    response,
                    reverse("reports:home", kwargs={"slug": slug}),
                    fetch_redirect_response=False,
                )

    def test_several_organisations_are_listed_to_choose_from(self) -> None:
        Membership.objects.create(
            user=self.outsider, organisation=self.org, role=Role.VIEWER
        )
        self.sign_in(self.outsider)
        response = self.client.get(self.url)
        self.assertContains(response, "Your organisations")
        self.assertContains(response, 'href="/organisations/northfield/"')
        self.assertContains(response, 'href="/organisations/southmere/"')

    def test_no_organisation_gets_a_friendly_message(self) -> None:
        self.sign_in(make_user(full_name="Nell Newcomer"))
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Welcome to OpenQI, Nell.")
        self.assertContains(response, "not a member of any organisation yet")
