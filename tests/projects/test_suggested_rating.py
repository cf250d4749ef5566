"""The suggested progress rating at each level of the IHI scale, on hand-made projects."""

from __future__ import annotations

import datetime
from decimal import Decimal

from openqi.improvement.models import PDSACycle
from openqi.measures.services import chart_for
from openqi.portfolio.services import page_queryset
from openqi.projects.models import Project
from openqi.projects.progress import suggest_rating
from tests.base import BaseTestCase
from tests.portfolio.portfolio_data import (
    FLAT,
    STEP_DOWN,
    STEP_UP,
    add_cycle,
    add_driver_diagram,
    link,
    make_measure,
    make_project,
    months,
)

#: Twelve months around 10, then fourteen months around 6, with a new phase from the 13th.
REBASED = STEP_DOWN + [6, 5]


class SuggestedRatingLevels(BaseTestCase):
    def formed(self, **fields: object) -> Project:
        fields.setdefault("aim_what", "Reduce falls at night on the stroke unit")
        project = make_project(self.org, lead=self.editor, **fields)
        project.team.add(self.viewer)
        return project

    def with_baseline(self, **fields: object) -> Project:
        project = self.formed(**fields)
        add_driver_diagram(project, change_ideas=0)
        link(project, make_measure(self.org, FLAT, improvement="increase"), "process")
        return project

    def assertScore(self, project: Project, score: str) -> list[str]:
        suggestion = suggest_rating(project)
        self.assertEqual(
            suggestion.score, Decimal(score), "\n".join(suggestion.reasons)
        )
        return suggestion.reasons

    def test_a_bare_project_is_0_5(self) -> None:
        project = make_project(self.org)
        suggestion = suggest_rating(project)
        self.assertEqual(suggestion.score, Decimal("0.5"))
        self.assertEqual(suggestion.label, "Intent to participate")
        self.assertIn(
            "For 1.0: needs a lead and team members and an aim.", suggestion.next_step
        )

    def test_a_team_and_an_aim_make_1_0(self) -> None:
        reasons = self.assertScore(self.formed(), "1.0")
        self.assertIn("Team formed: a lead and 1 team member; aim set", reasons)

    def test_a_lead_without_team_members_is_not_1_0(self) -> None:
        project = make_project(self.org, lead=self.editor, aim_what="Fewer falls")
        self.assertScore(project, "0.5")

    def test_a_measure_with_ten_points_and_a_driver_diagram_make_1_5(self) -> None:
        reasons = self.assertScore(self.with_baseline(), "1.5")
        self.assertIn(
            "1 measure with a baseline of 10 or more points; a driver diagram "
            "with 1 primary driver",
            reasons,
        )

    def test_nine_points_are_not_a_baseline(self) -> None:
        project = self.formed()
        add_driver_diagram(project, change_ideas=0)
        link(project, make_measure(self.org, FLAT[:9], improvement="decrease"))
        self.assertScore(project, "1.0")

    def test_change_ideas_without_a_studied_cycle_make_2_0(self) -> None:
        project = self.with_baseline()
        idea = add_driver_diagram(project, change_ideas=2)[0]
        add_cycle(project, idea)
        reasons = self.assertScore(project, "2.0")
        self.assertIn("2 change ideas recorded; 1 PDSA cycle planned or run", reasons)

    def test_a_studied_cycle_makes_2_5(self) -> None:
        project = self.with_baseline()
        idea = add_driver_diagram(project)[0]
        add_cycle(project, idea, stage=PDSACycle.Stage.STUDY, study="As predicted.")
        self.assertScore(project, "2.5")

    def test_an_adopted_change_makes_3_0(self) -> None:
        project = self.with_baseline()
        idea = add_driver_diagram(project)[0]
        for act in ("adapt", "adopt", ""):
            add_cycle(
                project,
                idea,
                stage=PDSACycle.Stage.ACT if act else PDSACycle.Stage.STUDY,
                study="Better than predicted.",
                act=act,
            )
        reasons = self.assertScore(project, "3.0")
        self.assertIn("3 PDSA cycles studied; 1 change adopted", reasons)

    def test_improvement_in_a_process_measure_makes_3_0(self) -> None:
        project = self.with_baseline()
        measure = make_measure(
            self.org, STEP_UP, name="Checks done on time", improvement="increase"
        )
        link(project, measure, "process")
        reasons = self.assertScore(project, "3.0")
        self.assertIn(
            "Process measure 'Checks done on time': special cause improvement "
            "since January 2023 (12 months)",
            reasons,
        )

    def test_a_fresh_outcome_signal_makes_3_5(self) -> None:
        project = self.with_baseline()
        measure = make_measure(
            self.org,
            [*FLAT, 1],
            name="Falls per 1,000 bed days",
            improvement="decrease",
        )
        link(project, measure)
        reasons = self.assertScore(project, "3.5")
        self.assertIn(
            "Outcome measure 'Falls per 1,000 bed days': special cause improvement "
            "since September 2023 (1 month)",
            reasons,
        )

    def test_outcome_improvement_held_three_months_makes_4_0(self) -> None:
        project = self.with_baseline(status=Project.Status.ACTIVE)
        link(
            project,
            make_measure(self.org, STEP_DOWN, name="Falls", improvement="decrease"),
        )
        reasons = self.assertScore(project, "4.0")
        self.assertIn("'Falls' sustained for 12 months", reasons)

    def test_a_better_new_phase_after_a_rebase_makes_4_0(self) -> None:
        project = self.with_baseline()
        measure = make_measure(
            self.org,
            STEP_DOWN[:14],
            name="Falls",
            improvement="decrease",
            breaks=[months(13)[12]],
        )
        link(project, measure)
        reasons = self.assertScore(project, "4.0")
        self.assertIn(
            "Outcome measure 'Falls': the new phase since January 2023 is better "
            "than the baseline and holding (2 months)",
            reasons,
        )

    def test_six_months_held_while_sustaining_makes_4_5(self) -> None:
        project = self.with_baseline(status=Project.Status.SUSTAINING)
        link(
            project,
            make_measure(self.org, STEP_DOWN, name="Falls", improvement="decrease"),
        )
        self.assertScore(project, "4.5")

    def test_every_outcome_at_target_for_a_year_makes_5_0(self) -> None:
        project = self.with_baseline(status=Project.Status.SUSTAINING)
        measure = make_measure(
            self.org,
            REBASED,
            name="Falls",
            improvement="decrease",
            target=9,
            breaks=[months(13)[12]],
        )
        link(project, measure)
        reasons = self.assertScore(project, "5.0")
        self.assertIn(
            "Every outcome measure consistently passes its target; improvement "
            "held for 14 months",
            reasons,
        )

    def test_one_outcome_short_of_its_target_holds_5_0_back(self) -> None:
        project = self.with_baseline(status=Project.Status.SUSTAINING)
        rebased = make_measure(
            self.org, REBASED, improvement="decrease", target=9, breaks=[months(13)[12]]
        )
        link(project, rebased)
        link(project, make_measure(self.org, FLAT, improvement="decrease", target=5))
        suggestion = suggest_rating(project)
        self.assertEqual(suggestion.score, Decimal("4.5"))
        self.assertIn("(1 of 2 do)", suggestion.next_step)

    def test_a_concern_at_the_latest_point_is_not_improvement(self) -> None:
        project = self.with_baseline()
        link(project, make_measure(self.org, [*STEP_DOWN, 20], improvement="decrease"))
        self.assertScore(project, "1.5")

    def test_signals_that_ended_before_the_project_started_do_not_count(self) -> None:
        # The improvement is from January 2023; the project started in 2025.
        project = self.with_baseline(start_date=datetime.date(2025, 1, 1))
        link(project, make_measure(self.org, STEP_DOWN, improvement="decrease"))
        self.assertScore(project, "1.5")

    def test_missing_lower_levels_are_named(self) -> None:
        project = make_project(self.org)
        idea = add_driver_diagram(project)[0]
        add_cycle(project, idea, stage=PDSACycle.Stage.STUDY, study="Worked.")
        reasons = self.assertScore(project, "2.5")
        self.assertIn(
            "Not in OpenQI yet (level 1.0): a lead and team members and an aim", reasons
        )

    def test_the_evidence_is_returned(self) -> None:
        project = self.with_baseline(status=Project.Status.SUSTAINING)
        link(
            project,
            make_measure(self.org, STEP_DOWN, name="Falls", improvement="decrease"),
        )
        evidence = suggest_rating(project).evidence
        self.assertEqual(evidence["team_members"], 1)
        self.assertEqual(evidence["outcome_measures"], 1)
        self.assertEqual(evidence["outcome_improvements"][0]["measure"], "Falls")
        self.assertEqual(evidence["outcome_improvements"][0]["months"], 12)
        self.assertEqual(
            evidence["outcome_improvements"][0]["since"], datetime.date(2023, 1, 1)
        )

    def test_charts_passed_in_are_used_as_given(self) -> None:
        project = self.with_baseline()
        measure = project.measure_links.get().measure
        # With the chart given as "no data", the measure is no baseline.
        suggestion = suggest_rating(project, charts={measure.pk: None})
        self.assertEqual(suggestion.score, Decimal("1.0"))

    def test_a_prefetched_project_with_its_charts_needs_no_query(self) -> None:
        self.with_baseline()
        project = page_queryset(Project.objects.all()).get()
        measure = project.measure_links.all()[0].measure
        charts = {measure.pk: chart_for(measure, list(measure.points.all()))}
        with self.assertNumQueries(0):
            self.assertEqual(
                suggest_rating(project, charts=charts).score, Decimal("1.5")
            )
