"""The similar-project check also looks across the system's published work, through the
finder the library registers with openqi.projects.elsewhere."""

from __future__ import annotations

from django.urls import reverse

from openqi.library.models import Audience
from openqi.organisations.models import Organisation
from openqi.projects import elsewhere, similarity
from openqi.projects.models import Project
from tests.base import BaseTestCase
from tests.factories import make_organisation
from tests.library.helpers import make_project, make_publication


class RegistryTests(BaseTestCase):
    def test_find_asks_every_registered_finder_best_first(self) -> None:
        seen: list[str] = []

        def finder(
            organisation: Organisation, text: similarity.Text
        ) -> list[elsewhere.Elsewhere]:
            seen.append(text.title)
            return [
                elsewhere.Elsewhere("Low", "there", "/low", similarity.Match(1, 0.3)),
                elsewhere.Elsewhere("High", "there", "/high", similarity.Match(2, 0.9)),
            ]

        elsewhere.register(finder)
        elsewhere.register(finder)  # once, however often registered
        try:
            found = elsewhere.find(self.org, title="Falls")
        finally:
            elsewhere._FINDERS.remove(finder)
        self.assertEqual(seen, ["Falls"])
        self.assertEqual([e.title for e in found][:2], ["High", "Low"])
        self.assertEqual(elsewhere.find(self.org, title="  "), [])


class SimilarPublishedTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        system = make_organisation(name="Riverbend Care System", kind="system")
        cls.org.system = system
        cls.org.save()
        cls.neighbour = make_organisation(name="Brookside Trust", system=system)

    def test_starting_a_project_shows_published_work_of_the_system(self) -> None:
        source = make_project(
            self.neighbour, title="Preventing inpatient falls on frailty wards"
        )
        make_publication(
            self.neighbour,
            project=source,
            audience=Audience.SYSTEM,
            title="Preventing inpatient falls on frailty wards",
        )
        hidden = make_project(
            self.other_org, title="Preventing inpatient falls in surgery"
        )
        make_publication(
            self.other_org, project=hidden, audience="everyone", title=hidden.title
        )
        hidden_pub = hidden.publications.get()
        hidden_pub.withdrawn_at = hidden_pub.published_at
        hidden_pub.save()
        self.sign_in(self.lead)
        url = reverse("projects:create", kwargs={"slug": self.org.slug})
        response = self.client.post(
            url,
            {
                "title": "Inpatient falls on the frailty wards",
                "aim_what": "Fewer falls with harm",
                "status": "idea",
                "method": "mfi",
                "lead": self.lead.pk,
            },
        )
        self.assertEqual(response.status_code, 200)  # held back to show the matches
        self.assertContains(response, "Shared by other organisations")
        self.assertContains(response, "Published to the library by Brookside Trust")
        self.assertNotContains(response, "in surgery")  # withdrawn
        self.assertFalse(Project.objects.filter(organisation=self.org).exists())
        live = self.client.get(
            reverse("projects:similar", kwargs={"slug": self.org.slug}),
            {"title": "Falls on frailty wards"},
        )
        self.assertContains(live, "Preventing inpatient falls on frailty wards")
