"""Spread of change ideas (openqi/improvement/spread.py): the proven rule, adopting,
the refusals, and the counts per idea across teams and units."""

from __future__ import annotations

from openqi.audit.models import AuditEvent
from openqi.improvement import spread
from openqi.improvement.models import DriverNode
from openqi.organisations.models import Unit
from openqi.projects.models import Project
from tests.base import BaseTestCase
from tests.factories import make_unit
from tests.improvement.routes import make_cycle
from tests.improvement.routes_spread import make_proven, make_team_project
from tests.projects.project_helpers import make_priority


class SpreadCase(BaseTestCase):
    def setUp(self) -> None:
        self.source, nodes = make_team_project(self.org, "Falls on ward 1", self.team)
        self.idea = nodes["idea"]
        make_proven(self.idea)

    def team_project(
        self, title: str, unit: Unit | None = None
    ) -> tuple[Project, DriverNode]:
        project, nodes = make_team_project(self.org, title, unit)
        return project, nodes["secondary"]

    def adopt(
        self, idea: DriverNode, title: str, unit: Unit | None = None
    ) -> DriverNode:
        project, parent = self.team_project(title, unit)
        return spread.adopt(idea, project, parent)


class ProvenTests(SpreadCase):
    def test_an_idea_is_proven_only_by_a_cycle_that_ended_in_adopt(self) -> None:
        _, nodes = make_team_project(self.org, "Other")
        other = nodes["idea"]
        self.assertFalse(spread.is_proven(other))
        make_cycle(other, study="Mixed.", act="adapt", stage="act")
        make_cycle(other, study="No.", act="abandon", stage="act")
        make_cycle(other)  # planned, not decided
        self.assertFalse(spread.is_proven(other))
        make_proven(other)
        self.assertTrue(spread.is_proven(other))
        self.assertTrue(spread.is_proven(self.idea))


class AdoptTests(SpreadCase):
    def test_adopting_adds_a_linked_change_idea_under_the_driver(self) -> None:
        project, parent = self.team_project("Falls on ward 2", self.directorate)
        node = spread.adopt(self.idea, project, parent)
        node.refresh_from_db()
        self.assertEqual(node.project, project)
        self.assertEqual(node.parent, parent)
        self.assertEqual(node.kind, DriverNode.Kind.CHANGE_IDEA)
        self.assertEqual(node.text, self.idea.text)
        self.assertEqual(node.adopted_from, self.idea)
        self.assertEqual(node.spread_source, self.idea)
        self.assertIn("Falls on ward 1", node.adopted_from_text)

    def test_adopting_is_audited(self) -> None:
        project, parent = self.team_project("Falls on ward 2")
        node = spread.adopt(self.idea, project, parent)
        self.assertTrue(
            AuditEvent.objects.filter(
                object_pk=str(node.pk), action="create", model__icontains="drivernode"
            ).exists()
        )

    def test_an_unproven_idea_is_refused(self) -> None:
        _, nodes = make_team_project(self.org, "Untested")
        project, parent = self.team_project("Falls on ward 2")
        with self.assertRaisesMessage(spread.AdoptionRefused, "not proven yet"):
            spread.adopt(nodes["idea"], project, parent)
        self.assertFalse(
            DriverNode.objects.filter(
                project=project, adopted_from__isnull=False
            ).exists()
        )

    def test_adopting_into_its_own_project_is_refused(self) -> None:
        parent = self.idea.parent
        with self.assertRaisesMessage(spread.AdoptionRefused, "another team's project"):
            spread.adopt(self.idea, self.source, parent)

    def test_adopting_twice_into_one_project_is_refused(self) -> None:
        project, parent = self.team_project("Falls on ward 2")
        spread.adopt(self.idea, project, parent)
        with self.assertRaisesMessage(spread.AdoptionRefused, "already adopted"):
            spread.adopt(self.idea, project, parent)
        self.assertEqual(
            DriverNode.objects.filter(project=project, spread_source=self.idea).count(),
            1,
        )

    def test_adopting_an_adoption_back_into_the_source_project_is_refused(self) -> None:
        first = self.adopt(self.idea, "Falls on ward 2")
        make_proven(first)
        with self.assertRaisesMessage(spread.AdoptionRefused, "another team's project"):
            spread.adopt(first, self.source, self.idea.parent)

    def test_a_driver_of_another_project_is_refused(self) -> None:
        project, _ = self.team_project("Falls on ward 2")
        with self.assertRaisesMessage(spread.AdoptionRefused, "Choose a driver of"):
            spread.adopt(self.idea, project, self.idea.parent)

    def test_deleting_the_source_keeps_the_link_wording(self) -> None:
        node = self.adopt(self.idea, "Falls on ward 2")
        self.idea.delete()
        node.refresh_from_db()
        self.assertIsNone(node.adopted_from)
        self.assertIsNone(node.spread_source)
        self.assertIn(node.text, node.adopted_from_text)
        self.assertIn("Falls on ward 1", node.adopted_from_text)


class CountTests(SpreadCase):
    def test_teams_and_distinct_units_are_counted_per_idea(self) -> None:
        self.adopt(self.idea, "Ward 2", self.directorate)
        self.adopt(self.idea, "Ward 3", self.directorate)
        self.adopt(self.idea, "Ward 4", self.division)
        self.adopt(self.idea, "Ward 5")  # no unit: a team, not a unit
        other_unit = make_unit(self.org, name="Surgery")
        _, nodes = make_team_project(self.org, "Theatre list", other_unit)
        make_proven(nodes["idea"])
        self.adopt(nodes["idea"], "Theatre list 2", other_unit)
        spreading, candidates = spread.spread_rows(self.org)
        by_pk = {row.pk: row for row in spreading}
        self.assertEqual((by_pk[self.idea.pk].teams, by_pk[self.idea.pk].units), (4, 2))
        self.assertEqual(
            (by_pk[nodes["idea"].pk].teams, by_pk[nodes["idea"].pk].units), (1, 1)
        )
        self.assertEqual(
            [row.pk for row in spreading], [self.idea.pk, nodes["idea"].pk]
        )
        self.assertEqual(candidates, [])

    def test_an_adoption_of_an_adoption_counts_to_the_source(self) -> None:
        first = self.adopt(self.idea, "Ward 2", self.directorate)
        make_proven(first)
        second = self.adopt(first, "Ward 3", self.division)
        self.assertEqual(second.adopted_from, first)
        self.assertEqual(second.spread_source, self.idea)
        spreading, candidates = spread.spread_rows(self.org)
        self.assertEqual(
            [(r.pk, r.teams, r.units) for r in spreading], [(self.idea.pk, 2, 2)]
        )
        # The proven adoption is no original of its own: it is not a candidate.
        self.assertEqual(candidates, [])
        # Nor may the third team adopt it again through the first adoption.
        with self.assertRaisesMessage(spread.AdoptionRefused, "already adopted"):
            spread.adopt(first, second.project, second.parent)

    def test_proven_ideas_never_adopted_are_candidates(self) -> None:
        _, nodes = make_team_project(self.org, "Untested")
        spreading, candidates = spread.spread_rows(self.org)
        self.assertEqual(spreading, [])
        self.assertEqual([row.pk for row in candidates], [self.idea.pk])
        self.assertNotIn(nodes["idea"].pk, [row.pk for row in candidates])

    def test_filters_by_the_source_projects_unit_and_priority(self) -> None:
        priority = make_priority(self.org, title="Safer care")
        self.source.priorities.add(priority)
        _, nodes = make_team_project(self.org, "Elsewhere", self.division)
        make_proven(nodes["idea"])
        _, by_unit = spread.spread_rows(self.org, unit=self.team.pk)
        self.assertEqual([row.pk for row in by_unit], [self.idea.pk])
        _, by_priority = spread.spread_rows(self.org, priority=priority.pk)
        self.assertEqual([row.pk for row in by_priority], [self.idea.pk])
        _, everyone = spread.spread_rows(self.org)
        self.assertEqual(len(everyone), 2)

    def test_another_organisations_ideas_are_not_counted(self) -> None:
        _, nodes = make_team_project(self.other_org, "Theirs")
        make_proven(nodes["idea"])
        _, candidates = spread.spread_rows(self.org)
        self.assertEqual([row.pk for row in candidates], [self.idea.pk])
