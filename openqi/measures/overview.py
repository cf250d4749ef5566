"""The measures overview: every measure of an organisation with its Making Data
Count icons and its latest signal in words, concerns first (problem sensing).

Built for the large organisation (500 measures of five years' weekly data): the
data come in one query (:mod:`openqi.measures.overview_series`), XmR charts of
the whole organisation are computed in one :func:`openqi.spc.xmr_batch` call,
which gives what ``chart_for`` gives (the tests hold the two to the same
answers), and each measure's line is cached until the measure or its data change.
The signals are told in the words of :mod:`openqi.spc.explain`.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
from django.core.cache import cache
from django.db.models import Model, prefetch_related_objects

from openqi.organisations.models import Organisation
from openqi.spc import ASSURANCES, RULES, SIGNALS, VARIATIONS, ChartResult, xmr_batch
from openqi.spc.explain import period_words, rule_words, signal_words

from .models import DataPoint, Measure, PhaseBreak
from .overview_series import Series, load_series
from .services import chart_for, period_label

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
    #: The measure's links to projects (``ProjectMeasure`` rows, with ``project``).
    projects: list[Any] = field(default_factory=list)

    @property
    def sort_key(self) -> tuple[int, int, str]:
        order = [g for g, _ in GROUPS].index(self.group)
        return (order, self.rank, self.measure.name.lower())


def _centre_name(chart_type: str) -> str:
    return "median" if chart_type in ("run", "g") else "mean"


#: The run length of the shift and trend rules: spc's default, which every
#: measure's chart uses.
RULE_LENGTH = 7


def _rule_words(rule: str, side: str, chart_type: str) -> str:
    """What the latest point's rule found, in :mod:`openqi.spc.explain`'s words."""
    # A run chart's long run depends on its length (the Anhøj rules), not on 7.
    length = 0 if chart_type == "run" else RULE_LENGTH
    finding = rule_words(rule, side == "high", _centre_name(chart_type), length)
    part_of = "part of " if rule in ("shift", "trend") else ""
    return f"the latest point is {part_of}{finding}"


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
        opening = signal_words(signals[last]).capitalize()
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


def _project_links() -> type[Model]:
    """The projects app's ``ProjectMeasure``, found through the reverse relation:
    projects sit above measures, so measures do not import them."""
    return Measure._meta.get_field("project_links").related_model


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
    links: dict[int, list[Any]] = defaultdict(list)
    for link in (
        _project_links()
        ._default_manager.filter(measure__organisation=organisation)
        .select_related("project")
        .order_by("project__title")
    ):
        links[link.measure_id].append(link)  # type: ignore[attr-defined]  # ProjectMeasure, not imported here
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
