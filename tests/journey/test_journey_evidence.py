"""The evidence OpenQI gathers by itself for each step, from hand-made data."""

from __future__ import annotations

import datetime

from django.utils import timezone

from openqi.assessments.models import AssessmentRound, Instrument
from openqi.journey import services
from openqi.journey.models import JourneyStep
from openqi.measures.models import ChartSummary, DataPoint, Measure
from openqi.projects.models import Project
from tests.barriers.helpers import make_barrier
from tests.base import BaseTestCase
from tests.journey.helpers import make_evidence, make_milestone, step
from tests.projects.project_helpers import (
    make_measure,
    make_priority,
    make_project,
    make_rating,
)

TODAY = datetime.date(2025, 9, 15)


def _months_ago(months: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=round(months * 30.44))


class ReadinessEvidenceTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.instrument = Instrument.objects.create(
            key="readiness", name="Organisational readiness", definition={}
        )

    def _round(self, closed_on: datetime.date, **fields: object) -> AssessmentRound:
        fields.setdefault("status", AssessmentRound.Status.CLOSED)
        return AssessmentRound.objects.create(
            organisation=self.org,
            instrument=self.instrument,
            title=f"Readiness {closed_on.year}",
            closed_on=closed_on,
            **fields,
        )

    def test_a_round_closed_eleven_months_ago_counts(self) -> None:
        self._round(_months_ago(11))
        [item] = services.readiness_evidence(self.org, TODAY)
        self.assertIs(item.is_met, True)
        self.assertIn("closed on", item.sentence)

    def test_a_round_closed_thirteen_months_ago_does_not(self) -> None:
        self._round(_months_ago(13))
        [item] = services.readiness_evidence(self.org, TODAY)
        self.assertIs(item.is_met, False)
        self.assertIn("more than twelve months ago", item.sentence)

    def test_an_open_round_does_not_count(self) -> None:
        self._round(_months_ago(1), status=AssessmentRound.Status.OPEN)
        [item] = services.readiness_evidence(self.org, TODAY)
        self.assertIs(item.is_met, False)
        self.assertEqual(item.sentence, "No assessment round has closed yet.")

    def test_another_organisations_round_does_not_count(self) -> None:
        AssessmentRound.objects.create(
            organisation=self.other_org,
            instrument=self.instrument,
            title="Southmere readiness",
            status=AssessmentRound.Status.CLOSED,
            closed_on=_months_ago(2),
        )
        [item] = services.readiness_evidence(self.org, TODAY)
        self.assertIs(item.is_met, False)


class VisionAndAlignmentEvidenceTests(BaseTestCase):
    def test_nothing_held_means_nothing_met(self) -> None:
        priorities, projects = services.vision_evidence(self.org, TODAY)
        self.assertIs(priorities.is_met, False)
        self.assertIs(projects.is_met, False)
        aligned, barrier_log = services.alignment_evidence(self.org, TODAY)
        self.assertIs(aligned.is_met, False)
        self.assertEqual(aligned.sentence, "There are no active projects yet.")
        self.assertIs(barrier_log.is_met, False)

    def test_current_priorities_and_linked_projects(self) -> None:
        falls = make_priority(self.org, period_start=datetime.date(2025, 4, 1))
        make_priority(
            self.org,
            title="Ended priority",
            period_start=datetime.date(2020, 4, 1),
            period_end=datetime.date(2023, 3, 31),
        )
        make_project(self.org, title="Night falls").priorities.add(falls)
        priorities, projects = services.vision_evidence(self.org, TODAY)
        self.assertIs(priorities.is_met, True)
        self.assertEqual(priorities.sentence, "1 strategic priority is current.")
        self.assertIs(projects.is_met, True)
        self.assertEqual(projects.sentence, "1 project is linked to a priority.")

    def test_project_counts_across_statuses(self) -> None:
        """One read of the projects, counted by status: linked ones of every
        status, and of the active ones those linked and those rated lately."""
        falls = make_priority(self.org)
        for n, status, linked, rated_on in (
            (1, Project.Status.ACTIVE, True, _months_ago(1)),
            (2, Project.Status.ACTIVE, True, _months_ago(5)),
            (3, Project.Status.ACTIVE, False, _months_ago(2)),
            (4, Project.Status.IDEA, True, _months_ago(1)),
            (5, Project.Status.IDEA, False, None),
        ):
            project = make_project(self.org, title=f"Project {n}", status=status)
            if linked:
                project.priorities.add(falls)
            if rated_on:
                make_rating(project, rated_on=rated_on)
        make_project(self.other_org, title="Elsewhere").priorities.add(
            make_priority(self.other_org)
        )
        self.assertEqual(
            services.Facts(self.org, TODAY).projects,
            {"linked": 3, "active": 3, "active_linked": 2, "active_rated": 2},
        )

    def test_share_of_active_projects_linked_to_a_priority(self) -> None:
        falls = make_priority(self.org)
        for n in range(4):
            project = make_project(
                self.org, title=f"Active {n}", status=Project.Status.ACTIVE
            )
            if n < 3:
                project.priorities.add(falls)
        make_project(self.org, title="Just an idea", status=Project.Status.IDEA)
        aligned, _ = services.alignment_evidence(self.org, TODAY)
        self.assertEqual(
            aligned.sentence,
            "75% of active projects are linked to a priority (3 of 4).",
        )
        self.assertIs(aligned.is_met, False)  # below the 80% working threshold
        Project.objects.get(title="Active 3").priorities.add(falls)
        aligned, _ = services.alignment_evidence(self.org, TODAY)
        self.assertIs(aligned.is_met, True)

    def test_barrier_log_in_use_needs_a_barrier_raised_or_resolved_recently(
        self,
    ) -> None:
        make_barrier(self.org, raised_on=_months_ago(6))
        _, barrier_log = services.alignment_evidence(self.org, TODAY)
        self.assertIs(barrier_log.is_met, False)
        make_barrier(self.org, title="Recent", raised_on=_months_ago(1))
        _, barrier_log = services.alignment_evidence(self.org, TODAY)
        self.assertIs(barrier_log.is_met, True)


class SkillsAndSustainingEvidenceTests(BaseTestCase):
    def _points(self, measure: object, count: int) -> None:
        for month in range(count):
            DataPoint.objects.create(
                measure=measure,
                period=datetime.date(2024 + month // 12, month % 12 + 1, 1),
                value=5.0,
            )

    def test_measures_with_twelve_points_have_an_spc_chart(self) -> None:
        charted = make_measure(self.org, name="Falls")
        short = make_measure(self.org, name="Pressure ulcers")
        self._points(charted, 12)
        self._points(short, 11)
        spc, skills = services.skills_evidence(self.org, TODAY)
        self.assertIs(spc.is_met, True)
        self.assertIn("1 of 2 measures has 12 or more data points", spc.sentence)
        self.assertIsNone(skills.is_met)
        self.assertIn("No capability targets are set yet", skills.sentence)

    def test_eleven_points_are_not_enough(self) -> None:
        self._points(make_measure(self.org, name="Falls"), 11)
        spc, _ = services.skills_evidence(self.org, TODAY)
        self.assertIs(spc.is_met, False)

    def _summary(self, measure: Measure, n_points: int) -> None:
        ChartSummary.objects.update_or_create(
            measure=measure,
            defaults={"n_points": n_points, "computed_at": timezone.now()},
        )

    def _bare_points(self, measure: Measure, count: int) -> None:
        """Points written without the signals that store a chart summary."""
        DataPoint.objects.bulk_create(
            DataPoint(
                measure=measure,
                period=datetime.date(2024 + month // 12, month % 12 + 1, 1),
                value=5.0,
            )
            for month in range(count)
        )

    def test_a_stored_chart_summary_of_twelve_points_decides_alone(self) -> None:
        """The count reads the stored summary first: a summary that plots 12 points
        makes the measure charted without its points being read (here it has
        none), one that plots 11 does not."""
        summarised = make_measure(self.org, name="Falls")
        short = make_measure(self.org, name="Pressure ulcers")
        self._summary(summarised, 12)
        self._summary(short, 11)
        self.assertFalse(DataPoint.objects.filter(measure__in=[summarised, short]))
        spc, _ = services.skills_evidence(self.org, TODAY)
        self.assertIs(spc.is_met, True)
        self.assertIn("1 of 2 measures has 12 or more data points", spc.sentence)

    def test_points_count_when_the_summary_is_behind(self) -> None:
        """The data points decide when the stored summary says fewer than 12: one
        stored when the measure was made, before its points came, or one that
        plots fewer points than have a value (a rate without denominators)."""
        made_empty = make_measure(self.org, name="Falls")
        behind = make_measure(self.org, name="Pressure ulcers")
        self._bare_points(made_empty, 12)
        self._bare_points(behind, 12)
        self._summary(behind, 3)
        self.assertEqual(
            sorted(ChartSummary.objects.values_list("n_points", flat=True)), [0, 3]
        )
        spc, _ = services.skills_evidence(self.org, TODAY)
        self.assertIn("2 of 2 measures have 12 or more data points", spc.sentence)

    def test_the_summary_path_agrees_with_the_points(self) -> None:
        """Summaries stored as the application stores them (on each point written)
        give the same count as the points alone."""
        for name, count in (("Falls", 12), ("Pressure ulcers", 11), ("Sepsis", 30)):
            measure = make_measure(self.org, name=name, kind=Measure.Kind.CONTINUOUS)
            self._points(measure, count)
        self.assertEqual(
            sorted(ChartSummary.objects.values_list("n_points", flat=True)),
            [11, 12, 30],
        )
        spc, _ = services.skills_evidence(self.org, TODAY)
        self.assertIn("2 of 3 measures have 12 or more data points", spc.sentence)

    def test_progress_ratings_kept_up(self) -> None:
        rated = make_project(self.org, title="Rated", status=Project.Status.ACTIVE)
        stale = make_project(self.org, title="Stale", status=Project.Status.ACTIVE)
        make_rating(rated, rated_on=_months_ago(1))
        make_rating(stale, rated_on=_months_ago(5))
        [item] = services.sustaining_evidence(self.org, TODAY)
        self.assertIs(item.is_met, False)
        self.assertEqual(
            item.sentence, "1 of 2 active projects was rated in the last three months."
        )
        make_rating(stale, rated_on=_months_ago(2))
        [item] = services.sustaining_evidence(self.org, TODAY)
        self.assertIs(item.is_met, True)


class StepsTests(BaseTestCase):
    def test_six_steps_are_created_once(self) -> None:
        self.assertEqual(len(services.steps_for(self.org)), 6)
        self.assertEqual(len(services.steps_for(self.org)), 6)
        self.assertEqual(JourneyStep.objects.for_organisation(self.org).count(), 6)

    def test_the_current_step_is_the_first_not_established(self) -> None:
        steps = services.steps_for(self.org)
        steps[0].status = JourneyStep.Status.ESTABLISHED
        steps[0].save()
        self.assertEqual(services.current_step(steps).number, 2)

    def test_missing_lists_unmet_evidence_and_open_milestones(self) -> None:
        make_milestone(self.org, 1, title="Survey every ward")
        view = services.step_view(step(self.org, 1), TODAY)
        missing = services.missing_for_next(view)
        self.assertTrue(any("readiness round" in line for line in missing))
        self.assertIn("Milestone not done: Survey every ward", missing)

    def test_step_two_with_hand_evidence_misses_nothing(self) -> None:
        make_evidence(self.org, 2)
        view = services.step_view(step(self.org, 2), TODAY)
        self.assertEqual(services.missing_for_next(view), [])

    def test_overdue_milestones_are_those_past_due_and_not_done(self) -> None:
        late = make_milestone(self.org, due_on=TODAY - datetime.timedelta(days=1))
        make_milestone(self.org, title="Later", due_on=TODAY)
        make_milestone(
            self.org,
            title="Done late",
            due_on=TODAY - datetime.timedelta(days=9),
            done_on=TODAY,
        )
        view = services.step_view(step(self.org), TODAY)
        self.assertEqual(view.overdue, {late.pk})

    def test_advance_moves_one_place_and_stops_at_established(self) -> None:
        first = step(self.org)
        self.assertTrue(services.advance_step(first))
        self.assertEqual(first.status, JourneyStep.Status.IN_PROGRESS)
        self.assertTrue(services.advance_step(first))
        self.assertEqual(first.status, JourneyStep.Status.ESTABLISHED)
        self.assertFalse(services.advance_step(first))
