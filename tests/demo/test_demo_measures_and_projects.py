"""The demo's priorities, projects and measures: every stage, every signal."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable

from django.test import TestCase

from openqi.audit.models import AuditEvent
from openqi.demo import build_demo
from openqi.demo.measures import AE_MEASURE, MEASURES, ae_source
from openqi.demo.projects import PROJECTS
from openqi.improvement.models import DriverNode, PDSACycle
from openqi.measures.models import Annotation, DataPoint, Measure, PhaseBreak
from openqi.measures.services import chart_for
from openqi.organisations.models import Membership, Organisation
from openqi.projects.models import (
    Partner,
    ProgressRating,
    Project,
    ProjectMeasure,
    ProjectNote,
    Tag,
)
from openqi.spc import ChartResult
from openqi.strategy.models import StrategicPriority

MODELS = (
    StrategicPriority,
    Project,
    Partner,
    ProjectNote,
    ProgressRating,
    ProjectMeasure,
    DriverNode,
    PDSACycle,
    Tag,
    Measure,
    DataPoint,
    PhaseBreak,
    Annotation,
    AuditEvent,
)


def _signals(chart: ChartResult) -> set[tuple[str, str, str]]:
    return {(s.rule, s.signal, s.side) for s in chart.signals}


def _only(chart: ChartResult, signal: str, side: str) -> bool:
    return all((s.signal, s.side) == (signal, side) for s in chart.signals)


#: What each measure's chart must show (docs/demo.md says the same in words).
EXPECTED: dict[str, Callable[[ChartResult], bool]] = {
    "Sepsis: antibiotics within one hour of arrival": lambda c: (
        ("shift", "improvement", "high") in _signals(c)
        and _only(c, "improvement", "high")
        and c.variation == "improvement_high"
    ),
    "Inpatient falls per 1,000 occupied bed days": lambda c: (
        _signals(c) == {("shift", "improvement", "low")}
        and c.variation == "improvement_low"
    ),
    "Door-to-needle time for thrombolysis": lambda c: (
        ("trend", "improvement", "low") in _signals(c)
        and _only(c, "improvement", "low")
    ),
    "Elective operations cancelled on the day": lambda c: (
        [(s.rule, s.signal, s.side, s.n_points) for s in c.signals]
        == [("outside_limits", "concern", "high", 1)]
    ),
    "Length of stay after hip fracture": lambda c: (
        _signals(c) == {("two_of_three", "concern", "high")}
    ),
    "Discharge summaries sent within 24 hours": lambda c: (
        len(c.phases) == 2
        and c.phases[1].centre > c.phases[0].centre + 15
        and not c.signals
    ),
    "Stroke patients admitted to the stroke unit within 4 hours": lambda c: (
        c.assurance == "consistent_fail" and not c.signals
    ),
    "VTE risk assessment within 14 hours of admission": lambda c: (
        c.assurance == "consistent_pass" and not c.signals
    ),
    "Emergency admissions from care homes": lambda c: (
        not c.signals and c.variation == "common_cause"
    ),
    "Admissions between hospital-onset C. difficile infections": lambda c: (
        c.chart == "g"
    ),
    "Days between never events in theatres": lambda c: c.chart == "t" and not c.signals,
    "Time from arrival to initial assessment": lambda c: (
        ("shift", "improvement", "low") in _signals(c)
        and _only(c, "improvement", "low")
        and c.variation == "improvement_low"
    ),
    "Patients who left the emergency department before being seen": lambda c: (
        not c.signals
    ),
    "Staff sickness absence": lambda c: (
        c.chart == "pp" and c.assurance == "consistent_fail" and not c.signals
    ),
    "Postpartum haemorrhage of 1.5 litres or more": lambda c: not c.signals,
    "Children with asthma discharged with an action plan": lambda c: (
        ("shift", "improvement", "high") in _signals(c)
        and _only(c, "improvement", "high")
    ),
}


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


class DemoProjectsAndMeasuresTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.demo = build_demo()
        cls.riverside = Organisation.objects.get(slug="riverside")
        cls.projects = Project.objects.for_organisation(cls.riverside)
        cls.measures = Measure.objects.for_organisation(cls.riverside)

    def test_four_priorities_with_periods_and_headline_measures(self) -> None:
        priorities = StrategicPriority.objects.for_organisation(self.riverside)
        self.assertEqual(
            list(priorities.values_list("title", flat=True)),
            [
                "Zero avoidable harm",
                "Timely emergency care",
                "Healthy communities",
                "A great place to work",
            ],
        )
        for priority in priorities:
            priority.full_clean()
            self.assertIsNotNone(priority.headline_measure)
            self.assertTrue(priority.projects.exists(), priority.title)

    def test_projects_at_every_stage_stopped_ones_say_why(self) -> None:
        self.assertEqual(self.projects.count(), len(PROJECTS))
        self.assertGreaterEqual(len(PROJECTS), 25)
        statuses = Counter(self.projects.values_list("status", flat=True))
        self.assertEqual(set(statuses), set(Project.Status.values))
        for project in self.projects.filter(status=Project.Status.STOPPED):
            self.assertGreater(len(project.status_reason), 40)
        self.assertEqual(
            set(self.projects.values_list("method", flat=True)),
            set(Project.Method.values),
        )
        self.assertGreater(
            self.projects.values("unit__parent__parent").distinct().count(), 4
        )

    def test_every_project_is_valid_with_an_aim_a_lead_and_a_team_of_members(
        self,
    ) -> None:
        members = set(
            Membership.objects.for_organisation(self.riverside).values_list(
                "user", flat=True
            )
        )
        for project in self.projects.prefetch_related("team"):
            project.full_clean()
            self.assertTrue(project.aim_statement().endswith("."), project.title)
            self.assertTrue(project.aim_how_much and project.aim_by_when)
            self.assertIn(project.lead_id, members)
            self.assertLessEqual({u.pk for u in project.team.all()}, members)
        self.assertGreater(Project.team.through.objects.count(), 20)

    def test_partners_notes_and_ratings_by_team_and_coach_over_time(self) -> None:
        self.assertGreaterEqual(
            Partner.objects.for_organisation(self.riverside).count(), 10
        )
        self.assertEqual(
            set(Partner.objects.values_list("kind", flat=True)),
            set(Partner.Kind.values),
        )
        notes = ProjectNote.objects.for_organisation(self.riverside)
        self.assertGreater(notes.count(), 20)
        # Back-dated to the story, not the day the demo ran.
        self.assertLess(notes.order_by("created_at").first().created_at.year, 2020)
        falls = self.projects.get(title="Falls prevention on the elderly care wards")
        team = list(
            falls.ratings.filter(rated_by="team")
            .order_by("rated_on")
            .values_list("score", flat=True)
        )
        self.assertEqual(len(team), 5)
        self.assertEqual(team, sorted(team))
        self.assertTrue(falls.ratings.filter(rated_by="coach").exists())
        for rating in ProgressRating.objects.for_organisation(self.riverside):
            rating.full_clean()
        self.assertFalse(
            self.projects.filter(status=Project.Status.IDEA)
            .exclude(ratings=None)
            .exists()
        )

    def test_driver_diagrams_with_ramps_that_adopt_adapt_and_abandon(self) -> None:
        nodes = DriverNode.objects.for_organisation(self.riverside)
        self.assertEqual(
            set(nodes.values_list("kind", flat=True)), set(DriverNode.Kind.values)
        )
        for node in nodes.select_related("parent"):
            node.full_clean()
        self.assertGreaterEqual(
            nodes.order_by().values("project").distinct().count(), 7
        )
        cycles = PDSACycle.objects.for_organisation(self.riverside)
        for cycle in cycles.select_related("change_idea", "previous"):
            cycle.full_clean()
        self.assertEqual(
            set(cycles.exclude(act="").values_list("act", flat=True)),
            set(PDSACycle.Act.values),
        )
        self.assertGreaterEqual(cycles.exclude(previous=None).count(), 5)
        self.assertTrue(cycles.filter(act="", stage=PDSACycle.Stage.DO).exists())

    def test_measures_linked_as_outcome_process_and_balancing(self) -> None:
        links = ProjectMeasure.objects.for_organisation(self.riverside)
        self.assertEqual(
            set(links.values_list("role", flat=True)),
            set(ProjectMeasure.Role.values),
        )
        for link in links.select_related("measure", "project"):
            link.full_clean()
        self.assertFalse(self.measures.filter(project_links=None).exists())

    def test_kinds_frequencies_and_years_of_data(self) -> None:
        self.assertEqual(
            set(self.measures.values_list("kind", flat=True)), set(Measure.Kind.values)
        )
        self.assertLessEqual(
            {"weekly", "monthly"},
            set(self.measures.values_list("frequency", flat=True)),
        )
        for measure in self.measures:
            measure.full_clean()
            points = list(measure.points.all())
            self.assertGreaterEqual(len(points), 16, measure.name)
            if measure.frequency in ("weekly", "monthly"):
                years = (points[-1].period - points[0].period).days / 365
                self.assertGreaterEqual(years, 2.9, measure.name)
            if measure.has_denominator():
                self.assertTrue(all(p.denominator >= p.value for p in points))

    def test_each_measure_shows_its_signal(self) -> None:
        self.assertEqual(set(EXPECTED), {spec.name for spec in MEASURES})
        for name, expected in EXPECTED.items():
            with self.subTest(name):
                chart = chart_for(self.measures.get(name=name))
                described = [s.description for s in chart.signals]
                self.assertTrue(
                    expected(chart),
                    f"{name}: variation {chart.variation}, assurance "
                    f"{chart.assurance}, signals {described}",
                )

    def test_the_rebased_phase_says_why(self) -> None:
        breaks = PhaseBreak.objects.for_organisation(self.riverside)
        self.assertEqual(breaks.count(), 1)
        self.assertIn("Electronic discharge summaries went live", breaks[0].reason)
        self.assertEqual(breaks[0].period.isoformat(), "2025-02-01")
        self.assertGreaterEqual(
            Annotation.objects.for_organisation(self.riverside).count(), 4
        )

    def test_the_emergency_department_measure_is_real_public_data(self) -> None:
        source = ae_source()
        if not source.exists():
            self.skipTest(f"{source} is missing: the demo skips the A&E measure")
        measure = self.measures.get(name=AE_MEASURE)
        with source.open(newline="", encoding="utf-8") as handle:
            rows = sorted(
                (
                    r
                    for r in csv.DictReader(handle)
                    if r["org_code"] == "RJZ" and r["type"] == "1"
                ),
                key=lambda r: r["period"],
            )
        points = list(measure.points.all())
        self.assertEqual(len(points), len(rows))
        self.assertEqual(points[0].period.isoformat(), rows[0]["period"])
        self.assertEqual(
            (points[0].value, points[0].denominator),
            (
                int(rows[0]["attendances"]) - int(rows[0]["breaches"]),
                int(rows[0]["attendances"]),
            ),
        )
        self.assertEqual(
            (measure.kind, measure.improvement, measure.target, measure.multiplier),
            ("proportion", "increase", 95, 100),
        )
        self.assertIn("Open Government Licence", measure.definition)
        chart = chart_for(measure)
        self.assertAlmostEqual(chart.values[0], 100 * 13080 / 16688)
        self.assertEqual(chart.assurance, "consistent_fail")
        self.assertTrue(
            measure.project_links.filter(
                project__unit__name="Emergency department"
            ).exists()
        )

    def test_running_again_changes_nothing(self) -> None:
        before = _counts()
        again = build_demo()
        self.assertEqual(_counts(), before)
        self.assertEqual(sum(again.created.values()), 0)

    def test_leaves_what_people_changed(self) -> None:
        project = self.projects.get(title="Insulin safety on the wards")
        project.status = Project.Status.ACTIVE
        project.save()
        DataPoint.objects.filter(measure__name=MEASURES[0].name).first().delete()
        build_demo()
        project.refresh_from_db()
        self.assertEqual(project.status, Project.Status.ACTIVE)
        self.assertEqual(
            DataPoint.objects.filter(measure__name=MEASURES[0].name).count(), 155
        )

    def test_written_rows_are_on_the_audit_trail_data_points_are_not(self) -> None:
        events = AuditEvent.objects.filter(organisation=self.riverside)
        for model in (
            "strategy.StrategicPriority",
            "projects.Project",
            PDSACycle._meta.label,
            "projects.ProgressRating",
            "measures.Measure",
            "measures.PhaseBreak",
            "measures.Annotation",
        ):
            self.assertTrue(events.filter(model=model).exists(), model)
        self.assertEqual(
            events.filter(model="projects.Project").count(), self.projects.count()
        )
        self.assertFalse(events.filter(model="measures.DataPoint").exists())
        self.assertEqual(set(events.values_list("via", flat=True)), {"command"})


class LargeDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        build_demo()
        cls.small_events = AuditEvent.objects.count()
        cls.demo = build_demo(size="large")
        cls.riverside = Organisation.objects.get(slug="riverside")

    def test_two_thousand_projects_and_five_hundred_measures(self) -> None:
        projects = Project.objects.for_organisation(self.riverside)
        measures = Measure.objects.for_organisation(self.riverside)
        self.assertEqual(projects.count(), 2_000)
        has_ae = ae_source().exists()
        self.assertEqual(measures.count(), 500 if has_ae else 499)
        self.assertEqual(
            set(projects.values_list("status", flat=True)), set(Project.Status.values)
        )

    def test_five_years_of_weekly_data_in_each_extra_measure(self) -> None:
        extra = Measure.objects.for_organisation(self.riverside).filter(
            name__contains=" – "
        )
        self.assertEqual(extra.count(), 500 - len(MEASURES) - 1)
        self.assertEqual(
            DataPoint.objects.filter(measure__in=extra).count(), extra.count() * 260
        )
        measure = extra.order_by("pk").first()
        chart = chart_for(measure)
        self.assertEqual(len(chart), 260)
        self.assertEqual(chart.periods[-1], "2026-11-09")
        variations = Counter(chart_for(m).variation for m in extra.order_by("pk")[:60])
        self.assertGreater(len(variations), 2)

    def test_extra_projects_have_evidence_to_show(self) -> None:
        extra = Project.objects.for_organisation(self.riverside).filter(
            title__contains=": "
        )
        self.assertTrue(extra.filter(ratings__rated_by="coach").exists())
        self.assertTrue(extra.filter(cycles__act="adopt").exists())
        self.assertTrue(extra.filter(measure_links__isnull=False).exists())
        for cycle in PDSACycle.objects.filter(project__in=extra[:50]).select_related(
            "change_idea", "previous"
        ):
            cycle.full_clean()
        for project in extra.filter(status="stopped")[:20]:
            project.full_clean()

    def test_bulk_rows_are_left_off_the_audit_trail(self) -> None:
        self.assertEqual(AuditEvent.objects.count(), self.small_events)

    def test_large_again_changes_nothing(self) -> None:
        again = build_demo(size="large")
        self.assertEqual(sum(again.created.values()), 0)
