"""The demo's sustainability checks: every Active or Sustaining project with a team
checked in the past year, rated by its lead and team, repeated checks whose scores
rise on most projects and fall on one, and actions on the weakest factors."""

from __future__ import annotations

import datetime

from django.test import TestCase

from openqi.demo import build_demo
from openqi.demo.projects import TODAY
from openqi.demo.sustainability import ACTIONS_PER_CHECK
from openqi.organisations.models import Organisation
from openqi.projects.models import Project
from openqi.sustainability import services
from openqi.sustainability.builtin import FACTOR_KEYS
from openqi.sustainability.models import (
    Rating,
    SustainabilityAction,
    SustainabilityCheck,
)


class DemoSustainabilityTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        build_demo()
        cls.riverside = Organisation.objects.get(slug="riverside")
        cls.checks = list(
            SustainabilityCheck.objects.for_organisation(cls.riverside)
            .select_related("project")
            .order_by("project_id", "opened_on")
        )
        cls.by_project: dict[int, list[SustainabilityCheck]] = {}
        for check in cls.checks:
            cls.by_project.setdefault(check.project_id, []).append(check)

    def test_every_checkable_project_with_a_team_is_checked(self) -> None:
        with_teams = set(
            Project.objects.for_organisation(self.riverside)
            .filter(status__in=services.CHECKABLE, team__isnull=False)
            .values_list("pk", flat=True)
        )
        self.assertGreaterEqual(len(with_teams), 10)
        self.assertEqual(set(self.by_project), with_teams)

    def test_checks_in_the_past_year_after_the_project_began(self) -> None:
        for check in self.checks:
            self.assertLessEqual(check.opened_on, TODAY)
            self.assertGreater(check.opened_on, TODAY - datetime.timedelta(days=365))
            self.assertGreater(check.opened_on, check.project.start_date)
            self.assertEqual(check.opened_by_id, check.project.lead_id)

    def test_the_lead_and_each_team_member_rate_all_ten_factors(self) -> None:
        for checks in self.by_project.values():
            project = checks[0].project
            raters = {project.lead_id, *project.team.values_list("pk", flat=True)}
            for check in checks:
                ratings = Rating.objects.filter(sustainability_check=check)
                self.assertEqual(ratings.count(), len(raters) * len(FACTOR_KEYS))
                self.assertEqual(
                    set(ratings.values_list("rater_id", flat=True)), raters
                )
                self.assertEqual(services.score_of(check).raters, len(raters))
        # The members do not all agree.
        spreads = [
            f.spread for check in self.checks for f in services.score_of(check).factors
        ]
        self.assertTrue(any(spreads))
        self.assertFalse(all(spreads))

    def test_repeated_checks_rise_on_most_projects_and_fall_on_one(self) -> None:
        repeated = {pk: c for pk, c in self.by_project.items() if len(c) >= 2}
        self.assertGreaterEqual(len(repeated), 4)
        self.assertTrue(any(len(c) == 3 for c in repeated.values()))
        rising, falling = [], []
        for pk, checks in repeated.items():
            points = services.history(checks)
            scores = [p.score for p in points]
            self.assertTrue(all(s is not None for s in scores))
            if scores[-1] > scores[0]:
                rising.append(pk)
            elif scores[-1] < scores[0]:
                falling.append(pk)
        self.assertGreaterEqual(len(rising), 3)
        self.assertEqual(len(falling), 1)
        fell = Project.objects.get(pk=falling[0])
        self.assertEqual(fell.title, "Antibiotic stewardship on gastroenterology")

    def test_actions_on_each_checks_weakest_factors(self) -> None:
        for checks in self.by_project.values():
            for index, check in enumerate(checks):
                weakest = services.score_of(check).weakest[:ACTIONS_PER_CHECK]
                actions = services.actions_of(check)
                self.assertEqual({a.factor for a in actions}, {f.key for f in weakest})
                for action, factor in zip(
                    sorted(actions, key=lambda a: a.factor),
                    sorted(weakest, key=lambda f: f.key),
                    strict=True,
                ):
                    self.assertEqual(action.title, factor.action)
                is_latest = index == len(checks) - 1
                if is_latest:
                    self.assertEqual(
                        {a.status for a in actions}, {SustainabilityAction.Status.OPEN}
                    )
        # An earlier plan is done where the next check scored higher, and left
        # open where it fell.
        statuses = set(
            SustainabilityAction.objects.for_organisation(self.riverside).values_list(
                "status", flat=True
            )
        )
        self.assertEqual(statuses, set(SustainabilityAction.Status.values))
        stewardship = next(
            c
            for c in self.by_project.values()
            if c[0].project.title == "Antibiotic stewardship on gastroenterology"
        )
        self.assertEqual(
            {a.status for a in services.actions_of(stewardship[0])},
            {SustainabilityAction.Status.OPEN},
        )

    def test_the_portfolio_shows_the_checked_projects(self) -> None:
        rows = services.portfolio(self.riverside)
        scored = [r for r in rows if r.score is not None]
        self.assertEqual(len(scored), len(self.by_project))
        self.assertTrue(all(r.weakest for r in scored))
