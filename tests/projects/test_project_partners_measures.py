from __future__ import annotations

from openqi.organisations.models import Role
from openqi.projects.models import Partner, ProjectMeasure
from tests.base import BaseTestCase
from tests.factories import make_member
from tests.projects.project_helpers import make_measure, make_project


class PartnerTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.project = make_project(cls.org)
        cls.base = f"/organisations/northfield/projects/{cls.project.pk}/"
        cls.add_url = f"{cls.base}partners/new/"

    def data(self) -> dict[str, str]:
        return {
            "name": "Morgan",
            "kind": "carer",
            "contribution": "Co-designs the leaflets.",
        }

    def test_editor_adds_and_removes_a_partner(self) -> None:
        self.sign_in(self.editor)
        self.assertEqual(self.client.get(self.add_url).status_code, 200)
        response = self.client.post(self.add_url, self.data())
        self.assertRedirects(
            response, f"{self.base}#partners", fetch_redirect_response=False
        )
        partner = Partner.objects.get()
        self.assertEqual((partner.name, partner.kind), ("Morgan", "carer"))
        self.assertIn(
            "Co-designs the leaflets.", self.client.get(self.base).content.decode()
        )
        response = self.client.post(f"{self.base}partners/{partner.pk}/remove/")
        self.assertRedirects(
            response, f"{self.base}#partners", fetch_redirect_response=False
        )
        self.assertFalse(Partner.objects.exists())

    def test_bad_input_reshows_the_form(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(self.add_url, {"name": "", "kind": "friend"})
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("Enter their name.", page)
        self.assertIn("Select a valid choice", page)
        self.assertFalse(Partner.objects.exists())

    def test_plain_member_adds_a_partner(self) -> None:
        self.sign_in(make_member(self.org, Role.MEMBER))
        self.assertEqual(self.client.post(self.add_url, self.data()).status_code, 302)

    def test_viewer_gets_403(self) -> None:
        partner = Partner.objects.create(project=self.project, name="Rowan")
        self.sign_in(self.viewer)
        self.assertEqual(self.client.get(self.add_url).status_code, 403)
        self.assertEqual(self.client.post(self.add_url, self.data()).status_code, 403)
        remove = f"{self.base}partners/{partner.pk}/remove/"
        self.assertEqual(self.client.post(remove).status_code, 403)
        self.assertEqual(Partner.objects.count(), 1)

    def test_outsider_gets_404(self) -> None:
        partner = Partner.objects.create(project=self.project, name="Rowan")
        self.sign_in(self.outsider)
        self.assertEqual(self.client.post(self.add_url, self.data()).status_code, 404)
        remove = f"{self.base}partners/{partner.pk}/remove/"
        self.assertEqual(self.client.post(remove).status_code, 404)
        self.assertEqual(Partner.objects.count(), 1)

    def test_a_partner_of_another_project_is_404(self) -> None:
        other = make_project(self.org, title="Another project")
        partner = Partner.objects.create(project=other, name="Rowan")
        self.sign_in(self.editor)
        remove = f"{self.base}partners/{partner.pk}/remove/"
        self.assertEqual(self.client.post(remove).status_code, 404)
        self.assertTrue(Partner.objects.filter(pk=partner.pk).exists())


class MeasureLinkTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.project = make_project(cls.org)
        cls.measure = make_measure(cls.org, name="Falls per 1,000 bed days")
        cls.base = f"/organisations/northfield/projects/{cls.project.pk}/"
        cls.link_url = f"{cls.base}measures/link/"

    def test_editor_links_and_unlinks_a_measure(self) -> None:
        self.sign_in(self.editor)
        page = self.client.get(self.link_url).content.decode()
        self.assertIn("Falls per 1,000 bed days", page)
        response = self.client.post(
            self.link_url, {"measure": self.measure.pk, "role": "balancing"}
        )
        self.assertRedirects(
            response, f"{self.base}#measures", fetch_redirect_response=False
        )
        link = ProjectMeasure.objects.get()
        self.assertEqual((link.measure, link.role), (self.measure, "balancing"))
        response = self.client.post(f"{self.base}measures/{link.pk}/unlink/")
        self.assertRedirects(
            response, f"{self.base}#measures", fetch_redirect_response=False
        )
        self.assertFalse(ProjectMeasure.objects.exists())

    def test_the_message_reads_an_outcome_measure(self) -> None:
        self.sign_in(self.editor)
        for role, words in (
            ("outcome", "linked as an outcome measure."),
            ("process", "linked as a process measure."),
        ):
            with self.subTest(role=role):
                ProjectMeasure.objects.all().delete()
                response = self.client.post(
                    self.link_url,
                    {"measure": self.measure.pk, "role": role},
                    follow=True,
                )
                self.assertIn(
                    f"Falls per 1,000 bed days {words}", response.content.decode()
                )

    def test_a_measure_is_linked_once_and_only_this_organisations(self) -> None:
        self.project.measure_links.create(measure=self.measure, role="outcome")
        theirs = make_measure(self.other_org, name="Southmere falls")
        self.sign_in(self.editor)
        for measure in (self.measure, theirs):
            response = self.client.post(
                self.link_url, {"measure": measure.pk, "role": "process"}
            )
            self.assertEqual(response.status_code, 200)
            self.assertIn("Select a valid choice", response.content.decode())
        self.assertEqual(ProjectMeasure.objects.count(), 1)
        self.assertIn(
            "linked to this project already",
            self.client.get(self.link_url).content.decode(),
        )

    def test_plain_member_links_a_measure(self) -> None:
        self.sign_in(make_member(self.org, Role.MEMBER))
        response = self.client.post(
            self.link_url, {"measure": self.measure.pk, "role": "outcome"}
        )
        self.assertEqual(response.status_code, 302)

    def test_viewer_gets_403(self) -> None:
        link = self.project.measure_links.create(measure=self.measure)
        self.sign_in(self.viewer)
        self.assertEqual(self.client.get(self.link_url).status_code, 403)
        self.assertEqual(
            self.client.post(f"{self.base}measures/{link.pk}/unlink/").status_code, 403
        )
        self.assertEqual(ProjectMeasure.objects.count(), 1)

    def test_outsider_gets_404(self) -> None:
        link = self.project.measure_links.create(measure=self.measure)
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(self.link_url).status_code, 404)
        self.assertEqual(
            self.client.post(f"{self.base}measures/{link.pk}/unlink/").status_code, 404
        )
        self.assertEqual(ProjectMeasure.objects.count(), 1)
