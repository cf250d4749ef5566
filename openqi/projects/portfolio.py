"""The portfolio: every project of an organisation, filtered and counted; the
priority × unit matrix; and the measures overview, concerns first.

Built for the large organisation (2,000 projects, 500 measures of five years'
weekly data): filters and counts are database queries, a page of projects is
fetched with a fixed number of queries whatever its size, and charts are
computed once per measure — XmR charts of the whole organisation in one
:func:`openqi.spc.xmr_batch` call, which gives what ``chart_for`` gives (the
tests hold the two to the same answers).
"""

from __future__ import annotations

import datetime
import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

import numpy as np
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Count,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)

from openqi.measures.models import DataPoint, Measure, PhaseBreak
from openqi.measures.services import chart_for, period_label
from openqi.organisations.models import Organisation, Unit
from openqi.spc import ASSURANCES, RULES, SIGNALS, VARIATIONS, ChartResult, xmr_batch
from openqi.spc.explain import period_words
from openqi.strategy.models import StrategicPriority

from .models import (
    PROGRESS_SCALE,
    DriverNode,
    PDSACycle,
    ProgressRating,
    Project,
    ProjectMeasure,
)
from .progress import Suggestion, suggest_rating

#: The filter value for "no priority" and "no unit".
NONE = "none"

VARIATION_WORDS = {
    "common_cause": "Common cause variation",
    "improvement_high": "Special cause improvement (high)",
    "improvement_low": "Special cause improvement (low)",
    "concern_high": "Special cause concern (high)",
    "concern_low": "Special cause concern (low)",
    "neutral_high": "Special cause variation, neither improvement nor concern (high)",
    "neutral_low": "Special cause variation, neither improvement nor concern (low)",
}
ASSURANCE_WORDS = {
    "consistent_pass": "Consistently passes the target",
    "consistent_fail": "Consistently fails the target",
    "inconsistent": "Hits and misses the target at random",
}

# --------------------------------------------------------------------------- units


@dataclass(frozen=True)
class UnitRow:
    unit: Unit
    depth: int
    path: str


def unit_rows(organisation: Organisation) -> list[UnitRow]:
    """The organisation's units as a flat list, depth first, each with its depth and
    its path in words (for filters; the units page's nested tree is
    :func:`openqi.organisations.services.unit_tree`)."""
    units = list(Unit.objects.for_organisation(organisation).order_by("name"))
    children: dict[int | None, list[Unit]] = defaultdict(list)
    for unit in units:
        children[unit.parent_id].append(unit)
    out: list[UnitRow] = []

    def walk(parent: int | None, depth: int, prefix: str) -> None:
        for unit in children[parent]:
            path = f"{prefix} › {unit.name}" if prefix else unit.name
            out.append(UnitRow(unit, depth, path))
            walk(unit.pk, depth + 1, path)

    walk(None, 0, "")
    return out


def subtrees(nodes: Sequence[UnitRow]) -> dict[int, set[int]]:
    """Each unit's id → the ids of it and every unit beneath it."""
    parent = {n.unit.pk: n.unit.parent_id for n in nodes}
    out: dict[int, set[int]] = {pk: {pk} for pk in parent}
    for pk in parent:
        up = parent[pk]
        while up is not None:
            out[up].add(pk)
            up = parent[up]
    return out


# --------------------------------------------------------------------------- filtering


@dataclass(frozen=True)
class Filters:
    """What the portfolio is filtered by; ``None`` (or "") means any."""

    priority: int | str | None = None
    unit: int | str | None = None
    status: str = ""
    method: str = ""
    score_min: Decimal | None = None
    score_max: Decimal | None = None

    def without(self, name: str) -> Filters:
        empty = Filters()
        return Filters(
            **{
                f: getattr(empty if f == name else self, f)
                for f in self.__dataclass_fields__
            }
        )

    def query(self, **changes: Any) -> dict[str, str]:
        """The filters as GET parameters (for links), with ``changes`` applied."""
        values = {f: getattr(self, f) for f in self.__dataclass_fields__}
        values.update(changes)
        return {k: str(v) for k, v in values.items() if v not in (None, "")}


def _latest_score(rated_by: str) -> Subquery:
    return Subquery(
        ProgressRating.objects.filter(project=OuterRef("pk"), rated_by=rated_by)
        .order_by("-rated_on", "-pk")
        .values("score")[:1]
    )


def with_latest_ratings(projects: QuerySet[Project]) -> QuerySet[Project]:
    """Annotate ``team_score`` and ``coach_score``: the latest rating of each."""
    return projects.annotate(
        team_score=_latest_score(ProgressRating.RatedBy.TEAM),
        coach_score=_latest_score(ProgressRating.RatedBy.COACH),
    )


def filter_projects(
    organisation: Organisation,
    filters: Filters,
    trees: Mapping[int, set[int]] | None = None,
) -> QuerySet[Project]:
    """The organisation's projects that pass ``filters``, with their latest ratings.

    A unit filter takes in every unit beneath the unit (a division's projects are
    those of its directorates and teams too); ``trees`` is :func:`subtrees`.
    """
    projects = with_latest_ratings(Project.objects.for_organisation(organisation))
    if filters.priority == NONE:
        projects = projects.filter(priorities__isnull=True)
    elif filters.priority is not None:
        projects = projects.filter(priorities=filters.priority)
    if filters.unit == NONE:
        projects = projects.filter(unit__isnull=True)
    elif filters.unit is not None:
        ids = (trees or {}).get(int(filters.unit), {int(filters.unit)})
        projects = projects.filter(unit__in=ids)
    if filters.status:
        projects = projects.filter(status=filters.status)
    if filters.method:
        projects = projects.filter(method=filters.method)
    if filters.score_min is not None:
        projects = projects.filter(team_score__gte=filters.score_min)
    if filters.score_max is not None:
        projects = projects.filter(team_score__lte=filters.score_max)
    return projects


@dataclass(frozen=True)
class Option:
    """One option of a filter with the number of projects it would show."""

    text: str
    count: int
    query: dict[str, str] | None
    is_current: bool = False


@dataclass
class Facets:
    status: list[Option] = field(default_factory=list)
    method: list[Option] = field(default_factory=list)
    priority: list[Option] = field(default_factory=list)
    unit: list[Option] = field(default_factory=list)
    rating: list[Option] = field(default_factory=list)


def facet_counts(
    organisation: Organisation,
    filters: Filters,
    nodes: Sequence[UnitRow],
    priorities: Sequence[StrategicPriority],
) -> Facets:
    """For each filter, how many projects each option would show, the other filters
    kept as they are (five grouped queries)."""
    trees = subtrees(nodes)

    def grouped(name: str, column: str) -> Counter[Any]:
        rows = (
            filter_projects(organisation, filters.without(name), trees)
            .order_by()
            .values_list(column)
            .annotate(n=Count("pk", distinct=True))
        )
        return Counter({key: n for key, n in rows})

    facets = Facets()
    by_status = grouped("status", "status")
    for value, text in Project.Status.choices:
        facets.status.append(
            Option(
                text,
                by_status[value],
                filters.query(status=value),
                filters.status == value,
            )
        )
    by_method = grouped("method", "method")
    for value, text in Project.Method.choices:
        facets.method.append(
            Option(
                text,
                by_method[value],
                filters.query(method=value),
                filters.method == value,
            )
        )
    by_priority = grouped("priority", "priorities")
    for priority in priorities:
        facets.priority.append(
            Option(
                priority.title,
                by_priority[priority.pk],
                filters.query(priority=priority.pk),
                filters.priority == priority.pk,
            )
        )
    facets.priority.append(
        Option(
            "No priority",
            by_priority[None],
            filters.query(priority=NONE),
            filters.priority == NONE,
        )
    )
    by_unit = grouped("unit", "unit")
    # Show the level below the chosen unit (the divisions when none is chosen).
    chosen = filters.unit if isinstance(filters.unit, int) else None
    for node in nodes:
        if node.unit.parent_id != chosen:
            continue
        count = sum(by_unit[pk] for pk in trees[node.unit.pk])
        facets.unit.append(
            Option(node.unit.name, count, filters.query(unit=node.unit.pk))
        )
    if chosen is None:
        facets.unit.append(
            Option(
                "No unit",
                by_unit[None],
                filters.query(unit=NONE),
                filters.unit == NONE,
            )
        )
    without_score = filters.without("score_min").without("score_max")
    rows = (
        filter_projects(organisation, without_score, trees)
        .order_by()
        .values_list("team_score")
        .annotate(n=Count("pk", distinct=True))
    )
    by_score = Counter(
        {None if s is None else Decimal(str(s)): n for s, n in rows}  # noqa: C416
    )
    facets.rating.append(Option("Not yet rated", by_score[None], None))
    for score, (label, _) in PROGRESS_SCALE.items():
        if by_score[score]:
            facets.rating.append(
                Option(
                    f"{score} {label}",
                    by_score[score],
                    without_score.query(score_min=score, score_max=score),
                    filters.score_min == score == filters.score_max,
                )
            )
    return facets


# --------------------------------------------------------------------------- rows


@dataclass(frozen=True)
class OutcomeIcon:
    measure: Measure
    variation: str | None
    assurance: str | None

    @property
    def words(self) -> str:
        if self.variation is None:
            return f"{self.measure.name}: no data yet"
        words = [VARIATION_WORDS.get(self.variation, self.variation)]
        if self.assurance:
            words.append(ASSURANCE_WORDS[self.assurance].lower())
        return f"{self.measure.name}: {'; '.join(words)}"


@dataclass(frozen=True)
class PortfolioRow:
    project: Project
    team_score: Decimal | None
    coach_score: Decimal | None
    suggestion: Suggestion
    outcomes: list[OutcomeIcon]


def page_queryset(projects: QuerySet[Project]) -> QuerySet[Project]:
    """What a page of the portfolio reads, fetched in a fixed number of queries
    (the measures' data points come in one more, in :func:`portfolio_rows`)."""
    links = ProjectMeasure.objects.select_related("measure").prefetch_related(
        "measure__phase_breaks"
    )
    return projects.select_related("unit", "lead").prefetch_related(
        "team",
        Prefetch(
            "driver_nodes", queryset=DriverNode.objects.only("project_id", "kind")
        ),
        Prefetch(
            "cycles", queryset=PDSACycle.objects.only("project_id", "stage", "act")
        ),
        Prefetch("measure_links", queryset=links),
    )


def safe_chart(
    measure: Measure, points: Sequence[Any] | None = None
) -> ChartResult | None:
    """``chart_for``, with None for a measure whose data cannot make a chart."""
    try:
        return chart_for(measure, points)
    except ValueError:
        return None


def portfolio_rows(projects: Iterable[Project]) -> list[PortfolioRow]:
    """One row per project of a page fetched with :func:`page_queryset`.

    The outcome and process measures' points come in one query, and each
    measure's chart is computed once, shared by the suggestions and the icons.
    """
    projects = list(projects)
    charted = {
        link.measure_id: link.measure
        for project in projects
        for link in project.measure_links.all()
        if link.role != ProjectMeasure.Role.BALANCING
    }
    series = load_series(DataPoint.objects.filter(measure_id__in=list(charted)))
    charts: dict[int, ChartResult | None] = {
        pk: safe_chart(measure, cast(Sequence[DataPoint], series[pk].points()))
        if pk in series
        else None
        for pk, measure in charted.items()
    }
    rows = []
    for project in projects:
        outcomes = [
            OutcomeIcon(
                link.measure,
                chart.variation if chart else None,
                chart.assurance if chart else None,
            )
            for link in project.measure_links.all()
            if link.role == ProjectMeasure.Role.OUTCOME
            and ((chart := charts[link.measure_id]) or True)
        ]
        rows.append(
            PortfolioRow(
                project,
                _decimal(getattr(project, "team_score", None)),
                _decimal(getattr(project, "coach_score", None)),
                suggest_rating(project, charts=charts),
                outcomes,
            )
        )
    return rows


def _decimal(value: Any) -> Decimal | None:
    # SQLite hands back floats for a Subquery over a DecimalField.
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.1"))


# --------------------------------------------------------------------------- matrix

#: Matrix column keys that are not a unit.
NO_UNIT = "none"
ABOVE = "above"


@dataclass(frozen=True)
class MatrixCell:
    count: int
    query: dict[str, str] | None


@dataclass(frozen=True)
class MatrixRow:
    label: str
    cells: list[MatrixCell]
    total: MatrixCell


@dataclass(frozen=True)
class Matrix:
    level: str
    columns: list[str]
    rows: list[MatrixRow]
    totals: MatrixRow
    projects: int


def priority_unit_matrix(
    organisation: Organisation,
    *,
    level: str = Unit.Level.DIVISION,
    status: str = "",
) -> Matrix:
    """Projects counted by strategic priority (rows) and unit at ``level`` (columns).

    A project counts under the unit at ``level`` that holds its unit; projects of
    a unit above that level have their own column, and so do projects with no
    unit. A project linked to two priorities counts in both rows, so the
    "All projects" row counts each project once.
    """
    nodes = unit_rows(organisation)
    by_pk = {n.unit.pk: n.unit for n in nodes}
    columns_units = [n.unit for n in nodes if n.unit.level == level]

    def column_of(unit_id: int | None) -> int | str:
        if unit_id is None:
            return NO_UNIT
        unit: Unit | None = by_pk.get(unit_id)
        while unit is not None and unit.level != level:
            unit = by_pk.get(unit.parent_id) if unit.parent_id else None
        return unit.pk if unit is not None else ABOVE

    projects = Project.objects.for_organisation(organisation)
    if status:
        projects = projects.filter(status=status)
    column = {
        pk: column_of(unit_id) for pk, unit_id in projects.values_list("pk", "unit_id")
    }
    links = Project.priorities.through.objects.filter(project__in=projects).values_list(
        "project_id", "strategicpriority_id"
    )
    priorities_of: dict[int, set[int]] = defaultdict(set)
    for project_id, priority_id in links:
        priorities_of[project_id].add(priority_id)

    keys: list[int | str] = [u.pk for u in columns_units]
    labels = [u.name for u in columns_units]
    counts_above = sum(1 for c in column.values() if c == ABOVE)
    if counts_above:
        keys.append(ABOVE)
        labels.append(f"Above {Unit.Level(level).label.lower()} level")
    keys.append(NO_UNIT)
    labels.append("No unit")

    def query(
        priority: int | str | None, key: int | str | None
    ) -> dict[str, str] | None:
        if key == ABOVE:
            return None
        params = {"priority": priority, "unit": key, "status": status}
        return {k: str(v) for k, v in params.items() if v not in (None, "")}

    def row(label: str, priority: int | str | None, members: list[int]) -> MatrixRow:
        tally = Counter(column[pk] for pk in members)
        cells = [MatrixCell(tally[k], query(priority, k)) for k in keys]
        return MatrixRow(label, cells, MatrixCell(len(members), query(priority, None)))

    rows = []
    for priority in StrategicPriority.objects.for_organisation(organisation):
        members = [pk for pk in column if priority.pk in priorities_of[pk]]
        rows.append(row(priority.title, priority.pk, members))
    rows.append(
        row("No priority", NONE, [pk for pk in column if not priorities_of[pk]])
    )
    totals = row("All projects", None, list(column))
    return Matrix(level, labels, rows, totals, len(column))


# --------------------------------------------------------------------------- measures

#: The overview's groups, concerns first (problem sensing).
GROUPS: list[tuple[str, str]] = [
    ("concern", "Concerns: special cause concern or failing the target"),
    ("inconsistent", "Not assured: hitting and missing the target at random"),
    ("common_cause", "Common cause: no signal"),
    ("improvement", "Improving: special cause improvement"),
    ("no_data", "No chart yet"),
]


@dataclass(frozen=True)
class MeasureStatus:
    """What the overview shows for one measure."""

    measure: Measure
    variation: str | None
    assurance: str | None
    latest_value: float | None
    latest_period: str
    phrase: str
    group: str
    rank: int
    projects: list[ProjectMeasure] = field(default_factory=list)

    @property
    def sort_key(self) -> tuple[int, int, str]:
        order = [g for g, _ in GROUPS].index(self.group)
        return (order, self.rank, self.measure.name.lower())


def _centre_name(chart_type: str) -> str:
    return "median" if chart_type in ("run", "g") else "mean"


def _rule_words(rule: str, side: str, chart_type: str) -> str:
    """What the latest point's rule found, in words."""
    high = side == "high"
    if rule == "outside_limits":
        return f"the latest point is {'above the upper' if high else 'below the lower'} process limit"
    if rule == "trend":
        return f"the latest point is part of a {'rising' if high else 'falling'} trend"
    if rule == "two_of_three":
        return f"two of the latest three points are close to the {'upper' if high else 'lower'} process limit"
    where = "above" if high else "below"
    if chart_type == "run":
        return f"the latest point is part of a long run {where} the median"
    return f"the latest point is part of a run of 7 or more points {where} the {_centre_name(chart_type)}"


def _number(value: float) -> str:
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.3g}" if abs(value) < 1 else f"{value:,.1f}"


def summarise(
    measure: Measure,
    periods: Sequence[str],
    values: Sequence[float] | np.ndarray,
    rules: Sequence[str],
    signals: Sequence[str],
    variation: str,
    assurance: str | None,
) -> MeasureStatus:
    """The overview line of one chart (however it was computed): icons, latest
    value, the latest signal in a phrase, and the group it sorts into."""
    last = int(np.flatnonzero(~np.isnan(np.asarray(values, dtype=float)))[-1])
    chart_type = measure.chart_type
    if rules[last] == "common_cause":
        phrase = "Common cause variation at the latest point."
    else:
        first = last
        while (
            first > 0
            and rules[first - 1] != "common_cause"
            and signals[first - 1] == signals[last]
        ):
            first -= 1
        side = "high" if variation.endswith("high") else "low"
        opening = {
            "improvement": "Special cause improvement",
            "concern": "Special cause concern",
        }.get(signals[last], "Special cause variation")
        words = _rule_words(rules[last], side, chart_type)
        count = last - first + 1
        if count > 1:
            words += f" ({count} special cause points in a row)"
        since = f" since {period_words(periods[first])}" if first < last else ""
        phrase = f"{opening}{since}: {words}."
    target = "" if measure.target is None else f" of {_number(measure.target)}"
    if assurance == "consistent_fail":
        phrase += f" Consistently failing the target{target}."
    elif assurance == "inconsistent":
        phrase += f" Hits and misses the target{target} at random."
    elif assurance == "consistent_pass":
        phrase += f" Consistently passing the target{target}."
    is_concern = variation.startswith("concern")
    if is_concern or assurance == "consistent_fail":
        group = "concern"
        rank = (
            0
            if is_concern and assurance == "consistent_fail"
            else (1 if is_concern else 2)
        )
    elif assurance == "inconsistent":
        group, rank = "inconsistent", 0
    elif variation.startswith("improvement"):
        group, rank = "improvement", 0
    else:
        group, rank = "common_cause", 0 if variation == "common_cause" else 1
    return MeasureStatus(
        measure,
        variation,
        assurance,
        float(values[last]),
        periods[last],
        phrase,
        group,
        rank,
    )


def _no_chart(measure: Measure, why: str) -> MeasureStatus:
    return MeasureStatus(measure, None, None, None, "", why, "no_data", 0)


def status_from_chart(measure: Measure, chart: ChartResult | None) -> MeasureStatus:
    if chart is None:
        return _no_chart(measure, "No data yet.")
    return summarise(
        measure,
        chart.periods,
        chart.values,
        chart.rule,
        chart.signal,
        chart.variation,
        chart.assurance,
    )


@dataclass(frozen=True)
class _Point:
    """The fields ``chart_for`` reads from a data point."""

    period: datetime.date
    value: float | None
    denominator: float | None
    is_excluded: bool = False


@dataclass(frozen=True)
class Series:
    """One measure's data in period order: periods, values (NaN for missing),
    denominators, and which points are left out of the calculations."""

    periods: Sequence[datetime.date]
    values: np.ndarray
    denominators: Sequence[float | None]
    excluded: Sequence[bool] = ()

    @property
    def has_exclusions(self) -> bool:
        return any(self.excluded)

    def points(self) -> list[_Point]:
        excluded = self.excluded or [False] * len(self.values)
        return [
            _Point(p, None if math.isnan(v) else float(v), d, bool(x))
            for p, v, d, x in zip(
                self.periods, self.values, self.denominators, excluded, strict=True
            )
        ]


def _as_date(value: Any) -> datetime.date:
    # A raw cursor gives SQLite's text and PostgreSQL's dates.
    return (
        value
        if isinstance(value, datetime.date)
        else datetime.date.fromisoformat(value)
    )


def load_series(points: QuerySet[DataPoint]) -> dict[int, Series]:
    """Every measure's series from ``points``, in one query.

    Read through a plain cursor into NumPy: building 130,000 model instances (or
    Django's per-value conversions) would cost more than the charts.
    """
    rows = points.order_by("measure_id", "period").values_list(
        "measure_id", "period", "value", "denominator", "is_excluded"
    )
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:  # filtered on an empty list of measures
        return {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    if not fetched:
        return {}
    ids_column, periods, values_column, denominators, excluded = zip(
        *fetched, strict=True
    )
    ids = np.asarray(ids_column, dtype=np.int64)
    values = np.asarray(values_column, dtype=np.float64)
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    ends = np.r_[starts[1:], len(ids)]
    return {
        int(ids[a]): Series(
            _LazyDates(periods, a, b),
            values[a:b],
            denominators[a:b],
            [bool(x) for x in excluded[a:b]],
        )
        for a, b in zip(starts.tolist(), ends.tolist(), strict=True)
    }


class _LazyDates(Sequence[datetime.date]):
    """A slice of raw period values, turned into dates when read."""

    def __init__(self, raw: Sequence[Any], start: int, stop: int) -> None:
        self.raw, self.start, self.stop = raw, start, stop

    def __len__(self) -> int:
        return self.stop - self.start

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return _as_date(self.raw[self.start + i])


def _is_batchable(measure: Measure, data: Series) -> bool:
    # xmr_batch is one phase with every point counted and limits from all of them:
    # phase breaks, left-out points and fixed limits need chart_for.
    return (
        measure.chart_type == Measure.ChartType.XMR
        and measure.fix_after is None
        and not data.has_exclusions
        and not measure.phase_breaks.all()
    )


def measure_statuses(
    measures: Sequence[Measure],
    series: Mapping[int, Series],
    *,
    batch: bool = True,
) -> dict[int, MeasureStatus]:
    """Each measure's status from its series (see :func:`load_series`).

    XmR measures without phase breaks, left-out points or fixed limits go through
    one :func:`openqi.spc.xmr_batch` call on a NaN-padded array (``batch=False``
    sends them through ``chart_for`` like every other measure); the answers are
    the same either way.
    """
    out: dict[int, MeasureStatus] = {}
    batched = []
    for measure in measures:
        data = series.get(measure.pk)
        if data is None or np.isnan(data.values).all():
            out[measure.pk] = _no_chart(measure, "No data yet.")
        elif batch and _is_batchable(measure, data):
            batched.append(measure)
        else:
            try:
                chart = chart_for(measure, cast(Sequence[DataPoint], data.points()))
            except ValueError as error:
                out[measure.pk] = _no_chart(measure, str(error))
            else:
                out[measure.pk] = status_from_chart(measure, chart)
    if not batched:
        return out
    width = max(len(series[m.pk].values) for m in batched)
    matrix = np.full((len(batched), width), np.nan)
    for i, measure in enumerate(batched):
        values = series[measure.pk].values
        matrix[i, : len(values)] = values
    targets = [np.nan if m.target is None else m.target for m in batched]
    result = xmr_batch(
        matrix, improvement=[m.improvement for m in batched], target=targets
    )
    for i, measure in enumerate(batched):
        data = series[measure.pk]
        n = len(data.values)
        code = int(result.assurance[i])
        out[measure.pk] = summarise(
            measure,
            _LazyLabels(measure, data.periods),
            data.values,
            _Names(RULES, result.rule[i, :n]),
            _Names(SIGNALS, result.signal[i, :n]),
            VARIATIONS[result.variation[i]],
            None if code < 0 else ASSURANCES[code],
        )
    return out


class _Names(Sequence[str]):
    """Batch codes read as names on demand: the summary reads a few of 260."""

    def __init__(self, names: Sequence[str], codes: np.ndarray) -> None:
        self.names, self.codes = names, codes

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, i: Any) -> Any:
        return self.names[self.codes[i]]


class _LazyLabels(Sequence[str]):
    """Period labels made on demand."""

    def __init__(self, measure: Measure, periods: Sequence[datetime.date]) -> None:
        self.measure = measure
        self.periods = periods

    def __len__(self) -> int:
        return len(self.periods)

    def __getitem__(self, i: Any) -> Any:
        return period_label(self.measure, self.periods[i])


#: How long a measure's overview line is kept; it is also replaced as soon as the
#: measure or its data change (the key names both).
STATUS_CACHE_SECONDS = 24 * 3600


def _status_key(measure: Measure, breaks: Sequence[datetime.date]) -> str:
    """The cache key of a measure's overview line: changes whenever anything it reads does.

    ``updated_at`` moves on every change to the measure, its data points and its
    phase breaks (see openqi/measures/apps.py); code that writes data points
    without the ORM must move it too (the demo's bulk insert does).
    """
    raw = "|".join(
        str(part)
        for part in (
            measure.pk,
            measure.updated_at.isoformat(),
            ",".join(b.isoformat() for b in breaks),
            measure.chart_type,
            measure.target,
            measure.improvement,
            measure.multiplier,
            measure.frequency,
            measure.name,
        )
    )
    return "openqi:measure-status:" + hashlib.sha256(raw.encode()).hexdigest()


def _cached_fields(status: MeasureStatus) -> tuple[Any, ...]:
    return (
        status.variation,
        status.assurance,
        status.latest_value,
        status.latest_period,
        status.phrase,
        status.group,
        status.rank,
    )


def measures_overview(
    organisation: Organisation, *, batch: bool = True
) -> list[MeasureStatus]:
    """Every measure of the organisation, concerns first, with its linked projects.

    Each measure's line is cached until the measure or its data change, so a
    board member opening the overview does not recompute 500 charts; only the
    measures whose data changed since are computed again.
    """
    # Related rows are grouped by hand: prefetch_related builds a queryset per
    # measure, which cost more than the rest of the page for 500 measures.
    measures = list(
        Measure.objects.for_organisation(organisation).select_related("unit")
    )
    breaks: dict[int, list[datetime.date]] = defaultdict(list)
    for measure_id, period in (
        PhaseBreak.objects.for_organisation(organisation)
        .order_by("period")
        .values_list("measure_id", "period")
    ):
        breaks[measure_id].append(period)
    links: dict[int, list[ProjectMeasure]] = defaultdict(list)
    for link in (
        ProjectMeasure.objects.filter(measure__organisation=organisation)
        .select_related("project")
        .order_by("project__title")
    ):
        links[link.measure_id].append(link)
    keys = {m.pk: _status_key(m, breaks[m.pk]) for m in measures}
    cached = cache.get_many(list(keys.values()))
    missing = [m for m in measures if keys[m.pk] not in cached]
    fresh: dict[int, MeasureStatus] = {}
    if missing:
        prefetch_related_objects(missing, "phase_breaks")
        series = load_series(
            DataPoint.objects.filter(measure__in=[m.pk for m in missing])
        )
        fresh = measure_statuses(missing, series, batch=batch)
        cache.set_many(
            {keys[pk]: _cached_fields(status) for pk, status in fresh.items()},
            STATUS_CACHE_SECONDS,
        )
    out = []
    for measure in measures:
        status = fresh.get(measure.pk) or MeasureStatus(
            measure, *cached[keys[measure.pk]]
        )
        status.projects.extend(links[measure.pk])
        out.append(status)
    out.sort(key=lambda s: s.sort_key)
    return out
