"""The demo's spread (openqi/demo/spread.py): proven ideas adopted across teams and
units, one through an adoption of an adoption, candidates left; run twice, once."""

from __future__ import annotations

from django.test import TestCase

from openqi.demo import build_demo
from openqi.demo.spread import add_spread
from openqi.improvement import spread
from openqi.improvement.models import DriverNode


class DemoSpreadTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.demo = build_demo()
        add_spread(cls.demo)
        cls.riverside = cls.demo.organisations["riverside"]

    def test_ideas_spread_across_teams_and_units(self) -> None:
        spreading, candidates = spread.spread_rows(self.riverside)
        self.assertEqual(len(spreading), 3)
        self.assertEqual(spreading[0].teams, 4)  # three direct, one from an adoption
        self.assertGreaterEqual(spreading[0].units, 2)
        self.assertTrue(candidates)

    def test_one_adoption_came_from_an_adoption(self) -> None:
        second = DriverNode.objects.filter(
            project__organisation=self.riverside,
            adopted_from__spread_source__isnull=False,
        )
        self.assertEqual(second.count(), 1)
        self.assertNotEqual(second[0].adopted_from_id, second[0].spread_source_id)

    def test_running_again_adds_nothing(self) -> None:
        before = DriverNode.objects.filter(spread_source__isnull=False).count()
        add_spread(self.demo)
        self.assertEqual(
            DriverNode.objects.filter(spread_source__isnull=False).count(), before
        )
