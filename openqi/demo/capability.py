"""Demo step: Riverside's improvement capability over the last three years.

Read from ``data/capability.json``: the built-in framework installed; the
programmes that confer each level (invented providers, with their length and
format) and their cohorts, on a fixed timetable over the three years before the
demo's "today" (some still running then); targets for each level, for the whole
trust, two directorates and the managers' staff group (the board's development);
and each demo person's training, so that the people who lead and join the
demo's projects, and some who never have, appear in "learning by doing".

Every other staff record gets a training history drawn from its own seeded
stream (the trust's slug and the record's reference), so a record trains the
same way at every size and on every run: how far up the ladder of levels it
climbs depends on its directorate's *pace* (some directorates clearly ahead of
their targets, some behind), each level in a cohort that ended before the next
level's began (or, when no cohort did, as earlier learning recorded by hand),
the last one sometimes withdrawn from or still in progress. Managers take the
board's programme as well.

The framework, programmes, cohorts and targets are saved one by one, on the
audit trail as the demo command's; the enrolments and completions, like the
staff records, are inserted in bulk and left off it (some 15,000 rows at
``large``), and linking the demo people to their staff records is a plain
update, as the staff records are not on the trail either. Figures kept from
the organisation's data (``openqi.audit.kept``) are made stale by hand after
the bulk rows go in.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import Max, Q
from django.utils import timezone

from openqi.audit.kept import data_changed
from openqi.capability import services
from openqi.capability.models import (
    CapabilityFramework,
    CapabilityLevel,
    Cohort,
    Completion,
    Enrolment,
    Programme,
    Target,
)
from openqi.organisations.models import Organisation, StaffRecord, Unit

from .base import SIZES, Demo
from .organisations import PEOPLE, RIVERSIDE
from .projects import TODAY
from .records import DataError, read, records

__all__ = ["PLAN", "PROGRAMMES", "TARGETS", "TRAINED", "add_capability", "timetable"]


@dataclass(frozen=True)
class _Rung:
    level: str
    #: The share of a unit's staff, at a pace of 1, who reach at least this level.
    share: float


@dataclass(frozen=True)
class _Board:
    level: str
    staff_group: str
    share: float


@dataclass(frozen=True)
class _Plan:
    #: Years of cohorts before the demo's today.
    years: int
    #: The weekday a cohort starts on (0 Monday): the first of its month.
    cohort_weekday: int
    #: Days before the first cohort (or the next level) of earlier learning.
    prior_days: tuple[int, int]
    #: How much likelier the last cohort of a programme is chosen than its first
    #: (programmes grow): 1 doubles it.
    growth: float
    #: The levels in the order people climb them.
    ladder: tuple[_Rung, ...]
    board: _Board
    #: Directorates (or divisions, or teams) ahead (>1) or behind (<1).
    pace: dict[str, float]


@dataclass(frozen=True)
class _ProgrammeSpec:
    name: str
    level: str
    provider: str
    duration_hours: str
    format: str
    #: The months a cohort starts in, and how many days it runs.
    months: tuple[int, ...]
    days: int
    cohort_name: str = "{month} {year}"
    project_requirement: str = "none"
    #: Of the people taking the level, the share on this programme.
    share: float = 1.0
    #: The share of the people whose last cohort it is who withdraw.
    withdrawn: float = 0.0
    #: Completed on any day of the cohort (e-learning), not on its last.
    finish_anytime: bool = False


@dataclass(frozen=True)
class _TargetSpec:
    level: str
    kind: str
    value: str
    starts_on: datetime.date
    due_on: datetime.date
    unit: str = ""
    staff_group: str = ""


@dataclass(frozen=True)
class _TrainedSpec:
    """A demo person's training: every level up to ``reached``, and the next one
    (``in_progress``) in the cohort running on the demo's today."""

    name: str
    staff_group: str
    reached: str = ""
    in_progress: str = ""
    board: bool = False


PLAN: _Plan = read(_Plan, "capability", "plan")
PROGRAMMES = records(_ProgrammeSpec, "capability", "programmes")
TARGETS = records(_TargetSpec, "capability", "targets")
TRAINED = records(_TrainedSpec, "capability", "people")

_LADDER = [rung.level for rung in PLAN.ladder]
_RIVERSIDE_PEOPLE = {p.name for p in PEOPLE if p.organisation == "riverside"}
for _spec in TRAINED:
    if _spec.name not in _RIVERSIDE_PEOPLE:
        raise DataError(
            f"capability.json: people: {_spec.name!r} is not one of Riverside's "
            "people in organisations.json"
        )
    for _level in (_spec.reached, _spec.in_progress):
        if _level and _level not in _LADDER:
            raise DataError(
                f"capability.json: people: {_spec.name}: no level {_level!r}"
            )
    if _spec.in_progress and _LADDER.index(_spec.in_progress) != (
        _LADDER.index(_spec.reached) + 1 if _spec.reached else 0
    ):
        raise DataError(
            f"capability.json: people: {_spec.name}: in_progress must be the level "
            "after reached"
        )


class _Run(NamedTuple):
    """A cohort as the plan sees it."""

    pk: int
    programme: _ProgrammeSpec
    programme_pk: int
    level_pk: int
    starts_on: datetime.date
    ends_on: datetime.date


class _Step(NamedTuple):
    """One level of a person's training: in a cohort, or earlier learning."""

    level_pk: int
    run: _Run | None
    status: str
    completed_on: datetime.date | None


# ----------------------------------------------------------------- the timetable


def _first_weekday(year: int, month: int) -> datetime.date:
    day = datetime.date(year, month, 1)
    return day + datetime.timedelta(days=(PLAN.cohort_weekday - day.weekday()) % 7)


def window_start() -> datetime.date:
    """The day the three years of cohorts begin after."""
    return TODAY.replace(year=TODAY.year - PLAN.years)


def timetable(spec: _ProgrammeSpec) -> list[tuple[str, datetime.date, datetime.date]]:
    """A programme's cohorts (name, start, end) starting in the years before today."""
    start = window_start()
    out = []
    for year in range(start.year, TODAY.year + 1):
        for month in spec.months:
            starts_on = _first_weekday(year, month)
            if start < starts_on <= TODAY:
                name = spec.cohort_name.format(
                    month=starts_on.strftime("%B"), year=year
                )
                ends_on = starts_on + datetime.timedelta(days=spec.days)
                out.append((name, starts_on, ends_on))
    return out


# ----------------------------------------------------------------- the step


def add_capability(demo: Demo) -> None:
    """Riverside's framework, programmes, cohorts, targets and training records."""
    riverside = demo.organisations["riverside"]
    levels = _framework(demo, riverside)
    needed = {*_LADDER, PLAN.board.level}
    if not needed <= set(levels):
        demo.notes.append(
            "Riverside's capability framework no longer has the levels "
            f"{', '.join(sorted(needed - set(levels)))}: the demo's programmes, "
            "targets and training records were not added."
        )
        return
    runs = _programmes(demo, riverside, levels)
    _targets(demo, riverside, levels)
    trained = _link_people(demo, riverside)
    _training(demo, riverside, levels, runs, trained)


def _framework(demo: Demo, organisation: Organisation) -> dict[str, CapabilityLevel]:
    if not CapabilityFramework.objects.filter(organisation=organisation).exists():
        made = services.install_builtin_framework(organisation)
        demo.created["capability levels"] += len(made)
    return {level.name: level for level in services.levels_for(organisation)}


def _programmes(
    demo: Demo, organisation: Organisation, levels: dict[str, CapabilityLevel]
) -> dict[str, list[_Run]]:
    """The programmes and their cohorts; each level's cohorts, earliest first."""
    existing = {p.name: p for p in services.programmes_for(organisation)}
    runs: dict[str, list[_Run]] = defaultdict(list)
    for spec in PROGRAMMES:
        programme = existing.get(spec.name)
        if programme is None:
            programme = services.save_programme(
                Programme(
                    organisation=organisation,
                    name=spec.name,
                    level=levels[spec.level],
                    provider=spec.provider,
                    duration_hours=Decimal(spec.duration_hours),
                    format=spec.format,
                    project_requirement=spec.project_requirement,
                )
            )
            demo.created["programmes"] += 1
        cohorts = {c.name: c for c in programme.cohorts.all()}
        for name, starts_on, ends_on in timetable(spec):
            cohort = cohorts.get(name)
            if cohort is None:
                cohort = services.save_cohort(
                    Cohort(
                        programme=programme,
                        name=name,
                        starts_on=starts_on,
                        ends_on=ends_on,
                        project_requirement=spec.project_requirement,
                    )
                )
                demo.created["cohorts"] += 1
            if cohort.ends_on is not None:
                runs[spec.level].append(
                    _Run(
                        cohort.pk,
                        spec,
                        programme.pk,
                        programme.level_id,
                        cohort.starts_on,
                        cohort.ends_on,
                    )
                )
    for level_runs in runs.values():
        level_runs.sort(key=lambda run: (run.starts_on, run.pk))
    return runs


def _targets(
    demo: Demo, organisation: Organisation, levels: dict[str, CapabilityLevel]
) -> None:
    units = {u.name: u for u in Unit.objects.for_organisation(organisation)}
    for spec in TARGETS:
        fields = {
            "organisation": organisation,
            "level": levels[spec.level],
            "kind": spec.kind,
            "value": Decimal(spec.value),
            "unit": units[spec.unit] if spec.unit else None,
            "staff_group": spec.staff_group,
            "starts_on": spec.starts_on,
            "due_on": spec.due_on,
        }
        if not Target.objects.filter(**fields).exists():
            services.save_target(Target(**fields))
            demo.created["capability targets"] += 1


def _link_people(demo: Demo, organisation: Organisation) -> dict[int, _TrainedSpec]:
    """Link each demo person to a staff record (their e-mail address on it, for
    matching imports): one in their team and staff group if there is one.

    Only the records every size has are chosen from, in reference order, so a
    person has the same record at every size. Returns their specs by record."""
    people = {p.name: p for p in PEOPLE if p.organisation == "riverside"}
    records = StaffRecord.objects.for_organisation(organisation)
    last = f"{RIVERSIDE.staff_prefix}{SIZES['small']:06d}"
    rows = list(
        records.filter(reference__lte=last, user=None, email="")
        .order_by("reference")
        .values_list("pk", "unit__name", "staff_group")
    )
    free = [(pk, team or "", group) for pk, team, group in rows]
    # Someone already linked (by the demo, or by hand) keeps their record.
    emails = [p.email.lower() for p in people.values()]
    linked: dict[str, int] = {}
    for pk, user_email, email in (
        records.filter(Q(user__email__in=emails) | Q(email__in=emails))
        .order_by("reference")
        .values_list("pk", "user__email", "email")
    ):
        for address in (user_email, email):
            if address:
                linked.setdefault(address.lower(), pk)
    trained: dict[int, _TrainedSpec] = {}
    for spec in TRAINED:
        person = people[spec.name]
        user = demo.users[person.email]
        pk = linked.get(person.email.lower())
        if pk is None:
            choice = _choose(free, person.team, spec.staff_group)
            if choice is None:
                continue  # fewer staff records than people: nobody left to link
            pk = choice
            free = [row for row in free if row[0] != pk]
            StaffRecord.objects.filter(pk=pk).update(
                user=user, email=person.email.lower()
            )
            demo.created["staff records linked to people"] += 1
        trained[pk] = spec
    return trained


def _choose(rows: Sequence[tuple[int, str, str]], team: str, group: str) -> int | None:
    """The first of the (record, team, staff group) rows in the team and group;
    else in the team; else in the group."""
    for wanted in (
        lambda t, g: bool(team) and t == team and g == group,
        lambda t, g: bool(team) and t == team,
        lambda t, g: g == group,
    ):
        for pk, row_team, row_group in rows:
            if wanted(row_team, row_group):
                return pk
    return None


# ----------------------------------------------------------------- training


def _paces(organisation: Organisation) -> dict[int, float]:
    """Each unit's pace: its own, else its nearest ancestor's named one, else 1."""
    units = {
        pk: (name, parent)
        for pk, name, parent in Unit.objects.for_organisation(organisation).values_list(
            "pk", "name", "parent_id"
        )
    }
    missing = set(PLAN.pace) - {name for name, _ in units.values()}
    if missing:
        raise DataError(f"capability.json: plan.pace: no unit {sorted(missing)[0]!r}")
    paces = {}
    for pk in units:
        node: int | None = pk
        pace = 1.0
        while node is not None:
            name, parent = units[node]
            if name in PLAN.pace:
                pace = PLAN.pace[name]
                break
            node = parent
        paces[pk] = pace
    return paces


def _training(
    demo: Demo,
    organisation: Organisation,
    levels: dict[str, CapabilityLevel],
    runs: dict[str, list[_Run]],
    trained: dict[int, _TrainedSpec],
) -> None:
    """Enrolments and completions of every staff record without any yet, in bulk."""
    done = set(
        Enrolment.objects.for_organisation(organisation).values_list(
            "staff_record_id", flat=True
        )
    ) | set(
        Completion.objects.for_organisation(organisation)
        .filter(staff_record__isnull=False)
        .values_list("staff_record_id", flat=True)
    )
    paces = _paces(organisation)
    people = (
        StaffRecord.objects.for_organisation(organisation)
        .filter(is_active=True)
        .order_by("reference")
        .values_list("pk", "reference", "unit_id", "staff_group")
    )
    planner = _Planner(levels, runs)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    enrolments: list[tuple[int, int, str, datetime.date | None, Any, Any]] = []
    completions: list[list[Any]] = []
    for pk, reference, unit_id, group in people.iterator(chunk_size=5000):
        if pk in done:
            continue
        rng = random.Random(f"{organisation.slug}:capability:{reference}")
        spec = trained.get(pk)
        if spec is not None:
            steps = planner.person(rng, spec)
        else:
            steps = planner.anyone(rng, paces.get(unit_id, 1.0), group)
        for step in steps:
            run = step.run
            if run is not None:
                enrolments.append(
                    (run.pk, pk, step.status, step.completed_on, now, now)
                )
            if step.completed_on is not None:
                # The enrolment's id (the last column) is filled in once it has one.
                completions.append(
                    [
                        step.level_pk,
                        step.completed_on,
                        pk,
                        unit_id,
                        group,
                        run.programme_pk if run else None,
                        run.pk if run else None,
                        now,
                        run.pk if run else None,
                    ]
                )
    _insert_training(enrolments, completions)
    demo.created["enrolments"] += len(enrolments)
    demo.created["completions"] += len(completions)
    if enrolments or completions:
        data_changed(organisation.pk)  # not on the trail: kept figures are redone


def _insert_training(
    enrolments: list[tuple[int, int, str, datetime.date | None, Any, Any]],
    completions: list[list[Any]],
) -> None:
    """Insert the rows with plain ``executemany`` (as the measures' data points
    are: building tens of thousands of model instances took most of the step's
    time), then give each completion its enrolment's id."""
    if not enrolments and not completions:
        return
    quote = connection.ops.quote_name
    last = Enrolment.objects.aggregate(last=Max("pk"))["last"] or 0
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(Enrolment._meta.db_table)} (cohort_id, "
            "staff_record_id, status, completed_on, created_at, updated_at) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            enrolments,
        )
    ids = {
        (cohort, person): pk
        for pk, cohort, person in Enrolment.objects.filter(pk__gt=last).values_list(
            "pk", "cohort_id", "staff_record_id"
        )
    }
    for row in completions:
        cohort = row[-1]
        row[-1] = None if cohort is None else ids[(cohort, row[2])]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(Completion._meta.db_table)} (level_id, "
            "completed_on, staff_record_id, unit_id, staff_group, programme_id, "
            "cohort_id, created_at, enrolment_id) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            completions,
        )


class _Planner:
    """Draws each person's training from their own stream."""

    def __init__(
        self, levels: dict[str, CapabilityLevel], runs: dict[str, list[_Run]]
    ) -> None:
        self.level_pks = {name: level.pk for name, level in levels.items()}
        self.start = window_start()
        #: Each level's programmes, their shares, and each one's cohorts.
        self.options: dict[str, tuple[list[_ProgrammeSpec], list[float]]] = {}
        self.runs: dict[str, list[_Run]] = {}
        for level, level_runs in runs.items():
            programmes = list(
                {run.programme.name: run.programme for run in level_runs}.values()
            )
            self.options[level] = (programmes, [p.share for p in programmes])
            for programme in programmes:
                self.runs[programme.name] = [
                    run for run in level_runs if run.programme.name == programme.name
                ]
        self.running = {
            level: [r for r in level_runs if r.starts_on <= TODAY < r.ends_on]
            for level, level_runs in runs.items()
        }

    def anyone(self, rng: random.Random, pace: float, group: str) -> list[_Step]:
        """A staff record's training: as far up the ladder as its unit's pace
        takes it (the last level perhaps withdrawn from or under way), and the
        board's programme for a manager."""
        draw = rng.random()
        depth = sum(1 for rung in PLAN.ladder if draw < min(rung.share * pace, 0.97))
        steps = self._climb(rng, _LADDER[:depth], finish=False)
        if group == PLAN.board.staff_group and rng.random() < PLAN.board.share:
            steps += self._climb(rng, [PLAN.board.level], finish=False)
        return steps

    def person(self, rng: random.Random, spec: _TrainedSpec) -> list[_Step]:
        """A demo person's training, as their record in the data says."""
        reached = _LADDER.index(spec.reached) + 1 if spec.reached else 0
        if spec.in_progress:
            steps = self._climb(rng, _LADDER[: reached + 1], finish=False, current=True)
        else:
            steps = self._climb(rng, _LADDER[:reached], finish=True)
        if spec.board:
            steps += self._climb(rng, [PLAN.board.level], finish=True)
        return steps

    def _climb(
        self,
        rng: random.Random,
        ladder: Sequence[str],
        *,
        finish: bool,
        current: bool = False,
    ) -> list[_Step]:
        """Each level of ``ladder``, the top one first, each in a cohort that
        ended before the one above it began.

        ``finish``: the top level is completed by today; ``current``: it is under
        way in the cohort running today; otherwise it is in any cohort, and may
        be withdrawn from (or under way, if its cohort still runs)."""
        steps: list[_Step] = []
        before: datetime.date | None = None  # the level above began on this day
        for height, level in enumerate(reversed(ladder)):
            top = height == 0
            run = self._cohort(
                rng, level, before, ended=not top or finish, current=top and current
            )
            if run is None:  # learnt before the cohorts here began
                last = min(before or self.start, self.start)
                on = last - datetime.timedelta(days=rng.randint(*PLAN.prior_days))
                steps.append(_Step(self.level_pks[level], None, "completed", on))
                before = on
                continue
            spec = run.programme
            on = run.ends_on
            if spec.finish_anytime:
                on = run.starts_on + datetime.timedelta(days=rng.randint(1, spec.days))
            if before is not None:
                on = min(on, before - datetime.timedelta(days=1))
            if finish and top:
                on = min(on, TODAY)
            if top and not finish and not current and rng.random() < spec.withdrawn:
                steps.append(_Step(run.level_pk, run, "withdrawn", None))
            elif on > TODAY or (top and current):
                steps.append(_Step(run.level_pk, run, "enrolled", None))
            else:
                steps.append(_Step(run.level_pk, run, "completed", on))
            before = run.starts_on
        return steps

    def _cohort(
        self,
        rng: random.Random,
        level: str,
        before: datetime.date | None,
        *,
        ended: bool,
        current: bool,
    ) -> _Run | None:
        """A cohort of one of the level's programmes (chosen by their shares)."""
        if level not in self.options:
            return None
        if current:
            if not self.running[level]:
                raise DataError(
                    f"capability.json: no cohort of {level!r} runs on {TODAY}, for "
                    "the people whose training is in progress"
                )
            return self.running[level][-1]
        programmes, shares = self.options[level]
        programme = rng.choices(programmes, shares)[0]
        choices = self.runs[programme.name]
        if before is not None:
            choices = [run for run in choices if run.ends_on < before]
        if ended:
            choices = [run for run in choices if run.ends_on <= TODAY]
        if not choices:
            return None
        weights = [
            1 + PLAN.growth * i / max(1, len(choices) - 1) for i in range(len(choices))
        ]
        return rng.choices(choices, weights)[0]
