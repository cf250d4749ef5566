from __future__ import annotations

import re

from openqi.organisations.models import Organisation, Role
from tests.base import BaseTestCase
from tests.factories import make_member, make_organisation


class DetailTests(BaseTestCase):
    url = "/organisations/northfield/about/"

    def test_editor_sees_the_organisation_and_the_admin_links(self) -> None:
        self.sign_in(self.editor)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("Northfield Hospitals NHS Trust", page)
        self.assertIn("Provider", page)
        self.assertIn("Administrator", page)
        self.assertIn("Not part of a system", page)
        values = re.findall(r'summary-list__value"\s*>\s*([^<]*?)\s*</dd>', page)
        self.assertEqual(values, ["Not part of a system", "3", "5", "Administrator"])
        self.assertIn('href="/organisations/northfield/invitations/"', page)
        self.assertIn('href="/organisations/northfield/audit/"', page)

    def test_viewer_sees_the_organisation_without_admin_links(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("Viewer", page)
        self.assertIn('href="/organisations/northfield/units/"', page)
        self.assertNotIn('href="/organisations/northfield/invitations/"', page)
        self.assertNotIn('href="/organisations/northfield/audit/"', page)

    def test_member_sees_their_role(self) -> None:
        member = make_member(self.org, Role.PROJECT_LEAD, full_name="Pat Lead")
        self.sign_in(member)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertIn("Project lead", response.content.decode())

    def test_outsider_gets_404(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_unknown_organisation_gets_404(self) -> None:
        self.sign_in(self.editor)
        self.assertEqual(
            self.client.get("/organisations/nowhere/about/").status_code, 404
        )

    def test_provider_shows_its_system_and_system_its_providers(self) -> None:
        system = make_organisation(
            name="Riverside Integrated Care System",
            slug="riverside",
            kind=Organisation.Kind.SYSTEM,
        )
        self.org.system = system
        self.org.save()
        lead = make_member(system, Role.VIEWER, full_name="Sam System")
        self.sign_in(self.editor)
        self.assertIn(
            "Riverside Integrated Care System",
            self.client.get(self.url).content.decode(),
        )
        self.sign_in(lead)
        page = self.client.get("/organisations/riverside/about/").content.decode()
        self.assertIn("Providers", page)
        self.assertIn("Northfield Hospitals NHS Trust", page)
