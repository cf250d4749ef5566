"""The measures overview: every measure of an organisation with its Making Data
Count icons and its latest signal in words, concerns first (problem sensing).

Built for the large organisation (500 measures of five years' weekly data): the
page reads each measure's stored chart summary (:mod:`openqi.measures.summaries`,
computed when the data change) and computes no chart. It shows a page of
:data:`PAGE_SIZE` measures at a time, in the overview's order, with how many
measures each group holds; the order, the counts and the page are database
queries, so the page costs the same for 50 measures as for 5,000.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, F, IntegerField, Model, Q, QuerySet, When
from django.db.models.functions import Lower

from openqi.organisations.models import Organisation
from openqi.spc import ChartResult

from .models import ChartSummary, Measure
from .summaries import ENGINE, Brief, refresh_summaries, summary_from_chart

#: The overview's groups, concerns first (problem sensing).
GROUPS: list[tuple[str, str]] = [
    ("concern", "Concerns: special cause concern or failing the target"),
    ("inconsistent", "Not assured: hitting and missing the target at random"),
    ("common_cause", "Common cause: no signal"),
    ("improvement", "Improving: special cause improvement"),
    ("no_data", "No chart yet"),
]
_ORDER = {key: i for i, (key, _) in enumerate(GROUPS)}
#: A group's name alone ("Concerns"), for links and counts.
GROUP_NAMES = {key: heading.split(":")[0] for key, heading in GROUPS}
#: Measures shown on one page of the overview.
PAGE_SIZE = 50


@dataclass(frozen=True)
class ProjectLink:
    """A project a measure is linked to, and the measure's role in it."""

    project_id: int
    title: str
    role: str


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
    #: The projects the measure is linked to, by title.
    projects: list[ProjectLink] = field(default_factory=list)
    #: The last points, [period label, value, signal] each (its sparkline).
    sparkline: list[Any] = field(default_factory=list)

    @property
    def sort_key(self) -> tuple[int, int, str]:
        return (_ORDER[self.group], self.rank, self.measure.name.lower())


def status_from_summary(
    measure: Measure, summary: ChartSummary | Brief
) -> MeasureStatus:
    return MeasureStatus(
        measure,
        summary.variation or None,
        summary.assurance or None,
        summary.latest_value,
        summary.latest_period,
        summary.phrase,
        summary.group,
        summary.rank,
    )


def status_from_chart(measure: Measure, chart: ChartResult | None) -> MeasureStatus:
    """The overview line of a chart computed here (the tests compare the two)."""
    return status_from_summary(measure, summary_from_chart(measure, chart))


# --------------------------------------------------------------------------- queries


def _project_links() -> type[Model]:
    """The projects app's ``ProjectMeasure``, found through the reverse relation:
    projects sit above measures, so measures do not import them."""
    return Measure._meta.get_field("project_links").related_model


#: A measure whose summary is missing, from another engine or older than the measure.
_STALE = (
    Q(chart_summary__isnull=True)
    | ~Q(chart_summary__engine=ENGINE)
    | Q(chart_summary__computed_at__lt=F("updated_at"))
)
_GROUP_ORDER = Case(
    *(When(chart_summary__group=key, then=i) for key, i in _ORDER.items()),
    default=len(GROUPS),
    output_field=IntegerField(),
)
#: What a row reads of a measure and its summary.
_ROW_FIELDS = (
    "id",
    "organisation_id",
    "name",
    "unit_label",
    "unit__id",
    "unit__name",
    # the summary's fields status_from_summary reads, and the sparkline's points
    *(f"chart_summary__{name}" for name in Brief._fields),
    "chart_summary__sparkline",
)


def _measures(organisation: Organisation, search: str = "") -> QuerySet[Measure]:
    measures = Measure.objects.for_organisation(organisation)
    if search:
        measures = measures.filter(
            Q(name__icontains=search) | Q(unit__name__icontains=search)
        )
    return measures


def group_counts(measures: QuerySet[Measure]) -> dict[str, int]:
    """How many of ``measures`` each group holds, after bringing any missing or
    stale summary up to date (computed once, then stored): one query, two more
    when a summary had to be computed."""

    def count() -> tuple[dict[str, int], int]:
        rows = (
            measures.order_by()
            .values_list("chart_summary__group")
            .annotate(n=Count("pk"), stale=Count("pk", filter=_STALE))
        )
        counts: dict[str, int] = dict.fromkeys(_ORDER, 0)
        stale = 0
        for group, n, s in rows:
            key = group if group in counts else "no_data"
            counts[key] += n
            stale += s
        return counts, stale

    counts, stale = count()
    if stale:
        refresh_summaries(
            list(measures.filter(_STALE).values_list("pk", flat=True)), lock=False
        )
        counts, _ = count()
    return counts


def _links_for(measure_ids: Sequence[int]) -> dict[int, list[ProjectLink]]:
    """Each measure's project links, by project title: one query."""
    model = _project_links()
    roles: dict[str, str] = dict(getattr(model._meta.get_field("role"), "choices", []))
    out: dict[int, list[ProjectLink]] = defaultdict(list)
    rows = (
        model._default_manager.filter(measure_id__in=measure_ids)
        .order_by("project__title", "project_id")
        .values_list("measure_id", "project_id", "project__title", "role")
    )
    for measure_id, project_id, title, role in rows:
        out[measure_id].append(ProjectLink(project_id, title, roles.get(role, role)))
    return out


def _in_order(measures: QuerySet[Measure]) -> QuerySet[Measure]:
    """``measures`` in the overview's order, with what a row reads."""
    return (
        measures.select_related("unit", "chart_summary")
        .only(*_ROW_FIELDS)
        .order_by(_GROUP_ORDER, "chart_summary__rank", Lower("name"), "pk")
    )


def _statuses(measures: QuerySet[Measure]) -> list[MeasureStatus]:
    """The statuses of ``measures`` (from :func:`_in_order`, summaries up to date),
    with their project links: two queries."""
    rows = list(measures)
    links = _links_for([m.pk for m in rows])
    out = []
    for measure in rows:
        # Every summary is brought up to date first; one missing means the
        # measure was added since, and it shows as having no chart yet.
        summary = getattr(measure, "chart_summary", None)
        status = (
            status_from_summary(measure, summary)
            if summary is not None
            else MeasureStatus(measure, None, None, None, "", "", "no_data", 0)
        )
        status.projects.extend(links[measure.pk])
        if summary is not None:
            status.sparkline.extend(summary.sparkline)
        out.append(status)
    return out


def measures_overview(organisation: Organisation) -> list[MeasureStatus]:
    """Every measure of the organisation, concerns first, with its linked projects."""
    measures = _measures(organisation)
    group_counts(measures)
    return _statuses(_in_order(measures))


# --------------------------------------------------------------------------- a page


@dataclass(frozen=True)
class Section:
    """The measures of one group on a page: ``first``..``last`` of the group's
    ``total`` (numbered from 1)."""

    key: str
    heading: str
    total: int
    first: int
    statuses: list[MeasureStatus]

    @property
    def last(self) -> int:
        return self.first + len(self.statuses) - 1

    @property
    def is_whole(self) -> bool:
        return len(self.statuses) == self.total


@dataclass(frozen=True)
class OverviewPage:
    """One page of the overview."""

    counts: dict[str, int]
    #: How many measures the search and group filter leave.
    total: int
    page: Page[Any]
    sections: list[Section]


def overview_page(
    organisation: Organisation,
    *,
    search: str = "",
    group: str = "",
    page: Any = None,
) -> OverviewPage:
    """The page ``page`` of the organisation's measures whose name or unit holds
    ``search``, in ``group`` (any when ""), concerns first: the group counts (one
    query), the page's measures with their summaries (one) and its project links
    (one), whatever the number of measures."""
    measures = _measures(organisation, search)
    counts = group_counts(measures)
    groups = [group] if group in counts else list(counts)
    total = sum(counts[key] for key in groups)
    # The counts give the length: the paginator needs no query of its own.
    numbered = Paginator(range(total), PAGE_SIZE).get_page(page)
    statuses: list[MeasureStatus] = []
    if total:
        if group in counts:
            measures = measures.filter(chart_summary__group=group)
        start = numbered.start_index() - 1
        statuses = _statuses(_in_order(measures)[start : numbered.end_index()])
    # Where each group starts in the overview's order, to number its rows.
    starts: dict[str, int] = {}
    position = 0
    for key in groups:
        starts[key] = position
        position += counts[key]
    sections: list[Section] = []
    for index, status in enumerate(statuses, start=numbered.start_index() - 1):
        if not sections or sections[-1].key != status.group:
            sections.append(
                Section(
                    status.group,
                    dict(GROUPS)[status.group],
                    counts[status.group],
                    index - starts[status.group] + 1,
                    [],
                )
            )
        sections[-1].statuses.append(status)
    return OverviewPage(counts, total, numbered, sections)
