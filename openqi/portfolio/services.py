"""The portfolio: every project of an organisation, filtered and counted, a page
at a time with each project's suggested rating and outcome icons.

Built for the large organisation (2,000 projects): filters and counts are
database queries, and a page of projects is fetched with a fixed number of
queries whatever its size; its measures' charts are read from their stored
summaries (:mod:`openqi.measures.summaries`), never computed here. The
priority × unit matrix is :mod:`openqi.portfolio.matrix`; the measures overview
is the measures app's (:mod:`openqi.measures.overview`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery

from openqi.improvement.models import DriverNode, PDSACycle
from openqi.measures.models import ChartSummary, Measure
from openqi.measures.summaries import summaries_for
from openqi.organisations.models import Organisation, Unit
from openqi.projects.models import (
    PROGRESS_SCALE,
    ProgressRating,
    Project,
    ProjectMeasure,
)
from openqi.projects.progress import Suggestion, suggest_rating
from openqi.strategy.models import StrategicPriority

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
        projects = projects.filter(priorities=int(filters.priority))
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
        projects = projects.filter(team_score__gte=filters.score_min)  # type: ignore[misc]  # team_score is with_latest_ratings' annotation, unseen by the plugin
    if filters.score_max is not None:
        projects = projects.filter(team_score__lte=filters.score_max)  # type: ignore[misc]  # as above
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
        .values_list("team_score")  # type: ignore[misc]  # an annotation, as above
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
    (the measures' chart summaries come in one more, in :func:`portfolio_rows`)."""
    links = ProjectMeasure.objects.select_related("measure")
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


def portfolio_rows(projects: Iterable[Project]) -> list[PortfolioRow]:
    """One row per project of a page fetched with :func:`page_queryset`.

    The outcome and process measures' stored chart summaries come in one query,
    shared by the suggestions and the icons; no chart is computed.
    """
    projects = list(projects)
    charted = {
        link.measure_id: link.measure
        for project in projects
        for link in project.measure_links.all()
        if link.role != ProjectMeasure.Role.BALANCING
    }
    stored = summaries_for(list(charted.values()))
    summaries: dict[int, ChartSummary | None] = {pk: stored.get(pk) for pk in charted}
    rows = []
    for project in projects:
        outcomes = [
            OutcomeIcon(
                link.measure,
                (summary.variation or None) if summary else None,
                (summary.assurance or None) if summary else None,
            )
            for link in project.measure_links.all()
            if link.role == ProjectMeasure.Role.OUTCOME
            and ((summary := summaries[link.measure_id]) or True)
        ]
        rows.append(
            PortfolioRow(
                project,
                _decimal(getattr(project, "team_score", None)),
                _decimal(getattr(project, "coach_score", None)),
                suggest_rating(project, summaries=summaries),
                outcomes,
            )
        )
    return rows


def _decimal(value: Any) -> Decimal | None:
    # SQLite hands back floats for a Subquery over a DecimalField.
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.1"))
