"""Coverage against targets on a small organisation worked out by hand: the roll-up
of the unit tree, a person counted once per level, erased people's completions
still counted, share and ratio targets, and forecasts met, on track, late and
"not at this rate"."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from openqi.capability import coverage, services
from openqi.capability.models import Audience, Completion, Target
from openqi.organisations.models import StaffRecord, Unit
from tests.base import BaseTestCase
from tests.capability.helpers import make_level, make_staff, make_target
from tests.factories import make_unit

TODAY = datetime.date(2025, 9, 15)
NURSING = StaffRecord.StaffGroup.NURSING
MEDICAL = StaffRecord.StaffGroup.MEDICAL
ADMIN = StaffRecord.StaffGroup.ADMIN
MANAGEMENT = StaffRecord.StaffGroup.MANAGEMENT


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


class SmallOrganisation(BaseTestCase):
    """Medicine > Emergency care > Emergency department (from BaseTestCase), and
    two more divisions, Surgery and Trust board.

    Active staff: the department 6 (4 nursing, 2 medical), Emergency care itself
    2 (admin), Surgery 3 (nursing), Trust board 2 (management), no unit 1: 14.
    Awareness: 8 people (5 in the department, 1 more in Emergency care, 2 in
    Surgery), 5 of them in the last twelve months."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        org = cls.org
        cls.surgery = make_unit(org, name="Surgery")
        cls.board_unit = make_unit(org, name="Trust board")
        cls.awareness = make_level(org, name="Awareness", position=1)
        cls.coach = make_level(org, name="Coach", position=2)
        cls.board = make_level(
            org, name="Board development", position=3, audience=Audience.BOARD
        )

        def staff(unit: Unit | None, group: str, **fields: object) -> StaffRecord:
            return make_staff(org, unit=unit, staff_group=group, **fields)

        cls.n1, cls.n2, cls.n3, cls.n4 = (staff(cls.team, NURSING) for _ in range(4))
        cls.m1, cls.m2 = staff(cls.team, MEDICAL), staff(cls.team, MEDICAL)
        cls.left = staff(cls.team, NURSING, is_active=False)
        cls.a1, cls.a2 = staff(cls.directorate, ADMIN), staff(cls.directorate, ADMIN)
        cls.s1, cls.s2, cls.s3 = (staff(cls.surgery, NURSING) for _ in range(3))
        cls.b1, cls.b2 = (staff(cls.board_unit, MANAGEMENT) for _ in range(2))
        cls.nowhere = staff(None, MANAGEMENT)

        def done(
            person: StaffRecord | None, level: object, on: str, **fields: object
        ) -> None:
            if person is not None:
                fields.setdefault("unit", person.unit)
                fields.setdefault("staff_group", person.staff_group)
            Completion.objects.create(
                level=level, staff_record=person, completed_on=day(on), **fields
            )

        aware = cls.awareness
        done(cls.n1, aware, "2024-01-10")
        done(cls.n1, aware, "2025-05-01")  # a refresher: still one person, from 2024
        done(cls.n2, aware, "2025-03-01")
        done(cls.m1, aware, "2023-06-01")
        done(cls.a1, aware, "2025-08-01")
        done(cls.s1, aware, "2022-01-01")  # before the trend's 36 months
        done(cls.left, aware, "2025-01-01")  # no longer on the staff: not counted
        done(cls.n3, aware, "2025-12-01")  # not yet
        # Two erased people in the department, one in Surgery: one each.
        done(None, aware, "2025-02-01", unit=cls.team, staff_group=NURSING)
        done(None, aware, "2025-04-01", unit=cls.team, staff_group=NURSING)
        done(None, aware, "2024-12-01", unit=cls.surgery, staff_group=NURSING)
        done(cls.n4, cls.coach, "2023-01-01")
        done(cls.b1, cls.board, "2025-06-01")

        cls.t_all = make_target(
            org, level=aware, value=Decimal("80"), due_on=day("2027-03-31")
        )
        cls.t_surgery = make_target(
            org,
            level=aware,
            unit=cls.surgery,
            value=Decimal("50"),
            due_on=day("2026-03-31"),
        )
        cls.t_coach = make_target(
            org,
            level=cls.coach,
            unit=cls.division,
            kind=Target.Kind.RATIO,
            value=Decimal("4"),
            due_on=day("2026-01-31"),
        )
        cls.t_nursing = make_target(
            org,
            level=aware,
            staff_group=NURSING,
            value=Decimal("100"),
            due_on=day("2025-11-30"),
        )
        cls.t_board = make_target(
            org,
            level=cls.board,
            unit=cls.board_unit,
            value=Decimal("100"),
            due_on=day("2026-03-31"),
        )

    def found(self, group: str = "") -> coverage.Coverage:
        return coverage.compute_coverage(self.org, group, TODAY)

    def target(
        self, found: coverage.Coverage, target: Target
    ) -> coverage.TargetCoverage:
        return next(t for t in found.targets if t.pk == target.pk)

    def row(self, found: coverage.Coverage, unit: Unit | None) -> coverage.Row:
        return next(r for r in found.rows if r.unit_pk == (unit.pk if unit else None))

    def cell(
        self, found: coverage.Coverage, unit: Unit | None, level: object
    ) -> coverage.Cell:
        row = self.row(found, unit)
        return next(c for c in row.cells if c.level_pk == level.pk)  # type: ignore[attr-defined]  # a CapabilityLevel


class RollUpTests(SmallOrganisation):
    def test_staff_roll_up_the_unit_tree(self) -> None:
        found = self.found()
        staff = {r.unit_pk: r.staff for r in found.rows}
        self.assertEqual(staff[None], 14)
        self.assertEqual(staff[self.division.pk], 8)
        self.assertEqual(staff[self.directorate.pk], 8)
        self.assertEqual(staff[self.team.pk], 6)
        self.assertEqual(staff[self.surgery.pk], 3)
        self.assertEqual(staff[self.board_unit.pk], 2)

    def test_rows_follow_the_tree(self) -> None:
        found = self.found()
        names = [(r.name, r.depth) for r in found.rows]
        self.assertEqual(
            names,
            [
                ("The whole organisation", 0),
                ("Medicine", 1),
                ("Emergency care", 2),
                ("Emergency department", 3),
                ("Surgery", 1),
                ("Trust board", 1),
            ],
        )
        self.assertEqual(self.row(found, self.team).parent_name, "Emergency care")

    def test_people_once_per_level_erased_counted_leavers_and_future_not(self) -> None:
        found = self.found()
        people = {r.unit_pk: r.cells[0].people for r in found.rows}
        # The department: n1 (twice), n2, m1 and two erased people.
        self.assertEqual(people[self.team.pk], 5)
        self.assertEqual(people[self.directorate.pk], 6)  # and a1
        self.assertEqual(people[self.division.pk], 6)
        self.assertEqual(people[self.surgery.pk], 2)  # s1 and an erased person
        self.assertEqual(people[None], 8)

    def test_erasing_a_record_keeps_the_counts(self) -> None:
        before = self.found()
        services.erase_training_record(self.n2)
        after = self.found()
        self.assertEqual(
            [c.people for r in before.rows for c in r.cells],
            [c.people for r in after.rows for c in r.cells],
        )
        self.assertEqual(before.trend, after.trend)

    def test_the_heatmap_measures_cells_against_the_nearest_target(self) -> None:
        found = self.found()
        team = self.cell(found, self.team, self.awareness)
        # The organisation's 80% of the department's 6: 5 needed, 5 have.
        assert team.goal is not None
        self.assertEqual(team.goal.target_pk, self.t_all.pk)
        self.assertEqual((team.goal.need, team.goal.gap, team.band), (5, 0, "met"))
        surgery = self.cell(found, self.surgery, self.awareness)
        assert surgery.goal is not None
        self.assertEqual(surgery.goal.target_pk, self.t_surgery.pk)
        # Medicine's one coach per 4 staff, in Emergency care's 8: 2 needed, 1 has.
        coach = self.cell(found, self.directorate, self.coach)
        assert coach.goal is not None
        self.assertEqual(coach.goal.target_pk, self.t_coach.pk)
        self.assertEqual((coach.goal.need, coach.goal.gap), (2, 1))
        self.assertEqual(coach.band, "behind")
        self.assertEqual(self.cell(found, self.surgery, self.coach).band, "none")
        organisation = self.cell(found, None, self.awareness)
        assert organisation.goal is not None
        self.assertEqual((organisation.goal.need, organisation.goal.gap), (12, 4))
        self.assertEqual(organisation.band, "behind")  # 8 of 12

    def test_a_staff_group_shown_prefers_its_own_target(self) -> None:
        found = self.found(NURSING)
        organisation = self.cell(found, None, self.awareness)
        self.assertEqual((organisation.staff, organisation.people), (7, 6))
        assert organisation.goal is not None
        self.assertEqual(organisation.goal.target_pk, self.t_nursing.pk)
        self.assertEqual(organisation.band, "close")  # 6 of 7
        team = self.cell(found, self.team, self.awareness)
        self.assertEqual((team.staff, team.people), (4, 4))
        # Only the group's own targets are listed.
        self.assertEqual([t.pk for t in found.targets], [self.t_nursing.pk])


class TargetTests(SmallOrganisation):
    def test_share_and_ratio_needs_and_gaps(self) -> None:
        found = self.found()
        t = self.target(found, self.t_all)
        self.assertEqual(
            (t.staff, t.people, t.need, t.gap, t.recent), (14, 8, 12, 4, 5)
        )
        t = self.target(found, self.t_surgery)
        self.assertEqual((t.staff, t.people, t.need, t.gap), (3, 2, 2, 0))
        t = self.target(found, self.t_coach)
        self.assertEqual((t.staff, t.people, t.need, t.gap), (8, 1, 2, 1))
        t = self.target(found, self.t_nursing)
        self.assertEqual((t.staff, t.people, t.need, t.gap, t.recent), (7, 6, 7, 1, 4))

    def test_gaps_largest_first(self) -> None:
        order = [t.pk for t in self.found().targets]
        self.assertEqual(
            order,
            [
                self.t_all.pk,  # 4
                self.t_nursing.pk,  # 1, awareness
                self.t_coach.pk,  # 1, coach
                self.t_board.pk,  # 1, board
                self.t_surgery.pk,  # 0
            ],
        )

    def test_forecasts(self) -> None:
        found = self.found()
        # 4 more at 5 in 12 months: 9.6 months, 293 days: 5 July 2026.
        t = self.target(found, self.t_all).forecast
        self.assertEqual((t.status, t.expected_on), ("on_track", day("2026-07-05")))
        self.assertEqual(t.text, "By July 2026, before the due date (31 March 2027)")
        self.assertEqual(self.target(found, self.t_surgery).forecast.text, "Met")
        # Nobody reached the coach level in twelve months.
        t = self.target(found, self.t_coach).forecast
        self.assertEqual(t.status, "stalled")
        self.assertTrue(t.text.startswith("Not at this rate: nobody reached"))
        # 1 more at 4 a year: 3 months, 92 days: 16 December, after 30 November.
        t = self.target(found, self.t_nursing).forecast
        self.assertEqual((t.status, t.expected_on), ("late", day("2025-12-16")))
        self.assertEqual(
            t.text,
            "Not at this rate: by December 2025, after the due date (30 November 2025)",
        )
        self.assertFalse(t.before_due)
        t = self.target(found, self.t_board).forecast
        self.assertEqual(t.status, "late")
        self.assertIn("by September 2026", t.text)

    def test_the_board_is_the_unit_its_target_names(self) -> None:
        found = self.found()
        [board] = found.board_targets
        self.assertEqual(board.pk, self.t_board.pk)
        self.assertEqual((board.staff, board.people, board.need), (2, 1, 2))
        self.assertEqual(board.unit_name, "Trust board")

    def test_summary_counts_targets_and_names_the_headline(self) -> None:
        summary = coverage.summary(self.org, TODAY)
        self.assertEqual((summary.targets, summary.met, summary.on_track), (5, 1, 1))
        self.assertEqual(
            summary.sentence,
            "1 of 5 capability targets met, 1 more on track; "
            "Awareness: 57% of staff against 80%.",
        )
        awareness = summary.levels[0]
        self.assertEqual((awareness.people, awareness.staff), (8, 14))
        self.assertEqual(awareness.share_text, "57%")

    def test_a_ratio_headline(self) -> None:
        Target.objects.filter(level=self.awareness).delete()
        make_target(
            self.org,
            level=self.awareness,
            kind=Target.Kind.RATIO,
            value=Decimal("2"),
            due_on=day("2027-03-31"),
        )
        summary = coverage.summary(self.org, TODAY)
        self.assertIn(
            "Awareness: 8 people against the 7 needed (one per 2 staff)",
            summary.sentence,
        )


class TrendTests(SmallOrganisation):
    def test_people_at_each_level_at_each_month_end(self) -> None:
        found = self.found()
        self.assertEqual(len(found.months), 36)
        self.assertEqual(found.months[0], day("2022-10-01"))
        self.assertEqual(found.months[-1], day("2025-09-01"))
        awareness = dict(zip(found.months, found.trend[0], strict=True))
        self.assertEqual(awareness[day("2022-10-01")], 1)  # s1, from before
        self.assertEqual(awareness[day("2023-06-01")], 2)  # m1
        self.assertEqual(awareness[day("2024-01-01")], 3)  # n1, once
        self.assertEqual(awareness[day("2025-05-01")], 7)  # not n1's refresher
        self.assertEqual(awareness[day("2025-09-01")], 8)
        coach = found.trend[1]  # n4, in January 2023
        self.assertEqual(coach[:4], (0, 0, 0, 1))
        self.assertEqual(set(coach[3:]), {1})


class EdgeTests(BaseTestCase):
    def test_an_organisation_with_nothing(self) -> None:
        found = coverage.compute_coverage(self.org, "", TODAY)
        self.assertEqual(found.levels, ())
        self.assertEqual(found.targets, ())
        self.assertEqual(coverage.summary(self.org, TODAY).sentence, "")

    def test_a_target_over_no_staff(self) -> None:
        level = make_level(self.org)
        make_target(self.org, level=level, unit=self.team)
        [t] = coverage.compute_coverage(self.org, "", TODAY).targets
        self.assertEqual((t.staff, t.need, t.forecast.status), (0, 0, "no_staff"))
        self.assertFalse(t.is_met)

    def test_a_slow_rate_dates_it_after_the_due_date(self) -> None:
        level = make_level(self.org)
        people = [make_staff(self.org) for _ in range(3)]
        Completion.objects.create(
            level=level, staff_record=people[0], completed_on=TODAY
        )
        make_target(self.org, level=level, kind=Target.Kind.SHARE, value=Decimal("100"))
        [t] = coverage.compute_coverage(self.org, "", TODAY).targets
        # 2 more at 1 a year: two years, after the due date of 31 March 2027.
        self.assertEqual(t.forecast.status, "late")
        self.assertEqual(t.forecast.expected_on, day("2027-09-16"))
        self.assertEqual(
            t.forecast.text,
            "Not at this rate: by September 2027, after the due date (31 March 2027)",
        )

    def test_centuries_away_is_not_dated(self) -> None:
        forecast = coverage._forecast(10_000, 9_999, 1, day("2027-03-31"), TODAY)
        self.assertEqual((forecast.status, forecast.expected_on), ("late", None))
        self.assertIn("more than 200 years", forecast.text)

    def test_percent(self) -> None:
        self.assertEqual(coverage.percent(None), "–")
        self.assertEqual(coverage.percent(0.004), "0.4%")
        self.assertEqual(coverage.percent(0.999), "99%")
        self.assertEqual(coverage.percent(1.0), "100%")
        self.assertEqual(coverage.percent(0.625), "62%")


class QueryCountTests(SmallOrganisation):
    def test_five_queries_whatever_the_rows(self) -> None:
        with CaptureQueriesContext(connection) as few:
            self.found()
        for i in range(30):
            person = make_staff(self.org, unit=self.team, staff_group=NURSING)
            Completion.objects.create(
                level=self.coach, staff_record=person, completed_on=TODAY
            )
            make_unit(self.org, name=f"Division {i}")
            make_target(self.org, level=self.coach, unit=self.team)
        with CaptureQueriesContext(connection) as many:
            self.found()
            self.found(NURSING)
        self.assertEqual(len(few), 5)
        self.assertEqual(len(many), 10)
