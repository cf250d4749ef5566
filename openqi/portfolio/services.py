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

from openqi.audit.kept import kept
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
from openqi.projects.progress import Counts, Suggestion, counts_from, suggest_rating
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
    return _with_team_score(projects).annotate(
        coach_score=_latest_score(ProgressRating.RatedBy.COACH)
    )


def filter_projects(
    organisation: Organisation,
    filters: Filters,
    trees: Mapping[int, set[int]] | None = None,
) -> QuerySet[Project]:
    """The organisation's projects that pass ``filters`` (annotated with
    ``team_score``, the latest team rating, only when a rating filter needs it:
    it is a subquery per project).

    A unit filter takes in every unit beneath the unit (a division's projects are
    those of its directorates and teams too); ``trees`` is :func:`subtrees`.
    """
    projects: QuerySet[Project] = Project.objects.for_organisation(organisation)
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
    if filters.score_min is not None or filters.score_max is not None:
        projects = _with_team_score(projects)
    if filters.score_min is not None:
        projects = projects.filter(team_score__gte=filters.score_min)  # type: ignore[misc]  # team_score is _with_team_score's annotation, unseen by the plugin
    if filters.score_max is not None:
        projects = projects.filter(team_score__lte=filters.score_max)  # type: ignore[misc]  # as above
    return projects


def _with_team_score(projects: QuerySet[Project]) -> QuerySet[Project]:
    if "team_score" in projects.query.annotations:
        return projects
    return projects.annotate(team_score=_latest_score(ProgressRating.RatedBy.TEAM))


@dataclass(frozen=True)
class Option:
    """One option of a filter with the number of projects it would show."""

    text: str
    count: int
    query: dict[str, str] | None
    is_current: bool = False


@dataclass
class Facets:
    #: Projects that pass every filter.
    total: int = 0
    status: list[Option] = field(default_factory=list)
    method: list[Option] = field(default_factory=list)
    priority: list[Option] = field(default_factory=list)
    unit: list[Option] = field(default_factory=list)
    rating: list[Option] = field(default_factory=list)


# --------------------------------------------------------------------------- counts
#
# The counts are the page's dearest part (four grouped queries over every project
# of the organisation, one with a subquery per project), and they change only
# when the organisation's data do: they are kept under its data version
# (openqi.audit.kept). Every change to what they read (projects, their priorities
# and units, ratings, units, priorities) goes on the audit trail.

#: Part of every key: a release that changes what is kept changes this.
_COUNTS_FORMAT = 1


def facet_counts(
    organisation: Organisation,
    filters: Filters,
    nodes: Sequence[UnitRow],
    priorities: Sequence[StrategicPriority],
) -> Facets:
    """For each filter, how many projects each option would show, the other filters
    kept as they are, and how many pass them all: four grouped queries (status
    and method share one) whatever the number of projects, kept in the shared
    cache until the organisation's data change."""
    trees = subtrees(nodes)

    def grouped(without: Filters, *columns: str) -> list[tuple[Any, ...]]:
        projects = filter_projects(organisation, without, trees)
        if "team_score" in columns:
            projects = _with_team_score(projects)
        return list(
            projects.order_by()
            .values_list(*columns)
            .annotate(n=Count("pk", distinct=True))
        )

    def compute() -> dict[str, list[tuple[Any, ...]]]:
        without_score = filters.without("score_min").without("score_max")
        return {
            "pairs": grouped(
                filters.without("status").without("method"), "status", "method"
            ),
            "priority": grouped(filters.without("priority"), "priorities"),
            "unit": grouped(filters.without("unit"), "unit"),
            "score": [
                (None if s is None else str(_decimal(s)), n)
                for s, n in grouped(without_score, "team_score")
            ],
        }

    query = "&".join(f"{k}={v}" for k, v in sorted(filters.query().items()))
    counts = kept(
        organisation.pk, f"portfolio-counts:{_COUNTS_FORMAT}:{query}", compute
    )
    facets = Facets()
    # Status and method from one query: every (status, method) pair's count with
    # both filters left out, then each counted with the other's filter applied.
    pairs = counts["pairs"]
    by_status: Counter[str] = Counter()
    by_method: Counter[str] = Counter()
    for status, method, n in pairs:
        if not filters.method or method == filters.method:
            by_status[status] += n
        if not filters.status or status == filters.status:
            by_method[method] += n
            if not filters.method or method == filters.method:
                facets.total += n
    for value, text in Project.Status.choices:
        facets.status.append(
            Option(
                text,
                by_status[value],
                filters.query(status=value),
                filters.status == value,
            )
        )
    for value, text in Project.Method.choices:
        facets.method.append(
            Option(
                text,
                by_method[value],
                filters.query(method=value),
                filters.method == value,
            )
        )
    by_priority = Counter(dict(counts["priority"]))
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
    by_unit = Counter(dict(counts["unit"]))
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
    by_score = Counter(
        {None if s is None else Decimal(s): n for s, n in counts["score"]}
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
    """``projects`` with everything :func:`~openqi.projects.progress.suggest_rating`
    reads, through ``prefetch_related`` (for a project or a few; a page of the
    portfolio uses :func:`page_rows`, which reads the same in fewer steps)."""
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


#: What a row of the portfolio reads of a project, its unit and its lead.
_ROW_FIELDS = (
    "id",
    "organisation",
    "unit",
    "lead",
    "title",
    "aim_what",
    "status",
    "start_date",
    "unit__name",
    "lead__full_name",
    "lead__email",
)


def page_rows(projects: QuerySet[Project]) -> list[PortfolioRow]:
    """The rows of a page of projects (``projects``: ordered and sliced), in seven
    queries whatever its size: the projects with their unit and lead, their
    ratings, their team members', driver diagram nodes' and PDSA cycles' ids and
    kinds (counted, not built into models), their measure links, and the
    measures' stored chart summaries."""
    page = list(projects.select_related("unit", "lead").only(*_ROW_FIELDS))
    _read_latest_ratings(page)
    counts = _read_counts(page)
    _read_links(page)
    return portfolio_rows(page, counts=counts)


def _read_latest_ratings(projects: Sequence[Project]) -> None:
    """Set ``team_score`` and ``coach_score`` (as :func:`with_latest_ratings`
    annotates them) from one query of the projects' ratings, oldest first."""
    latest: dict[tuple[int, str], Any] = {}
    ratings = (
        ProgressRating.objects.filter(project_id__in=[p.pk for p in projects])
        .order_by("rated_on", "pk")
        .values_list("project_id", "rated_by", "score")
    )
    for project_id, rated_by, score in ratings:
        latest[project_id, rated_by] = score
    for project in projects:
        project.team_score = latest.get((project.pk, ProgressRating.RatedBy.TEAM))  # type: ignore[attr-defined]  # what with_latest_ratings annotates
        project.coach_score = latest.get((project.pk, ProgressRating.RatedBy.COACH))  # type: ignore[attr-defined]  # as above


def _read_counts(projects: Sequence[Project]) -> dict[int, Counts]:
    """Each project's numbers of team members, driver diagram nodes of each kind
    and PDSA cycles of each stage and decision (what the suggestion reads of
    them), from their ids, kinds and stages alone (no model instances)."""
    ids = [p.pk for p in projects]
    members = Counter(
        Project.team.through.objects.filter(project_id__in=ids).values_list(
            "project_id", flat=True
        )
    )
    kinds: dict[int, Counter[str]] = defaultdict(Counter)
    nodes = DriverNode.objects.filter(project_id__in=ids).order_by()
    for project_id, kind in nodes.values_list("project_id", "kind"):
        kinds[project_id][kind] += 1
    stages: dict[int, list[tuple[str, str, int]]] = defaultdict(list)
    cycles = PDSACycle.objects.filter(project_id__in=ids).order_by()
    for project_id, stage, act in cycles.values_list("project_id", "stage", "act"):
        stages[project_id].append((stage, act, 1))
    return {
        pk: counts_from(members[pk], kinds.get(pk, {}), stages.get(pk, ()))
        for pk in ids
    }


def _read_links(projects: Sequence[Project]) -> None:
    """Read the projects' measure links with their measures in one query, and keep
    them where ``prefetch_related`` would (without the queryset it builds for
    each project)."""
    found: dict[int, list[ProjectMeasure]] = defaultdict(list)
    links = (
        ProjectMeasure.objects.filter(project_id__in=[p.pk for p in projects])
        .select_related("measure")
        .only(*_LINK_FIELDS)
    )
    for link in links:
        found[link.project_id].append(link)
    for project in projects:
        cache = project.__dict__.setdefault("_prefetched_objects_cache", {})
        cache["measure_links"] = found.get(project.pk, [])


#: What the suggestion and the icons read of a linked measure (``updated_at``
#: says whether its stored summary is current).
_LINK_FIELDS = (
    "project",
    "measure",
    "role",
    "measure__organisation",
    "measure__name",
    "measure__frequency",
    "measure__updated_at",
)


def portfolio_rows(
    projects: Iterable[Project], *, counts: Mapping[int, Counts] | None = None
) -> list[PortfolioRow]:
    """One row per project of a page fetched with :func:`page_queryset` (or read
    by :func:`page_rows`, which gives each project's ``counts``).

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
                suggest_rating(
                    project,
                    summaries=summaries,
                    counts=None if counts is None else counts[project.pk],
                ),
                outcomes,
            )
        )
    return rows


def _decimal(value: Any) -> Decimal | None:
    # SQLite hands back floats for a Subquery over a DecimalField.
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.1"))
