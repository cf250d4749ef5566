"""Coverage of the capability framework against its targets: how many people have
reached each level, in each unit (rolled up the unit tree) and staff group, what
each target asks for, the gap, the trend and when each target will be met.

How people are counted
    Staff are the organisation's *active* staff records. A person who has
    reached a level counts once for that level, however many completions of it
    they have: in their staff record's unit and staff group today, from the day
    they first reached it (a repeat completion, a refresher, moves nothing).
    An erased person's completions (``services.erase_training_record``) no
    longer name anyone: each counts as one person in the unit and staff group
    recorded with it. Completions dated after today do not count yet.

Units
    A unit counts its whole subtree (a division its directorates and their
    teams); the organisation counts everyone, people without a unit too.

Targets
    A share target needs ``ceil(percent × staff / 100)`` people, a ratio target
    ("one per N staff") ``ceil(staff / N)``, where staff are those in the
    target's unit (subtree) and staff group. In the heatmap each level × unit
    cell is measured against the most specific target that covers it: the
    unit's own, else its nearest ancestor's, else the organisation's; a target
    for the staff group shown before one for all groups; among targets equally
    specific, the next to fall due (else the last that fell due).

Forecasts
    The rate is the number of people who reached the level, within the
    target's scope, in the last twelve months, divided by twelve. At that rate
    a target not yet met is met on ``today + gap / rate`` months: "by <month>",
    and whether that is before its due date. With no one in twelve months, or a
    date after the due date, it is "not at this rate".

The board
    A target for a level whose audience is the board
    (:attr:`~openqi.capability.models.Audience.BOARD`) names the board: the
    people in its unit (and staff group, when it gives one). The page's
    "Board development" section shows those targets' coverage; with none, it
    asks for one.

Everything is computed in five aggregate queries for the whole organisation
(levels, units, targets, staff counted by unit and group, and people by level,
unit and group) and kept until the organisation's data change
(:func:`openqi.audit.kept.kept`). Call :func:`coverage` (the page, the API) and
:func:`summary` (the overview and the journey); :func:`compute_coverage` is the
same without the cache.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, F, IntegerField, Min, Q, Value, When
from django.utils import timezone

from openqi.audit.kept import kept
from openqi.organisations.models import Organisation, StaffRecord, Unit

from .models import Audience, CapabilityLevel, Completion, Target

__all__ = [
    "BANDS",
    "TREND_MONTHS",
    "Cell",
    "Coverage",
    "Forecast",
    "Goal",
    "LevelInfo",
    "LevelSummary",
    "Row",
    "Summary",
    "TargetCoverage",
    "compute_coverage",
    "coverage",
    "group_label",
    "percent",
    "summary",
]

#: A release that changes what is kept moves this, so old values are not read.
FORMAT = 1
#: Months of the trend, the current one last.
TREND_MONTHS = 36
#: The completion rate is taken over this many months.
RATE_MONTHS = 12
#: Forecasts further away than this are not dated (and are past any due date).
LONGEST_FORECAST_YEARS = 200
_DAYS_PER_MONTH = 365.25 / 12

#: Coverage against target, best first: (key, words, the least share of the need).
BANDS: tuple[tuple[str, str, float], ...] = (
    ("met", "Met", 1.0),
    ("close", "Close", 0.75),
    ("behind", "Behind", 0.5),
    ("far", "Far behind", 0.0),
)
#: Cells with no target, or no staff, are measured against nothing.
NO_TARGET = ("none", "No target")
NO_STAFF = ("no_staff", "No staff")
BAND_WORDS = dict([(key, words) for key, words, _ in BANDS] + [NO_TARGET, NO_STAFF])

WHOLE_ORGANISATION = "The whole organisation"
ALL_GROUPS = "All staff groups"


def group_label(group: str) -> str:
    """A staff group's name ("" is every group)."""
    if not group:
        return ALL_GROUPS
    return str(dict(StaffRecord.StaffGroup.choices).get(group, group))


def percent(share: float | None) -> str:
    """A share as people read it: "62%", "0.4%", never "100%" short of everyone."""
    if share is None:
        return "–"
    value = share * 100
    if 0 < value < 1:
        return f"{value:.1f}%"
    shown = round(value)
    if shown == 100 and share < 1:
        shown = 99
    return f"{shown}%"


def _long(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _need(kind: str, value: Decimal, staff: int) -> int:
    """The people a target asks for among ``staff``."""
    if staff <= 0:
        return 0
    if kind == Target.Kind.SHARE:
        return math.ceil(Decimal(value) * staff / 100)
    return math.ceil(Decimal(staff) / Decimal(value))


def _band(people: int, need: int, staff: int) -> str:
    if staff <= 0:
        return NO_STAFF[0]
    if people >= need:
        return "met"
    share = people / need
    return next(key for key, _, least in BANDS if share >= least)


def _month(day: datetime.date) -> int:
    return day.year * 12 + day.month - 1


def _first_of(month: int) -> datetime.date:
    return datetime.date(month // 12, month % 12 + 1, 1)


def _a_year_before(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


# What is kept ------------------------------------------------------------------


@dataclass(frozen=True)
class LevelInfo:
    pk: int
    name: str
    audience: str
    position: int

    @property
    def is_board(self) -> bool:
        return self.audience == Audience.BOARD


@dataclass(frozen=True)
class Goal:
    """A target applied to a cell's staff."""

    target_pk: int
    describe: str
    due_on: datetime.date
    need: int
    gap: int
    band: str

    @property
    def band_words(self) -> str:
        return BAND_WORDS[self.band]


@dataclass(frozen=True)
class Cell:
    """One level in one unit (for the staff group shown)."""

    level_pk: int
    staff: int
    people: int
    goal: Goal | None

    @property
    def share(self) -> float | None:
        return self.people / self.staff if self.staff else None

    @property
    def band(self) -> str:
        if self.staff <= 0:
            return NO_STAFF[0]
        return self.goal.band if self.goal else NO_TARGET[0]

    @property
    def band_words(self) -> str:
        return BAND_WORDS[self.band]


@dataclass(frozen=True)
class Row:
    """A unit (``unit_pk`` None: the organisation) with a cell for each level."""

    unit_pk: int | None
    name: str
    depth: int
    parent_name: str
    staff: int
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Forecast:
    """When a target will be met at the last twelve months' rate.

    ``status``: ``met``; ``on_track`` (by ``expected_on``, before the due date);
    ``late`` (by ``expected_on``, after it, or too far off to date: then
    ``expected_on`` is None); ``stalled`` (no one reached the level in twelve
    months); ``no_staff`` (the target covers nobody)."""

    status: str
    text: str
    expected_on: datetime.date | None

    @property
    def before_due(self) -> bool:
        return self.status in ("met", "on_track")


@dataclass(frozen=True)
class TargetCoverage:
    pk: int
    level_pk: int
    level_name: str
    audience: str
    unit_pk: int | None
    unit_name: str
    staff_group: str
    kind: str
    value: Decimal
    describe: str
    starts_on: datetime.date
    due_on: datetime.date
    staff: int
    people: int
    need: int
    gap: int
    #: People who reached the level in the last twelve months, in scope.
    recent: int
    forecast: Forecast

    @property
    def share(self) -> float | None:
        return self.people / self.staff if self.staff else None

    @property
    def group_label(self) -> str:
        return group_label(self.staff_group)

    @property
    def is_met(self) -> bool:
        return self.forecast.status == "met"

    @property
    def rate(self) -> float:
        """People a month reaching the level, over the last twelve months."""
        return self.recent / RATE_MONTHS

    @property
    def band(self) -> str:
        return _band(self.people, self.need, self.staff)

    @property
    def band_words(self) -> str:
        return BAND_WORDS[self.band]

    @property
    def is_board(self) -> bool:
        return self.audience == Audience.BOARD


@dataclass(frozen=True)
class Coverage:
    today: datetime.date
    #: The staff group shown ("" for everyone).
    group: str
    levels: tuple[LevelInfo, ...]
    #: The organisation first, then the unit tree, parents before children.
    rows: tuple[Row, ...]
    #: Every target (of the staff group shown, when there is one), largest gap first.
    targets: tuple[TargetCoverage, ...]
    #: The first day of each month of the trend, oldest first.
    months: tuple[datetime.date, ...]
    #: For each level (as ``levels``), the people at it at the end of each month.
    trend: tuple[tuple[int, ...], ...]

    @property
    def organisation_row(self) -> Row:
        return self.rows[0]

    @property
    def board_targets(self) -> tuple[TargetCoverage, ...]:
        return tuple(t for t in self.targets if t.is_board)

    @property
    def board_levels(self) -> tuple[LevelInfo, ...]:
        return tuple(level for level in self.levels if level.is_board)

    @property
    def met(self) -> int:
        return sum(t.is_met for t in self.targets)

    @property
    def on_track(self) -> int:
        return sum(t.forecast.status == "on_track" for t in self.targets)

    def series(self) -> list[tuple[LevelInfo, tuple[int, ...], Cell]]:
        """Each level's trend with the organisation's cell (its target, if any)."""
        return list(
            zip(self.levels, self.trend, self.organisation_row.cells, strict=True)
        )


@dataclass(frozen=True)
class LevelSummary:
    """A level across the organisation, with its organisation-wide target."""

    level: LevelInfo
    people: int
    staff: int
    target: TargetCoverage | None

    @property
    def share(self) -> float | None:
        return self.people / self.staff if self.staff else None

    @property
    def share_text(self) -> str:
        return percent(self.share)


@dataclass(frozen=True)
class Summary:
    """The headline numbers: targets met and on track, and the organisation's
    coverage at each level with its own target."""

    targets: int
    met: int
    on_track: int
    #: The organisation-wide, all-groups target of the first level that has one.
    headline: TargetCoverage | None
    #: Each level across the organisation, in order.
    levels: tuple[LevelSummary, ...]

    @property
    def headline_sentence(self) -> str:
        t = self.headline
        if t is None:
            return ""
        if t.kind == Target.Kind.SHARE:
            return f"{t.level_name}: {percent(t.share)} of staff against {t.value.normalize():f}%"
        return (
            f"{t.level_name}: {t.people:,} people against the {t.need:,} needed "
            f"({t.describe})"
        )

    @property
    def sentence(self) -> str:
        """ "3 of 5 capability targets met, 1 more on track; Improvement
        awareness: 62% of staff against 80%." (empty with no targets)."""
        if not self.targets:
            return ""
        noun = "target" if self.targets == 1 else "targets"
        text = f"{self.met} of {self.targets} capability {noun} met"
        if self.on_track:
            text += f", {self.on_track} more on track"
        if self.headline is not None:
            text += f"; {self.headline_sentence}"
        return text + "."


# Computing ---------------------------------------------------------------------


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def coverage(
    organisation: Organisation, group: str = "", today: datetime.date | None = None
) -> Coverage:
    """The organisation's coverage (for one staff group, when ``group`` names
    one), kept until its data change."""
    day = _today(today)
    key = f"capability-coverage:{FORMAT}:{day.isoformat()}:{group}"
    return kept(
        organisation.pk, key, lambda: compute_coverage(organisation, group, day)
    )


def summary(organisation: Organisation, today: datetime.date | None = None) -> Summary:
    """The headline numbers, from the kept coverage of all staff."""
    found = coverage(organisation, "", today)
    organisation_wide = {
        t.level_pk: t
        for t in sorted(found.targets, key=_current_first(found.today), reverse=True)
        if t.unit_pk is None and not t.staff_group
    }
    levels = tuple(
        LevelSummary(level, cell.people, cell.staff, organisation_wide.get(level.pk))
        for level, cell in zip(found.levels, found.organisation_row.cells, strict=True)
    )
    headline = next((each.target for each in levels if each.target), None)
    return Summary(
        targets=len(found.targets),
        met=found.met,
        on_track=found.on_track,
        headline=headline,
        levels=levels,
    )


def _current_first(
    today: datetime.date,
) -> Callable[[TargetCoverage | Target], tuple[int, int]]:
    """A sort key putting the target a cell is measured against first: the next
    to fall due, else the last that fell due."""

    def key(target: TargetCoverage | Target) -> tuple[int, int]:
        due = target.due_on
        if due >= today:
            return (1, -due.toordinal())
        return (0, due.toordinal())

    return key


def _tree(
    units: list[tuple[int, int | None, str]],
) -> tuple[list[tuple[int, int, str]], dict[int, tuple[int, ...]]]:
    """The units in tree order with depth and parent name, and each unit's
    ancestors (itself first)."""
    children: dict[int | None, list[tuple[int, str]]] = defaultdict(list)
    names = {pk: name for pk, _, name in units}
    parents = {pk: parent for pk, parent, _ in units}
    for pk, parent, name in units:
        children[parent if parent in names else None].append((pk, name))
    order: list[tuple[int, int, str]] = []

    def visit(parent: int | None, depth: int) -> None:
        for pk, _ in sorted(
            children.get(parent, []), key=lambda c: (c[1].lower(), c[0])
        ):
            order.append((pk, depth, names.get(parent, "") if parent else ""))
            visit(pk, depth + 1)

    visit(None, 1)
    ancestors: dict[int, tuple[int, ...]] = {}
    for pk in names:
        chain = [pk]
        up = parents.get(pk)
        while up is not None and up in names and up not in chain:
            chain.append(up)
            up = parents.get(up)
        ancestors[pk] = tuple(chain)
    return order, ancestors


def _roll_up(
    counts: Iterable[tuple[tuple[int | None, str], int]],
    ancestors: dict[int, tuple[int, ...]],
) -> dict[tuple[int | None, str], int]:
    """Counts by (unit, group) added into every ancestor and the organisation (None)."""
    rolled: dict[tuple[int | None, str], int] = defaultdict(int)
    for (unit, group), n in counts:
        for each in ancestors.get(unit, ()) if unit is not None else ():
            rolled[(each, group)] += n
        rolled[(None, group)] += n
    return rolled


def compute_coverage(
    organisation: Organisation, group: str = "", today: datetime.date | None = None
) -> Coverage:
    """:class:`Coverage` from the database, in five queries."""
    today = _today(today)
    levels = tuple(
        LevelInfo(pk, name, audience, position)
        for pk, name, audience, position in CapabilityLevel.objects.for_organisation(
            organisation
        )
        .order_by("position", "pk")
        .values_list("pk", "name", "audience", "position")
    )
    units = list(
        Unit.objects.for_organisation(organisation)
        .order_by()
        .values_list("pk", "parent_id", "name")
    )
    order, ancestors = _tree(units)
    unit_names = {pk: name for pk, _, name in units}
    # With a staff group shown: its own targets (the gap list), and the targets
    # for all groups, which its cells also answer to.
    shown_targets = Target.objects.for_organisation(organisation).select_related(
        "level"
    )
    if group:
        shown_targets = shown_targets.filter(Q(staff_group=group) | Q(staff_group=""))
    applicable = list(shown_targets.order_by("pk"))
    targets = [t for t in applicable if t.staff_group == group] if group else applicable

    staff_rows = (
        StaffRecord.objects.for_organisation(organisation)
        .filter(is_active=True)
        .values_list("unit_id", "staff_group")
        .annotate(n=Count("pk"))
        .order_by()
    )
    if group:
        staff_rows = staff_rows.filter(staff_group=group)
    staff = _roll_up((((u, g), n) for u, g, n in staff_rows), ancestors)

    # One row per person and level (an erased person's completions, one each):
    # the unit and group they count in, and the day they first reached it.
    erased = Q(staff_record__isnull=True)
    people_rows = (
        Completion.objects.for_organisation(organisation)
        .filter(completed_on__lte=today)
        .filter(erased | Q(staff_record__is_active=True))
        .annotate(
            in_unit=Case(
                When(erased, then=F("unit_id")), default=F("staff_record__unit_id")
            ),
            in_group=Case(
                When(erased, then=F("staff_group")),
                default=F("staff_record__staff_group"),
            ),
            one_of=Case(
                When(erased, then=F("pk")),
                default=Value(None),
                output_field=IntegerField(),
            ),
        )
    )
    if group:
        people_rows = people_rows.filter(in_group=group)
    people_rows = (
        people_rows.order_by()
        .values("level_id", "staff_record_id", "one_of", "in_unit", "in_group")
        .annotate(first=Min("completed_on"))
        .values_list("level_id", "in_unit", "in_group", "first")
    )

    first_month = _month(today) - TREND_MONTHS + 1
    since = _a_year_before(today)
    totals: dict[tuple[int, int | None, str], int] = defaultdict(int)
    recents: dict[tuple[int, int | None, str], int] = defaultdict(int)
    by_month: dict[int, list[int]] = {
        level.pk: [0] * (TREND_MONTHS + 1) for level in levels
    }
    for level_pk, unit, in_group, first in people_rows:
        unit = unit if unit in unit_names else None
        totals[(level_pk, unit, in_group or "")] += 1
        if first > since:
            recents[(level_pk, unit, in_group or "")] += 1
        if level_pk in by_month:
            by_month[level_pk][max(0, _month(first) - first_month + 1)] += 1

    people = {
        level.pk: _roll_up(
            (
                ((unit, g), n)
                for (level_pk, unit, g), n in totals.items()
                if level_pk == level.pk
            ),
            ancestors,
        )
        for level in levels
    }
    recent = {
        level.pk: _roll_up(
            (
                ((unit, g), n)
                for (level_pk, unit, g), n in recents.items()
                if level_pk == level.pk
            ),
            ancestors,
        )
        for level in levels
    }

    def total(
        counts: dict[tuple[int | None, str], int], unit: int | None, g: str
    ) -> int:
        if g:
            return counts.get((unit, g), 0)
        return sum(n for (u, _), n in counts.items() if u == unit)

    # Each target over its own scope.
    covered: list[TargetCoverage] = []
    for target in targets:
        unit = target.unit_id if target.unit_id in unit_names else None
        n_staff = total(staff, unit, target.staff_group)
        n_people = total(people.get(target.level_id, {}), unit, target.staff_group)
        n_recent = total(recent.get(target.level_id, {}), unit, target.staff_group)
        need = _need(target.kind, target.value, n_staff)
        gap = max(0, need - n_people)
        covered.append(
            TargetCoverage(
                pk=target.pk,
                level_pk=target.level_id,
                level_name=target.level.name,
                audience=target.level.audience,
                unit_pk=unit,
                unit_name=unit_names[unit] if unit is not None else WHOLE_ORGANISATION,
                staff_group=target.staff_group,
                kind=target.kind,
                value=target.value,
                describe=target.describe(),
                starts_on=target.starts_on,
                due_on=target.due_on,
                staff=n_staff,
                people=n_people,
                need=need,
                gap=gap,
                recent=n_recent,
                forecast=_forecast(n_staff, gap, n_recent, target.due_on, today),
            )
        )
    position = {level.pk: level.position for level in levels}
    covered.sort(key=lambda t: (-t.gap, position.get(t.level_pk, 0), t.due_on, t.pk))

    # The heatmap: each unit's cells against the target that covers them.
    by_scope: dict[tuple[int, int | None], list[Target]] = defaultdict(list)
    for target in applicable:
        if target.staff_group and target.staff_group != group:
            continue
        unit = target.unit_id if target.unit_id in unit_names else None
        by_scope[(target.level_id, unit)].append(target)
    current = _current_first(today)
    for found in by_scope.values():
        # Most specific first: the shown group's own, then all groups'; then current.
        found.sort(key=lambda t: (t.staff_group == group, current(t)), reverse=True)

    def cell(level: LevelInfo, unit: int | None) -> Cell:
        n_staff = total(staff, unit, group)
        n_people = total(people[level.pk], unit, group)
        chain: tuple[int | None, ...] = (
            (*ancestors[unit], None) if unit is not None else (None,)
        )
        target = next(
            (by_scope[(level.pk, u)][0] for u in chain if by_scope.get((level.pk, u))),
            None,
        )
        goal = None
        if target is not None:
            need = _need(target.kind, target.value, n_staff)
            goal = Goal(
                target_pk=target.pk,
                describe=target.describe(),
                due_on=target.due_on,
                need=need,
                gap=max(0, need - n_people),
                band=_band(n_people, need, n_staff),
            )
        return Cell(level.pk, n_staff, n_people, goal)

    rows = [
        Row(
            None,
            WHOLE_ORGANISATION,
            0,
            "",
            total(staff, None, group),
            tuple(cell(level, None) for level in levels),
        )
    ]
    rows += [
        Row(
            pk,
            unit_names[pk],
            depth,
            parent_name,
            total(staff, pk, group),
            tuple(cell(level, pk) for level in levels),
        )
        for pk, depth, parent_name in order
    ]

    trend = []
    for level in levels:
        running, points = 0, []
        for n in by_month[level.pk]:
            running += n
            points.append(running)
        trend.append(tuple(points[1:]))
    return Coverage(
        today=today,
        group=group,
        levels=levels,
        rows=tuple(rows),
        targets=tuple(covered),
        months=tuple(_first_of(first_month + i) for i in range(TREND_MONTHS)),
        trend=tuple(trend),
    )


def _forecast(
    staff: int, gap: int, recent: int, due_on: datetime.date, today: datetime.date
) -> Forecast:
    if staff <= 0:
        return Forecast("no_staff", "No staff records in its scope", None)
    if gap <= 0:
        return Forecast("met", "Met", None)
    due = f"the due date ({_long(due_on)})"
    if recent <= 0:
        return Forecast(
            "stalled",
            "Not at this rate: nobody reached this level in the last 12 months "
            f"(due {_long(due_on)})",
            None,
        )
    months = gap / (recent / RATE_MONTHS)
    days = math.ceil(months * _DAYS_PER_MONTH)
    if days > LONGEST_FORECAST_YEARS * 366:
        return Forecast(
            "late",
            f"Not at this rate: it would take more than {LONGEST_FORECAST_YEARS} "
            f"years, long after {due}",
            None,
        )
    expected = today + datetime.timedelta(days=days)
    when = f"{expected:%B %Y}"
    if expected <= due_on:
        return Forecast("on_track", f"By {when}, before {due}", expected)
    return Forecast("late", f"Not at this rate: by {when}, after {due}", expected)
