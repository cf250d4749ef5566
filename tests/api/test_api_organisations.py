"""/me, /organisations and /organisations/{slug}."""

from __future__ import annotations

from django.urls import reverse

from openqi.organisations.models import Role
from tests.api.base import ApiTestCase
from tests.factories import make_organisation


class MeTests(ApiTestCase):
    def test_me_lists_my_memberships(self) -> None:
        body = self.call("get", reverse("api:me"), self.editor).json()
        self.assertEqual(body["full_name"], "Ada Editor")
        self.assertEqual(
            body["memberships"],
            [
                {
                    "organisation": "northfield",
                    "organisation_name": "Northfield Hospitals NHS Trust",
                    "role": "admin",
                    "unit_id": None,
                }
            ],
        )


class OrganisationTests(ApiTestCase):
    def test_lists_only_my_organisations_with_my_role(self) -> None:
        body = self.call("get", reverse("api:organisations"), self.viewer).json()
        self.assertEqual(body["total"], 1)
        self.assertEqual(body["items"][0]["slug"], "northfield")
        self.assertEqual(body["items"][0]["role"], "viewer")
        body = self.call("get", reverse("api:organisations"), self.outsider).json()
        self.assertEqual([o["slug"] for o in body["items"]], ["southmere"])

    def test_a_provider_shows_its_system(self) -> None:
        system = make_organisation(
            name="Riverside Integrated Care System", kind="system"
        )
        self.org.system = system
        self.org.save()
        body = self.call(
            "get",
            reverse("api:organisation", kwargs={"slug": "northfield"}),
            self.viewer,
        ).json()
        self.assertEqual(body["system"], system.slug)
        self.assertEqual(body["kind"], "provider")

    def test_someone_in_two_organisations_sees_both(self) -> None:
        from openqi.organisations.models import Membership

        Membership.objects.create(
            user=self.viewer, organisation=self.other_org, role=Role.MEMBER
        )
        body = self.call("get", reverse("api:organisations"), self.viewer).json()
        self.assertEqual(
            [(o["slug"], o["role"]) for o in body["items"]],
            [("northfield", "viewer"), ("southmere", "member")],
        )

    def test_outsider_gets_404_for_the_organisation(self) -> None:
        url = reverse("api:organisation", kwargs={"slug": "northfield"})
        self.assert_error(self.call("get", url, self.outsider), 404)
