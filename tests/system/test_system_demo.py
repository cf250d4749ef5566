"""The demo's system: who shares what, and the system's own work."""

from __future__ import annotations

from django.test import TestCase
from django.urls import reverse

from openqi.demo import build_demo
from openqi.organisations.models import Organisation
from openqi.projects.models import Project
from openqi.strategy.models import StrategicPriority
from openqi.system.models import Sharing

SYSTEM_ADMIN = "ottilie.vance-harper@riversidewolds.example.org"


class SystemDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.demo = build_demo()
        cls.system = Organisation.objects.get(slug="riverside-wolds")

    def test_members_share_as_the_demo_says(self) -> None:
        shares = {
            s.organisation.slug: (s.portfolio, s.capability, s.readiness)
            for s in Sharing.objects.filter(system=self.system)
        }
        self.assertEqual(
            shares,
            {
                "riverside": (True, True, False),
                "eastmere": (True, True, False),
                "wolds": (False, False, True),
            },
        )

    def test_the_system_has_two_priorities_and_a_project_of_its_own(self) -> None:
        self.assertEqual(
            StrategicPriority.objects.for_organisation(self.system).count(), 2
        )
        self.assertEqual(Project.objects.for_organisation(self.system).count(), 1)

    def test_running_again_changes_nothing(self) -> None:
        again = build_demo()
        self.assertEqual(again.created["sharing settings"], 0)
        self.assertEqual(sum(again.created.values()), 0)

    def test_the_system_admin_sees_members_work_and_suppressed_counts(self) -> None:
        self.client.force_login(self.demo.users[SYSTEM_ADMIN])
        response = self.client.get(
            reverse("system:portfolio", kwargs={"slug": self.system.slug})
        )
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        for name in (
            "Riverside University Hospitals NHS Foundation Trust",
            "Eastmere General Hospital NHS Trust",
            "Wolds Community and Mental Health NHS Trust",
        ):
            self.assertIn(name, page)
        self.assertIn("fewer than 5", page)
        self.assertIn("System-wide discharge to assess", page)
        self.assertIn("Readiness assessment: Wolds, first round", page)
