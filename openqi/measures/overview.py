"""The measures overview: every measure of an organisation with its Making Data
Count icons and its latest signal in words, concerns first (problem sensing).

Built for the large organisation (500 measures of five years' weekly data): the
page reads each measure's stored chart summary (:mod:`openqi.measures.summaries`,
computed when the data change) in one query and computes no chart.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model

from openqi.organisations.models import Organisation
from openqi.spc import ChartResult

from .models import ChartSummary, Measure
from .summaries import Brief, briefs_for, summary_from_chart

#: The overview's groups, concerns first (problem sensing).
GROUPS: list[tuple[str, str]] = [
    ("concern", "Concerns: special cause concern or failing the target"),
    ("inconsistent", "Not assured: hitting and missing the target at random"),
    ("common_cause", "Common cause: no signal"),
    ("improvement", "Improving: special cause improvement"),
    ("no_data", "No chart yet"),
]
_ORDER = {key: i for i, (key, _) in enumerate(GROUPS)}


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
    #: The measure's links to projects (``ProjectMeasure`` rows, with ``project``).
    projects: list[Any] = field(default_factory=list)

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


def _project_links() -> type[Model]:
    """The projects app's ``ProjectMeasure``, found through the reverse relation:
    projects sit above measures, so measures do not import them."""
    return Measure._meta.get_field("project_links").related_model


def measures_overview(organisation: Organisation) -> list[MeasureStatus]:
    """Every measure of the organisation, concerns first, with its linked projects:
    three queries (measures, their summaries, their project links)."""
    measures = list(
        Measure.objects.for_organisation(organisation)
        .select_related("unit")
        .only(
            "id",
            "organisation_id",
            "name",
            "unit_label",
            "updated_at",
            "unit__id",
            "unit__name",
        )
    )
    summaries = briefs_for(measures)
    links: dict[int, list[Any]] = defaultdict(list)
    for link in (
        _project_links()
        ._default_manager.filter(measure__organisation=organisation)
        .select_related("project")
        .only("measure_id", "role", "project__id", "project__title")
        .order_by("project__title")
    ):
        links[link.measure_id].append(link)  # type: ignore[attr-defined]  # ProjectMeasure, not imported here
    out = []
    for measure in measures:
        status = status_from_summary(measure, summaries[measure.pk])
        status.projects.extend(links[measure.pk])
        out.append(status)
    out.sort(key=lambda s: s.sort_key)
    return out
