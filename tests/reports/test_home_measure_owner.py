"""A measure's owner (who is told of its signals and data due): chosen among
the organisation's members on the measure form and in the API, shown on the
measure page."""

from __future__ import annotations

from django.urls import reverse

from openqi.measures.models import Measure
from tests.api.base import ApiTestCase
from tests.measures.helpers import make_measure

SLUG = {"slug": "northfield"}
REFUSED = "Choose a member of this organisation who may edit as the owner"


class OwnerFormTests(ApiTestCase):
    def form_data(self, owner: object) -> dict[str, object]:
        return {
            "name": "Falls",
            "kind": "count",
            "frequency": "monthly",
            "improvement": "decrease",
            "multiplier": "1",
            "owner": getattr(owner, "pk", owner),
        }

    def test_a_member_becomes_the_owner_and_the_page_says_so(self) -> None:
        self.client.force_login(self.editor)
        url = reverse("measures:create", kwargs=SLUG)
        response = self.client.post(url, self.form_data(self.lead))
        self.assertEqual(response.status_code, 302, response.content[-2000:])
        measure = Measure.objects.get()
        self.assertEqual(measure.owner, self.lead)
        page = self.client.get(response["Location"]).content.decode()
        self.assertIn("Owner", page)
        self.assertIn(self.lead.full_name, page)

    def test_someone_from_another_organisation_or_a_viewer_is_refused(self) -> None:
        self.client.force_login(self.editor)
        url = reverse("measures:create", kwargs=SLUG)
        for who in (self.outsider, self.viewer, 999999):
            with self.subTest(who=str(who)):
                response = self.client.post(url, self.form_data(who))
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, REFUSED)
        self.assertFalse(Measure.objects.exists())

    def test_the_form_offers_members_who_may_edit(self) -> None:
        self.client.force_login(self.editor)
        page = self.client.get(reverse("measures:create", kwargs=SLUG)).content.decode()
        self.assertIn(self.lead.full_name, page)
        self.assertNotIn(self.outsider.full_name, page)


class OwnerApiTests(ApiTestCase):
    def test_the_api_reads_and_writes_the_owner(self) -> None:
        measures = reverse("api:measures", kwargs=SLUG)
        data = {"name": "Falls", "owner_id": self.lead.pk}
        response = self.call("post", measures, self.editor, data=data)
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["owner_id"], self.lead.pk)
        url = reverse(
            "api:measure", kwargs={**SLUG, "measure_id": response.json()["id"]}
        )
        changed = self.call("patch", url, self.editor, data={"owner_id": None})
        self.assertEqual(changed.status_code, 200, changed.content)
        self.assertIsNone(changed.json()["owner_id"])
        self.assertIsNone(Measure.objects.get().owner)
        # Other fields leave the owner as it is.
        Measure.objects.update(owner=self.member)
        kept = self.call("patch", url, self.editor, data={"target": 3})
        self.assertEqual(kept.json()["owner_id"], self.member.pk)

    def test_an_owner_who_is_not_a_member_is_a_422_naming_the_field(self) -> None:
        measure = make_measure(self.org, name="Falls")
        url = reverse("api:measure", kwargs={**SLUG, "measure_id": measure.pk})
        body = self.assert_error(
            self.call("patch", url, self.editor, data={"owner_id": self.outsider.pk}),
            422,
        )
        self.assertEqual(body["details"][0]["field"], "owner_id")
        self.assertIn(REFUSED, body["details"][0]["message"])
        measure.refresh_from_db()
        self.assertIsNone(measure.owner)
