"""The organisation's spread rows kept in the shared cache: read from it while the
data stay the same, never shown out of date after an adoption or a decision.

These tests commit (TransactionTestCase): the kept rows' version changes when a
transaction commits, which a test inside one transaction never does.
"""

from __future__ import annotations

from django.test import TransactionTestCase

from openqi.improvement import spread
from openqi.organisations.models import Role
from tests.factories import make_member, make_organisation, make_unit
from tests.improvement.routes_spread import make_proven, make_team_project


class KeptSpreadTests(TransactionTestCase):
    def setUp(self) -> None:
        self.org = make_organisation(name="Kept Spread Trust", slug="kept-spread")
        make_member(self.org, Role.ADMIN, full_name="Kit Keeper")
        self.unit = make_unit(self.org, name="Medicine")
        self.source, nodes = make_team_project(self.org, "Source", self.unit)
        self.idea = nodes["idea"]
        make_proven(self.idea)

    def test_rows_are_kept_until_the_data_change(self) -> None:
        _, candidates = spread.spread_rows(self.org)
        self.assertEqual([row.pk for row in candidates], [self.idea.pk])
        with self.assertNumQueries(0):
            spread.spread_rows(self.org)
        target, target_nodes = make_team_project(self.org, "Target", self.unit)
        spread.adopt(self.idea, target, target_nodes["secondary"])
        spreading, candidates = spread.spread_rows(self.org)
        self.assertEqual(
            [(r.pk, r.teams, r.units) for r in spreading], [(self.idea.pk, 1, 1)]
        )
        self.assertEqual(candidates, [])
        # A new decision proves another idea: it shows at once.
        make_proven(target_nodes["idea"])
        _, candidates = spread.spread_rows(self.org)
        self.assertEqual([row.pk for row in candidates], [target_nodes["idea"].pk])
