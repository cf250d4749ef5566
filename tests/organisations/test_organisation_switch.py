from __future__ import annotations

from django.urls import reverse

from openqi.organisations.models import Membership, Role
from openqi.organisations.views import CURRENT_ORGANISATION
from tests.base import BaseTestCase


class SwitchTests(BaseTestCase):
    url = "/organisations/switch/"

    def test_url(self) -> None:
        self.assertEqual(reverse("organisations:switch"), self.url)

    def test_person_in_two_organisations_switches(self) -> None:
        Membership.objects.create(
            user=self.editor, organisation=self.other_org, role=Role.MEMBER
        )
        self.sign_in(self.editor)
        response = self.client.post(self.url, {"organisation": "southmere"})
        self.assertRedirects(response, "/organisations/southmere/")
        self.assertEqual(self.client.session[CURRENT_ORGANISATION], "southmere")

    def test_viewer_switches_to_own_organisation(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.post(self.url, {"organisation": "northfield"})
        self.assertRedirects(response, "/organisations/northfield/")
        self.assertEqual(self.client.session[CURRENT_ORGANISATION], "northfield")

    def test_outsider_cannot_switch_to_an_organisation_they_are_not_in(self) -> None:
        self.sign_in(self.outsider)
        response = self.client.post(self.url, {"organisation": "northfield"})
        self.assertEqual(response.status_code, 404)
        self.assertNotIn(CURRENT_ORGANISATION, self.client.session)

    def test_missing_or_bad_slug_gets_404(self) -> None:
        self.sign_in(self.editor)
        self.assertEqual(self.client.post(self.url, {}).status_code, 404)
        self.assertEqual(
            self.client.post(self.url, {"organisation": "no such"}).status_code, 404
        )

    def test_get_is_not_allowed(self) -> None:
        self.sign_in(self.editor)
        self.assertEqual(self.client.get(self.url).status_code, 405)

    def test_anonymous_is_sent_to_sign_in(self) -> None:
        response = self.client.post(self.url, {"organisation": "northfield"})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("accounts:sign_in")))
