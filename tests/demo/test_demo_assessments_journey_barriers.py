"""The demo's assessments, journey and barrier log: results show, small
groups are suppressed, and a second run changes nothing."""

from __future__ import annotations

from collections import Counter

from django.test import TestCase
from django.utils import timezone

from openqi.assessments import services
from openqi.assessments.models import (
    ActionItem,
    AssessmentRound,
    Response,
    ResponseLink,
)
from openqi.barriers.models import Barrier
from openqi.core.categories import BarrierCategory
from openqi.demo import build_demo, describe
from openqi.demo.assessments import ROUNDS
from openqi.journey.models import Evidence, JourneyStep, Milestone
from openqi.organisations.models import Organisation

MODELS = (
    AssessmentRound,
    ResponseLink,
    Response,
    ActionItem,
    JourneyStep,
    Milestone,
    Evidence,
    Barrier,
)


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


class DemoAssessmentsJourneyBarriersTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        build_demo()
        cls.riverside = Organisation.objects.get(slug="riverside")
        cls.rounds = {
            r.title: r for r in AssessmentRound.objects.for_organisation(cls.riverside)
        }
        cls.today = timezone.localdate()

    def test_two_closed_readiness_rounds_and_one_open_and_a_team_pulse(self) -> None:
        readiness = [s for s in ROUNDS if s.instrument == "organisational-readiness"]
        statuses = [self.rounds[s.title].status for s in readiness]
        self.assertEqual(statuses, ["closed", "closed", "open"])
        first, second, third = (self.rounds[s.title] for s in readiness)
        self.assertGreater((second.closed_on - first.closed_on).days, 250)
        self.assertEqual(first.instrument, third.instrument)
        self.assertTrue(first.instrument.is_builtin)
        pulse = self.rounds["Emergency department learning climate pulse"]
        self.assertEqual(pulse.instrument.key, "learning-climate-pulse")
        self.assertEqual([u.name for u in pulse.units.all()], ["Emergency department"])
        self.assertTrue(third.links.filter(used_at__isnull=True).exists())

    def test_results_show_with_improvement_and_a_suppressed_unit(self) -> None:
        second = self.rounds[ROUNDS[1].title]
        results = services.results_for(second)
        self.assertFalse(results.overall.is_suppressed)
        scores = {k: c.score for k, c in results.overall.cells.items()}
        self.assertTrue(all(score is not None for score in scores.values()), scores)
        self.assertEqual(results.previous, self.rounds[ROUNDS[0].title])
        self.assertGreater(results.change["culture"], 5)
        self.assertGreater(results.change["leadership"], 5)
        self.assertTrue(all(c is not None for c in results.change.values()))
        self.assertEqual(min(scores, key=scores.__getitem__), "infrastructure")
        self.assertTrue(results.suggestions)
        by_unit = {row.label: row for row in results.by_unit}
        self.assertTrue(by_unit["Pharmacy"].is_suppressed)
        self.assertLess(by_unit["Pharmacy"].n, 5)
        self.assertIsNone(by_unit["Pharmacy"].cells["culture"].score)
        self.assertEqual(by_unit["Pharmacy"].suppression, services.FEW_RESPONSES)
        shown = [row for row in results.by_unit if not row.is_suppressed]
        self.assertGreaterEqual(len(shown), 2)
        self.assertIsNotNone(shown[0].cells["culture"].score)

    def test_the_first_round_publishes_every_overall_score_too(self) -> None:
        results = services.results_for(self.rounds[ROUNDS[0].title])
        self.assertFalse(results.overall.is_suppressed)
        for cell in [
            *results.overall.cells.values(),
            *results.overall.categories.values(),
        ]:
            self.assertIsNotNone(cell.score)

    def test_the_open_round_says_results_come_when_it_closes(self) -> None:
        third = self.rounds[ROUNDS[2].title]
        self.assertFalse(services.results_are_available(third))
        self.assertIsNone(third.published_results)
        with self.assertRaises(services.ResultsNotAvailable):
            services.results_for(third)
        self.client.force_login(third.created_by)
        page = self.client.get(
            f"/organisations/riverside/assessments/rounds/{third.pk}/results/"
        ).content.decode()
        self.assertIn("The results will be available when the round closes.", page)

    def test_the_closed_pulse_has_results(self) -> None:
        pulse = self.rounds[ROUNDS[3].title]
        self.assertEqual(pulse.status, AssessmentRound.Status.CLOSED)
        results = services.results_for(pulse)
        self.assertFalse(results.overall.is_suppressed)
        self.assertTrue(
            all(c.score is not None for c in results.overall.cells.values())
        )

    def test_closed_rounds_are_closed_with_their_results_stored(self) -> None:
        for spec in ROUNDS:
            assessment_round = self.rounds[spec.title]
            if spec.closed_days_ago is None:
                continue
            self.assertTrue(services.has_stored_results(assessment_round), spec.title)
            self.assertEqual(
                (self.today - assessment_round.closed_on).days, spec.closed_days_ago
            )

    def test_action_items_from_the_gaps(self) -> None:
        actions = ActionItem.objects.for_organisation(self.riverside)
        self.assertGreaterEqual(actions.count(), 4)
        self.assertEqual(
            set(actions.values_list("status", flat=True)), set(ActionItem.Status.values)
        )
        for action in actions:
            action.full_clean()
            self.assertIsNotNone(action.owner)
            self.assertIsNotNone(action.round)

    def test_the_roadmap_is_filled(self) -> None:
        steps = {
            s.number: s for s in JourneyStep.objects.for_organisation(self.riverside)
        }
        self.assertEqual(sorted(steps), [1, 2, 3, 4, 5, 6])
        self.assertEqual(steps[1].status, "established")
        self.assertEqual(steps[3].status, "in_progress")
        self.assertEqual(steps[6].status, "not_started")
        milestones = Milestone.objects.for_organisation(self.riverside)
        self.assertGreater(milestones.filter(done_on__isnull=False).count(), 3)
        self.assertTrue(milestones.filter(done_on__isnull=True).exists())
        self.assertGreaterEqual(
            Evidence.objects.for_organisation(self.riverside).count(), 3
        )

    def test_about_fifteen_barriers_across_the_seven_categories(self) -> None:
        barriers = Barrier.objects.for_organisation(self.riverside)
        self.assertGreaterEqual(barriers.count(), 14)
        self.assertEqual(
            set(barriers.values_list("category", flat=True)),
            set(BarrierCategory.values),
        )
        self.assertEqual(
            set(barriers.values_list("status", flat=True)), set(Barrier.Status.values)
        )
        self.assertGreater(len(Counter(barriers.values_list("severity", flat=True))), 3)
        self.assertEqual(barriers.filter(escalate_to_board=True).count(), 1)
        self.assertGreater(
            barriers.filter(projects__isnull=False).distinct().count(), 4
        )
        for barrier in barriers:
            barrier.full_clean()

    def test_a_second_run_changes_nothing(self) -> None:
        before = _counts()
        demo = build_demo()
        self.assertEqual(_counts(), before)
        self.assertIn("Nothing to create", describe(demo))
