"""The demo's shared learning library: Riverside and Wolds publish, Eastmere adopts,
the audiences hold, and a second run adds nothing."""

from __future__ import annotations

from django.test import TestCase

from openqi.demo import build_demo
from openqi.library import services
from openqi.library.models import Adoption, Audience, Kind, Publication
from openqi.organisations.models import Organisation
from openqi.projects.models import Project


class LibraryDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        build_demo(size="small")

    def test_riverside_and_wolds_publish(self) -> None:
        riverside = Organisation.objects.get(slug="riverside")
        wolds = Organisation.objects.get(slug="wolds")
        ours = services.published_by(riverside)
        self.assertEqual(ours.filter(kind=Kind.PROJECT).count(), 4)
        self.assertEqual(ours.filter(kind=Kind.MEASURE).count(), 1)
        self.assertEqual(ours.filter(audience=Audience.EVERYONE).count(), 1)
        with_series = ours.get(includes_series=True)
        self.assertTrue(with_series.content["measures"][0]["series"])
        self.assertEqual(services.published_by(wolds).count(), 1)
        # The system organisation reads its members' work.
        system = Organisation.objects.get(slug="riverside-wolds")
        self.assertEqual(services.visible_publications(system).count(), 6)

    def test_eastmere_adopts_a_project_and_a_measure(self) -> None:
        eastmere = Organisation.objects.filter(slug="eastmere").first()
        if eastmere is None:
            self.skipTest("the third trust is not in the demo yet")
        adoptions = Adoption.objects.filter(organisation=eastmere)
        self.assertEqual(
            sorted(a.publication.kind for a in adoptions), [Kind.MEASURE, Kind.PROJECT]
        )
        project = adoptions.get(publication__kind=Kind.PROJECT).project
        assert project is not None
        self.assertEqual(project.organisation, eastmere)
        self.assertTrue(project.driver_nodes.exists())

    def test_running_again_creates_nothing(self) -> None:
        counts = (
            Publication.objects.count(),
            Adoption.objects.count(),
            Project.objects.count(),
        )
        demo = build_demo(size="small")
        self.assertEqual(
            (
                Publication.objects.count(),
                Adoption.objects.count(),
                Project.objects.count(),
            ),
            counts,
        )
        self.assertFalse(demo.created["library publications"])
        self.assertFalse(demo.created["library adoptions"])
