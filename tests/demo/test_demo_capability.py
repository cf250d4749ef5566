"""The demo's capability building: the framework, staff, programmes, three years of
cohorts and completions, targets, units ahead and behind, and people to find in
"learning by doing". Coverage is worked out here with plain queries."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict

from django.test import TestCase

from openqi.audit.models import AuditEvent
from openqi.capability.builtin import BUILTIN_LEVELS
from openqi.capability.models import (
    Audience,
    CapabilityFramework,
    CapabilityLevel,
    Cohort,
    Completion,
    Enrolment,
    Programme,
    Target,
)
from openqi.demo import SIZES, build_demo
from openqi.demo.capability import PROGRAMMES as PROGRAMME_SPECS
from openqi.demo.capability import TARGETS, TRAINED, timetable, window_start
from openqi.demo.projects import TODAY
from openqi.organisations.models import Organisation, StaffRecord, Unit
from openqi.projects.models import Project

AWARENESS = "Improvement awareness"
BULK_MODELS = (
    "capability.Enrolment",
    "capability.Completion",
    "organisations.StaffRecord",
)


def _awareness_by_directorate(organisation: Organisation) -> dict[str, float]:
    """Each directorate's share of current staff (per cent) who completed the
    awareness level, its teams' staff counted."""
    directorate_of = dict(
        Unit.objects.for_organisation(organisation)
        .filter(level=Unit.Level.TEAM)
        .values_list("pk", "parent__name")
    )
    staff: Counter[str] = Counter()
    aware: Counter[str] = Counter()
    done = set(
        Completion.objects.for_organisation(organisation)
        .filter(level__name=AWARENESS, staff_record__isnull=False)
        .values_list("staff_record_id", flat=True)
    )
    for pk, unit_id in (
        StaffRecord.objects.for_organisation(organisation)
        .filter(is_active=True)
        .values_list("pk", "unit_id")
    ):
        directorate = directorate_of[unit_id]
        staff[directorate] += 1
        aware[directorate] += pk in done
    return {name: 100 * aware[name] / staff[name] for name in staff}


def _trained(organisation: Organisation, level: str) -> int:
    """People (staff records) with a completion of the level."""
    return (
        Completion.objects.for_organisation(organisation)
        .filter(level__name=level, staff_record__isnull=False)
        .values("staff_record")
        .distinct()
        .count()
    )


class CapabilityDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.demo = build_demo()
        cls.riverside = Organisation.objects.get(slug="riverside")
        cls.staff = StaffRecord.objects.for_organisation(cls.riverside)
        cls.completions = Completion.objects.for_organisation(cls.riverside)
        cls.enrolments = Enrolment.objects.for_organisation(cls.riverside)

    def test_the_builtin_framework_is_installed(self) -> None:
        framework = CapabilityFramework.objects.get(organisation=self.riverside)
        self.assertTrue(framework.from_builtin)
        self.assertEqual(
            list(
                CapabilityLevel.objects.for_organisation(self.riverside).values_list(
                    "name", flat=True
                )
            ),
            [level.name for level in BUILTIN_LEVELS],
        )

    def test_about_twelve_hundred_staff_over_every_team_and_group(self) -> None:
        self.assertEqual(self.staff.count(), SIZES["small"])
        self.assertEqual(SIZES["small"], 1_200)
        self.assertEqual(
            self.staff.values("unit").distinct().count(),
            Unit.objects.for_organisation(self.riverside)
            .filter(level=Unit.Level.TEAM)
            .count(),
        )
        self.assertEqual(
            self.staff.values("staff_group").distinct().count(),
            len(StaffRecord.StaffGroup),
        )

    def test_only_the_demo_people_have_an_email_on_their_staff_record(self) -> None:
        with_email = self.staff.exclude(email="")
        self.assertEqual(with_email.count(), len(TRAINED))
        self.assertFalse(self.staff.exclude(user=None).filter(email="").exists())
        for record in with_email.select_related("user"):
            self.assertEqual(record.email, record.user.email.lower())
            self.assertTrue(record.email.endswith("@riverside.example.org"))
        # A person with a team has a record in it.
        ruth = with_email.get(email="ruth.aldane@riverside.example.org")
        self.assertEqual(ruth.unit.name, "Emergency department")
        self.assertEqual(ruth.staff_group, StaffRecord.StaffGroup.NURSING)

    def test_programmes_for_every_level_with_provider_duration_and_format(
        self,
    ) -> None:
        programmes = Programme.objects.for_organisation(self.riverside)
        self.assertEqual(
            set(programmes.values_list("level__name", flat=True)),
            {level.name for level in BUILTIN_LEVELS},
        )
        for programme in programmes:
            programme.full_clean()
            self.assertTrue(programme.provider)
            self.assertIsNotNone(programme.duration_hours)
        self.assertIn("Riverside Improvement Academy", {p.provider for p in programmes})
        self.assertGreater(len({p.format for p in programmes}), 3)
        self.assertEqual(
            programmes.get(level__name="Improvement project lead").project_requirement,
            "lead",
        )

    def test_cohorts_over_the_last_three_years(self) -> None:
        cohorts = Cohort.objects.for_organisation(self.riverside)
        self.assertEqual(
            cohorts.count(), sum(len(timetable(spec)) for spec in PROGRAMME_SPECS)
        )
        self.assertGreater(
            cohorts.order_by("starts_on").first().starts_on, window_start()
        )
        self.assertEqual({c.starts_on.year for c in cohorts}, {2024, 2025, 2026})
        self.assertFalse(cohorts.filter(starts_on__gt=TODAY).exists())
        for cohort in cohorts.select_related("programme"):
            cohort.full_clean()
        running = cohorts.filter(starts_on__lte=TODAY, ends_on__gt=TODAY)
        self.assertTrue(running.exists())
        self.assertTrue(
            self.enrolments.filter(cohort__in=running, status="enrolled").exists()
        )

    def test_enrolments_completed_withdrawn_and_in_progress(self) -> None:
        statuses = Counter(self.enrolments.values_list("status", flat=True))
        self.assertEqual(set(statuses), {"completed", "withdrawn", "enrolled"})
        self.assertGreater(statuses["completed"], 10 * statuses["withdrawn"] // 2)
        self.assertFalse(
            self.enrolments.filter(status="completed", completion=None).exists()
        )
        self.assertFalse(
            self.completions.filter(
                enrolment__isnull=False, enrolment__status__in=["enrolled", "withdrawn"]
            ).exists()
        )
        # Only a cohort still running has people in progress.
        self.assertFalse(
            self.enrolments.filter(
                status="enrolled", cohort__ends_on__lte=TODAY
            ).exists()
        )

    def test_completions_over_three_years_as_recorded(self) -> None:
        years = Counter(
            d.year for d in self.completions.values_list("completed_on", flat=True)
        )
        for year in (2024, 2025, 2026):
            self.assertGreater(years[year], 100, year)
        self.assertFalse(self.completions.filter(completed_on__gt=TODAY).exists())
        # Each completion carries its person's unit and group, and its programme's level.
        for completion in self.completions.select_related(
            "staff_record", "enrolment__cohort__programme", "programme"
        )[:300]:
            self.assertEqual(completion.unit_id, completion.staff_record.unit_id)
            self.assertEqual(
                completion.staff_group, completion.staff_record.staff_group
            )
            if completion.enrolment is not None:
                self.assertEqual(
                    completion.completed_on, completion.enrolment.completed_on
                )
                self.assertEqual(completion.programme.level_id, completion.level_id)
                self.assertEqual(completion.cohort_id, completion.enrolment.cohort_id)
                self.assertLessEqual(
                    completion.completed_on, completion.enrolment.cohort.ends_on
                )

    def test_a_person_climbs_the_levels_in_order(self) -> None:
        dates: dict[int, dict[int, datetime.date]] = defaultdict(dict)
        positions = dict(
            CapabilityLevel.objects.for_organisation(self.riverside).values_list(
                "pk", "position"
            )
        )
        for person, level, on in self.completions.filter(
            level__audience__in=[Audience.ALL_STAFF, Audience.LEADERS]
        ).values_list("staff_record_id", "level_id", "completed_on"):
            dates[person][positions[level]] = on
        climbed = 0
        for levels in dates.values():
            ordered = [levels[p] for p in sorted(levels)]
            self.assertEqual(ordered, sorted(ordered))
            self.assertEqual(sorted(levels), list(range(1, len(levels) + 1)))
            climbed += len(levels) > 2
        self.assertGreater(climbed, 20)

    def test_targets_for_every_level(self) -> None:
        targets = Target.objects.for_organisation(self.riverside)
        self.assertEqual(
            set(targets.values_list("level__name", flat=True)),
            {level.name for level in BUILTIN_LEVELS},
        )
        for target in targets:
            target.full_clean()
        self.assertEqual(
            {t.describe() for t in targets.filter(unit=None, staff_group="")},
            {
                "80% of staff",
                "one per 20 staff",
                "one per 50 staff",
                "one per 200 staff",
                "one per 1,000 staff",
            },
        )
        board = targets.get(level__audience=Audience.BOARD)
        self.assertEqual(
            (board.kind, board.value, board.staff_group), ("share", 100, "management")
        )
        self.assertTrue(targets.exclude(unit=None).exists())

    def test_some_directorates_are_ahead_and_some_behind(self) -> None:
        target = Target.objects.for_organisation(self.riverside).get(
            level__name=AWARENESS, unit=None, staff_group=""
        )
        coverage = _awareness_by_directorate(self.riverside)
        ahead = {name for name, share in coverage.items() if share >= target.value}
        behind = {name for name, share in coverage.items() if share < 50}
        self.assertIn("Emergency care", ahead)
        self.assertIn("Theatres and critical care", behind)
        self.assertGreater(len(ahead), 1)
        self.assertGreater(len(behind), 1)
        overall = 100 * _trained(self.riverside, AWARENESS) / self.staff.count()
        self.assertLess(overall, target.value)  # the trust as a whole is behind
        self.assertGreater(overall, 40)

    def test_the_board_is_behind_its_target(self) -> None:
        managers = self.staff.filter(staff_group="management")
        board = (
            self.completions.filter(
                level__audience=Audience.BOARD, staff_record__in=managers
            )
            .values("staff_record")
            .distinct()
            .count()
        )
        self.assertGreater(board, managers.count() // 3)
        self.assertLess(board, managers.count())

    def test_people_on_projects_are_trained_for_learning_by_doing(self) -> None:
        person_of = dict(self.staff.exclude(user=None).values_list("user_id", "pk"))
        trained_at = defaultdict(set)
        for person, position in self.completions.filter(
            staff_record__in=person_of.values()
        ).values_list("staff_record_id", "level__position"):
            trained_at[person].add(position)
        lead_level = 3  # "Improvement project lead" in the built-in framework
        projects = (
            Project.objects.for_organisation(self.riverside)
            .exclude(status="idea")
            .prefetch_related("team")
        )
        lead_trained, without, coached = 0, [], 0
        for project in projects:
            people = [project.lead_id, *(u.pk for u in project.team.all())]
            levels = set().union(
                *(trained_at[person_of[u]] for u in people if u in person_of)
            )
            lead_trained += lead_level in trained_at[person_of.get(project.lead_id, 0)]
            if not any(p >= lead_level and p < 6 for p in levels):
                without.append(project.title)
            if project.status in ("active", "sustaining"):
                coached += lead_level + 1 in levels  # a coach is on the project
        self.assertGreater(lead_trained, 10)
        self.assertGreaterEqual(coached, 2)
        self.assertIn("Fewer operations cancelled on the day", without)
        # Trained people who are on no project: the list a QI team acts on.
        active = set(projects.values_list("lead_id", flat=True)) | set(
            Project.team.through.objects.filter(project__in=projects).values_list(
                "user_id", flat=True
            )
        )
        idle = [u for u, pk in person_of.items() if u not in active and trained_at[pk]]
        self.assertGreaterEqual(len(idle), 3)
        # Someone is in a cohort now, and a coach is being trained.
        in_progress = self.enrolments.filter(
            status="enrolled", staff_record__in=person_of.values()
        )
        self.assertEqual(
            set(in_progress.values_list("cohort__programme__level__name", flat=True)),
            {
                "Improvement practitioner",
                "Improvement project lead",
                "Improvement coach",
            },
        )

    def test_curated_rows_on_the_trail_bulk_rows_off_it(self) -> None:
        events = AuditEvent.objects.filter(organisation=self.riverside)
        for model in ("CapabilityLevel", "Programme", "Cohort", "Target"):
            self.assertTrue(events.filter(model=f"capability.{model}").exists(), model)
        self.assertFalse(events.filter(model__in=BULK_MODELS).exists())
        self.assertEqual(set(events.values_list("via", flat=True)), {"command"})

    def test_running_it_again_changes_nothing(self) -> None:
        counts = (self.enrolments.count(), self.completions.count())
        events = AuditEvent.objects.count()
        again = build_demo()
        self.assertEqual(sum(again.created.values()), 0, again.created)
        self.assertEqual((self.enrolments.count(), self.completions.count()), counts)
        self.assertEqual(AuditEvent.objects.count(), events)


class LargeCapabilityDemoTests(TestCase):
    """At ``large``: 10,000 staff, their training added in bulk, the small demo's
    people trained as before."""

    @classmethod
    def setUpTestData(cls) -> None:
        build_demo()
        cls.riverside = Organisation.objects.get(slug="riverside")
        cls.small_training = set(
            Completion.objects.for_organisation(cls.riverside).values_list(
                "staff_record__reference", "level_id", "completed_on"
            )
        )
        cls.small_events = AuditEvent.objects.count()
        cls.demo = build_demo(size="large")

    def test_ten_thousand_staff_with_three_years_of_training(self) -> None:
        staff = StaffRecord.objects.for_organisation(self.riverside)
        self.assertEqual(staff.count(), 10_000)
        completions = Completion.objects.for_organisation(self.riverside)
        years = Counter(
            d.year for d in completions.values_list("completed_on", flat=True)
        )
        for year in (2024, 2025, 2026):
            self.assertGreater(years[year], 1_000, year)
        self.assertGreater(_trained(self.riverside, AWARENESS), 5_000)
        self.assertGreater(self.demo.created["enrolments"], 5_000)
        self.assertEqual(
            Target.objects.for_organisation(self.riverside).count(), len(TARGETS)
        )

    def test_some_directorates_ahead_and_some_behind(self) -> None:
        coverage = _awareness_by_directorate(self.riverside)
        self.assertGreater(coverage["Emergency care"], 80)
        self.assertLess(coverage["Theatres and critical care"], 50)

    def test_the_small_demos_training_is_kept(self) -> None:
        first_references = {f"RUH{n:06d}" for n in range(1, SIZES["small"] + 1)}
        now = set(
            Completion.objects.for_organisation(self.riverside)
            .filter(staff_record__reference__in=first_references)
            .values_list("staff_record__reference", "level_id", "completed_on")
        )
        self.assertEqual(now, self.small_training)

    def test_bulk_rows_are_left_off_the_audit_trail(self) -> None:
        self.assertEqual(AuditEvent.objects.count(), self.small_events)

    def test_large_again_changes_nothing(self) -> None:
        again = build_demo(size="large")
        self.assertEqual(sum(again.created.values()), 0, again.created)
