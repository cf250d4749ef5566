"""Chart summaries: each measure's chart computed when its data change, and the
part the pages show stored in :class:`~openqi.measures.models.ChartSummary`.

The measures overview, the measures list, the portfolio and the suggested
progress rating read stored summaries (:func:`summaries_for`); none computes a
chart when a page is read. Every change that can move a chart recomputes the
measure's summary:

- a data point, phase break or measure saved or deleted through the ORM (the
  page forms, the API, the admin, a shell) — the signals wired in
  ``apps.py`` call :func:`measure_changed`;
- bulk writes (an import's commit and the API's bulk upsert,
  ``services.save_rows``; the demo's inserts) call :func:`refresh_summaries`
  once for the lot;
- a service that makes several changes at once runs them inside
  :func:`deferred`, so the measure is computed once, at the end.

The summary is written in the same database transaction as the change, so a
write that is rolled back leaves no summary behind, and a reader never sees data
and summary disagree. :func:`refresh_summaries` locks the measures' rows first
(``SELECT … FOR UPDATE`` on PostgreSQL), so two writers of one measure compute
one after the other and the later summary sees both changes.

Many measures at once (an organisation's rebuild, ``manage.py
rebuild_chart_summaries``): the data come in one query
(:func:`~openqi.measures.overview_series.load_series`), every XmR, p, u, p′
and u′ chart of one phase with every point counted and more than a dozen
points, and every run chart of one phase with every point counted, goes through
one :func:`openqi.spc.xmr_batch`, :func:`openqi.spc.p_batch`,
:func:`openqi.spc.u_batch`, :func:`openqi.spc.pp_batch`,
:func:`openqi.spc.up_batch` or :func:`openqi.spc.run_batch` call per chart (a
run chart of a ratio and one of plain values apart), and the rest (c, g, t,
phases, left-out points, fixed limits, short series) through ``chart_for`` one
by one (the tests hold both to the same answers). The signals are told in the
words of :mod:`openqi.spc.explain`.
"""

from __future__ import annotations

import datetime
import math
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple, cast

import numpy as np
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

import openqi
from openqi.audit.kept import data_changed
from openqi.spc import (
    ASSURANCES,
    RULES,
    SIGNALS,
    VARIATIONS,
    ChartResult,
    p_batch,
    pp_batch,
    run_batch,
    u_batch,
    up_batch,
    xmr_batch,
)
from openqi.spc.batch_attribute import invalid_series
from openqi.spc.charts import FEW_POINTS
from openqi.spc.explain import episodes, period_words, rule_words, signal_words

from .charts import chart_for, period_label
from .export_series import KEEP_FACTS_FROM, facts_of_series
from .models import ChartSummary, DataPoint, Measure
from .overview_series import Series, load_series

__all__ = [
    "ENGINE",
    "Brief",
    "briefs_for",
    "SPARKLINE_POINTS",
    "deferred",
    "measure_changed",
    "progress_facts",
    "refresh_organisation",
    "refresh_summaries",
    "summaries_for",
    "summary_from_chart",
]

#: Bumped whenever what a summary holds, or how it is worked out, changes; with
#: the version of OpenQI it stamps every summary (``ChartSummary.engine``).
SUMMARY_FORMAT = 1
ENGINE = f"openqi {openqi.__version__}; summary {SUMMARY_FORMAT}"
#: Points kept for a sparkline.
SPARKLINE_POINTS = 24
#: Measures computed (and written) together.
BATCH = 500
#: The run length of the shift and trend rules: spc's default, which every
#: measure's chart uses.
RULE_LENGTH = 7
_UNJUDGED = frozenset({"common_cause"})


# ---------------------------------------------------------------------------
# The latest signal in words


def _centre_name(chart_type: str) -> str:
    return "median" if chart_type in ("run", "g") else "mean"


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


def verdict(
    measure: Measure,
    periods: Sequence[str],
    last: int,
    rules: Sequence[str],
    signals: Sequence[str],
    variation: str,
    assurance: str | None,
) -> tuple[str, str, int]:
    """The latest signal in a phrase, and the overview group and rank it sorts into."""
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
        words = _rule_words(rules[last], side, measure.chart_type)
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
        rank = (
            0
            if is_concern and assurance == "consistent_fail"
            else (1 if is_concern else 2)
        )
        return phrase, "concern", rank
    if assurance == "inconsistent":
        return phrase, "inconsistent", 0
    if variation.startswith("improvement"):
        return phrase, "improvement", 0
    return phrase, "common_cause", 0 if variation == "common_cause" else 1


# ---------------------------------------------------------------------------
# A summary from one chart


def _finite(value: float) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def _sparkline(
    labels: Sequence[str], values: np.ndarray, signals: Sequence[str]
) -> list[list[Any]]:
    start = max(0, len(values) - SPARKLINE_POINTS)
    return [
        [labels[i], _finite(values[i]), signals[i]] for i in range(start, len(values))
    ]


def progress_facts(chart: ChartResult) -> dict[str, Any]:
    """What the suggested progress rating reads of a chart (openqi.projects.progress):
    the direction of improvement, the latest point's signal and period, the latest
    phase (its index, first period and centre), the first phase's centre, and the
    latest phase's improvement and concern episodes as [signal, start, end, first
    period, last period]."""
    valid = np.flatnonzero(~np.isnan(chart.values))
    last = int(valid[-1])
    k = int(chart.phase[last])
    return {
        "improvement": chart.improvement,
        "last_signal": chart.signal[last],
        "last_period": chart.periods[last],
        "phase": k,
        "phase_first_period": chart.phases[k].first_period,
        "phase_centre": _finite(chart.phases[k].centre),
        "baseline_centre": _finite(chart.phases[0].centre),
        "episodes": [
            [s.signal, s.start, s.end, s.first_period, s.last_period]
            for s in chart.signals
            if s.phase == k and s.signal in ("improvement", "concern")
        ],
    }


def _no_chart(measure: Measure, why: str) -> ChartSummary:
    return ChartSummary(
        measure=measure,
        phrase=why,
        group="no_data",
        computed_at=timezone.now(),
        engine=ENGINE,
    )


def summary_from_chart(
    measure: Measure, chart: ChartResult | None, *, why: str = "No data yet."
) -> ChartSummary:
    """The (unsaved) summary of ``chart``, the measure's chart from ``chart_for``;
    ``why`` says why there is none when ``chart`` is None."""
    if chart is None:
        return _no_chart(measure, why)
    values = chart.values
    valid = np.flatnonzero(~np.isnan(values))
    if not valid.size:
        return _no_chart(measure, why)
    last = int(valid[-1])
    phrase, group, rank = verdict(
        measure,
        chart.periods,
        last,
        chart.rule,
        chart.signal,
        chart.variation,
        chart.assurance,
    )
    return ChartSummary(
        measure=measure,
        chart=chart.chart,
        variation=chart.variation,
        assurance=chart.assurance or "",
        latest_value=float(values[last]),
        latest_period=chart.periods[last],
        phrase=phrase,
        group=group,
        rank=rank,
        n_points=int(valid.size),
        warnings=list(chart.warnings),
        sparkline=_sparkline(chart.periods, values, chart.signal),
        progress=progress_facts(chart),
        computed_at=timezone.now(),
        engine=ENGINE,
    )


def _one_by_one(measure: Measure, data: Series) -> ChartSummary:
    try:
        chart = chart_for(measure, cast(Sequence[DataPoint], data.points()))
    except ValueError as error:
        return _no_chart(measure, str(error))
    return summary_from_chart(measure, chart)


# ---------------------------------------------------------------------------
# Many summaries at once


class _Labels(Sequence[str]):
    """Period labels made on demand: a summary reads a few of a long series."""

    def __init__(self, measure: Measure, periods: Sequence[datetime.date]) -> None:
        self.measure = measure
        self.periods = periods
        self.made: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self.periods)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if i not in self.made:
            self.made[i] = period_label(self.measure, self.periods[i])
        return self.made[i]


#: The batch's signal code for a high point, by improvement (see openqi.spc.batch).
_HIGH_SIGNAL = {"neither": 3, "increase": 1, "decrease": 2}
_RULE_NAMES = np.array(RULES, dtype=object)
_SIGNAL_NAMES = np.array(SIGNALS, dtype=object)


#: The charts with a batch form (openqi.spc.xmr_batch, p_batch, u_batch,
#: pp_batch, up_batch, run_batch).
_BATCH_CHARTS = frozenset({"xmr", "p", "u", "pp", "up", "run"})
#: The attribute charts, computed by openqi.spc.batch_attribute.
_ATTRIBUTE_CHARTS = ("p", "u", "pp", "up")


def _batch_chart(measure: Measure, data: Series, has_breaks: bool) -> str | None:
    """The measure's chart ("xmr", "p", "u", "pp", "up" or "run") when a batch
    form can compute it, else None.

    A batch chart is one phase with every point counted and limits from all of
    them: phase breaks, left-out points and fixed limits need chart_for, and so
    does a short series with limits (its chart carries a warning the batch does
    not give; a run chart has no limits and no such warning). The chart is the
    one stored on the measure (``chart_for`` reads the same): an automatic p or
    u chart that over-dispersion moved to p′ or u′ is stored as p′ or u′
    (``charts.refresh_chart_choice``, after every change) and goes through
    ``pp_batch`` or ``up_batch``. For the attribute charts the points are
    counted in :func:`_attribute_batch`, where the denominators are to hand.
    """
    chart = str(measure.chart_type or Measure.DEFAULT_CHART[Measure.Kind(measure.kind)])
    if (
        chart not in _BATCH_CHARTS
        or measure.fix_after is not None
        or has_breaks
        or data.has_exclusions
    ):
        return None
    if chart == "xmr":
        return chart if _count(data.values) > FEW_POINTS else None
    return chart


def _denominator_matrix(
    measures: Sequence[Measure], series: Mapping[int, Series]
) -> np.ndarray:
    return _padded(
        [np.array(series[m.pk].denominators, dtype=np.float64) for m in measures]
    )


def _count(values: np.ndarray) -> int:
    return int(np.count_nonzero(~np.isnan(values)))


def _padded(rows: Sequence[Sequence[float | None] | np.ndarray]) -> np.ndarray:
    """Series of different lengths as one matrix, NaN-padded at the end."""
    width = max(len(row) for row in rows)
    matrix = np.full((len(rows), width), np.nan)
    for i, row in enumerate(rows):
        matrix[i, : len(row)] = np.asarray(row, dtype=np.float64)
    return matrix


def _batch(
    measures: Sequence[Measure], series: Mapping[int, Series]
) -> dict[int, ChartSummary]:
    """The XmR measures' summaries from one :func:`openqi.spc.xmr_batch` call:
    the same as ``chart_for`` gives one by one."""
    matrix = _padded([series[m.pk].values for m in measures])
    targets = [np.nan if m.target is None else m.target for m in measures]
    result = xmr_batch(
        matrix, improvement=[m.improvement for m in measures], target=targets
    )
    out: dict[int, ChartSummary] = {}
    now = timezone.now()
    for i, measure in enumerate(measures):
        data = series[measure.pk]
        n = len(data.values)
        if math.isnan(float(result.upper[i])):  # no limits: chart_for warns of it
            out[measure.pk] = _one_by_one(measure, data)
            continue
        out[measure.pk] = _batch_summary(
            measure,
            data,
            Measure.ChartType.XMR,
            data.values,
            result.rule[i, :n],
            result.signal[i, :n],
            int(result.variation[i]),
            int(result.assurance[i]),
            float(result.centre[i]),
            [],
            now,
        )
    return out


def _attribute_batch(
    chart: str, measures: Sequence[Measure], series: Mapping[int, Series]
) -> dict[int, ChartSummary]:
    """The p (u, p′, u′) measures' summaries from one :func:`openqi.spc.p_batch`
    (``u_batch``, ``pp_batch``, ``up_batch``) call: the same as ``chart_for``
    gives one by one. Measures with a row the chart refuses (a value without a
    denominator above 0, a numerator above its denominator) or too few points go
    through chart_for, which says why, and so do p′ and u′ measures left without
    limits (no σ_z: chart_for warns of it).
    """
    numerators = _padded([series[m.pk].values for m in measures])
    denominators = _denominator_matrix(measures, series)
    with np.errstate(invalid="ignore", divide="ignore"):
        counts = np.count_nonzero(~np.isnan(numerators / denominators), axis=1)
    usable = (counts > FEW_POINTS) & ~invalid_series(chart, numerators, denominators)
    # Options the chart would refuse (saved past the form's checks): chart_for
    # says what is wrong.
    usable &= np.array([_has_chart_options(m) for m in measures], dtype=bool)
    out: dict[int, ChartSummary] = {
        m.pk: _one_by_one(m, series[m.pk])
        for m, ok in zip(measures, usable.tolist(), strict=True)
        if not ok
    }
    kept = [m for m, ok in zip(measures, usable.tolist(), strict=True) if ok]
    if not kept:
        return out
    # Looked up when called, so that a test can watch each engine.
    engine = {"p": p_batch, "u": u_batch, "pp": pp_batch, "up": up_batch}[chart]
    result = engine(
        numerators[usable],
        denominators[usable],
        improvement=[m.improvement for m in kept],
        target=[np.nan if m.target is None else m.target for m in kept],
        multiply=[m.multiplier for m in kept],
    )
    # A p′ or u′ row without a σ_z has no limits: chart_for warns of it.
    has_limits = ~np.isnan(result.upper).all(axis=1)
    now = timezone.now()
    for i, measure in enumerate(kept):
        data = series[measure.pk]
        n = len(data.values)
        if not has_limits[i]:
            out[measure.pk] = _one_by_one(measure, data)
            continue
        message = result.dispersion_message(i)
        out[measure.pk] = _batch_summary(
            measure,
            data,
            chart,
            result.values[i, :n],
            result.rule[i, :n],
            result.signal[i, :n],
            int(result.variation[i]),
            int(result.assurance[i]),
            float(result.centre[i]),
            [message] if message else [],
            now,
        )
    return out


def _run_batch(
    measures: Sequence[Measure], series: Mapping[int, Series]
) -> dict[int, ChartSummary]:
    """The run chart measures' summaries from :func:`openqi.spc.run_batch`: one
    call for those with a denominator (plotted as a ratio × the multiplier, as
    ``chart_for`` draws them) and one for the rest. Measures with a row the
    chart refuses, or options it would refuse, go through chart_for."""
    out: dict[int, ChartSummary] = {}
    now = timezone.now()
    with_ratio = [m for m in measures if m.has_denominator()]
    plain = [m for m in measures if not m.has_denominator()]
    for group, is_ratio in ((with_ratio, True), (plain, False)):
        if not group:
            continue
        values = _padded([series[m.pk].values for m in group])
        usable = np.array([_has_chart_options(m) for m in group], dtype=bool)
        denominators = None
        if is_ratio:
            denominators = _denominator_matrix(group, series)
            usable &= ~invalid_series("u", values, denominators)
            denominators = denominators[usable]
        for m, ok in zip(group, usable.tolist(), strict=True):
            if not ok:
                out[m.pk] = _one_by_one(m, series[m.pk])
        kept = [m for m, ok in zip(group, usable.tolist(), strict=True) if ok]
        if not kept:
            continue
        result = run_batch(
            values[usable],
            denominators,
            improvement=[m.improvement for m in kept],
            # chart_for scales a run chart only when it plots a ratio.
            multiply=[m.multiplier for m in kept] if is_ratio else 1.0,
        )
        for i, measure in enumerate(kept):
            data = series[measure.pk]
            n = len(data.values)
            out[measure.pk] = _batch_summary(
                measure,
                data,
                "run",
                result.values[i, :n],
                result.rule[i, :n],
                result.signal[i, :n],
                int(result.variation[i]),
                int(result.assurance[i]),
                float(result.centre[i]),
                [],
                now,
            )
    return out


def _has_chart_options(measure: Measure) -> bool:
    return (
        math.isfinite(measure.multiplier)
        and measure.multiplier > 0
        and (measure.target is None or math.isfinite(measure.target))
        and measure.improvement in Measure.Improvement.values
    )


def _batch_summary(
    measure: Measure,
    data: Series,
    chart: str,
    values: np.ndarray,
    rule_codes: np.ndarray,
    signal_codes: np.ndarray,
    variation_code: int,
    assurance_code: int,
    phase_centre: float,
    warnings: list[str],
    now: datetime.datetime,
) -> ChartSummary:
    """A summary from one row of a batch: what summary_from_chart makes of the
    chart ``chart_for`` would give (one phase, plotted ``values``)."""
    n = len(values)
    rules = _RULE_NAMES[rule_codes].tolist()
    signals = _SIGNAL_NAMES[signal_codes].tolist()
    labels = _Labels(measure, data.periods)
    valid = np.flatnonzero(~np.isnan(values))
    last = int(valid[-1])
    variation = VARIATIONS[variation_code]
    assurance = None if assurance_code < 0 else ASSURANCES[assurance_code]
    phrase, group, rank = verdict(
        measure, labels, last, rules, signals, variation, assurance
    )
    high = _HIGH_SIGNAL[measure.improvement]
    sides = np.where(rule_codes == 0, 0, np.where(signal_codes == high, 1, -1))
    found = episodes(
        tuple(rules),
        tuple(signals),
        sides.astype(np.int64),
        np.zeros(n, dtype=np.int64),
        cast(tuple[str, ...], labels),
        _centre_name(chart),
        {"shift": RULE_LENGTH, "trend": RULE_LENGTH},
    )
    centre = _finite(phase_centre)
    return ChartSummary(
        measure=measure,
        chart=chart,
        variation=variation,
        assurance=assurance or "",
        latest_value=float(values[last]),
        latest_period=labels[last],
        phrase=phrase,
        group=group,
        rank=rank,
        n_points=int(valid.size),
        warnings=warnings,
        sparkline=_sparkline(labels, values, signals),
        progress={
            "improvement": measure.improvement,
            "last_signal": signals[last],
            "last_period": labels[last],
            "phase": 0,
            "phase_first_period": labels[0],
            "phase_centre": centre,
            "baseline_centre": centre,
            "episodes": [
                [s.signal, s.start, s.end, s.first_period, s.last_period]
                for s in found
                if s.signal in ("improvement", "concern")
            ],
        },
        computed_at=now,
        engine=ENGINE,
    )


def compute_summaries(
    measures: Sequence[Measure], *, batch: bool = True
) -> dict[int, ChartSummary]:
    """Each measure's (unsaved) summary, from its data, phases and options.

    Two queries (the data points, the phase breaks) whatever the number of
    measures; ``batch=False`` sends every measure through ``chart_for`` (the
    answers are the same).
    """
    if not measures:
        return {}
    # chart_for reads measure.phase_breaks.all(): one query serves them all.
    prefetch_related_objects(list(measures), "phase_breaks")
    series = load_series(
        DataPoint.objects.filter(measure_id__in=[m.pk for m in measures])
    )
    out: dict[int, ChartSummary] = {}
    batched: dict[str, list[Measure]] = {chart: [] for chart in _BATCH_CHARTS}
    for measure in measures:
        data = series.get(measure.pk)
        if data is None or np.isnan(data.values).all():
            out[measure.pk] = _no_chart(measure, "No data yet.")
            continue
        chart = (
            _batch_chart(measure, data, bool(measure.phase_breaks.all()))
            if batch
            else None
        )
        if chart is None:
            out[measure.pk] = _one_by_one(measure, data)
        else:
            batched[chart].append(measure)
    if batched["xmr"]:
        out.update(_batch(batched["xmr"], series))
    for chart in _ATTRIBUTE_CHARTS:
        if batched[chart]:
            out.update(_attribute_batch(chart, batched[chart], series))
    if batched["run"]:
        out.update(_run_batch(batched["run"], series))
    for measure in measures:
        data = series.get(measure.pk)
        summary = out[measure.pk]
        if data is not None and summary.chart and len(data.values) >= KEEP_FACTS_FROM:
            summary.stream_facts = facts_of_series(measure, data)
    return out


_FIELDS = [f.name for f in ChartSummary._meta.concrete_fields if f.name != "measure"]


def _store(summaries: Iterable[ChartSummary]) -> None:
    rows = list(summaries)
    ChartSummary.objects.bulk_create(
        rows,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["measure"],
        update_fields=_FIELDS,
    )
    # Figures kept from the organisations' data (openqi.audit.kept) may read
    # summaries: like an audited change, new ones make them unreachable.
    for organisation_id in {row.measure.organisation_id for row in rows}:
        data_changed(organisation_id)


def refresh_summaries(
    measures: Iterable[Measure | int], *, lock: bool = True
) -> dict[int, ChartSummary]:
    """Compute and store the summaries of ``measures`` (or measure ids), in
    batches of :data:`BATCH`, each in a transaction; returns them by measure id.

    With ``lock`` the measures' rows are locked first (PostgreSQL), so a
    concurrent change to one of them waits, or is waited for, and the summary
    stored is that of the data as committed last. Measures that no longer exist
    are skipped.
    """
    ids = sorted({m if isinstance(m, int) else m.pk for m in measures})
    out: dict[int, ChartSummary] = {}
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        with transaction.atomic():
            rows = Measure.objects.filter(pk__in=chunk).order_by("pk")
            if lock:
                rows = rows.select_for_update()
            fresh = compute_summaries(list(rows))
            _store(fresh.values())
        out.update(fresh)
    return out


def refresh_organisation(organisation: Any) -> int:
    """Recompute every summary of an organisation's measures; returns how many."""
    ids = list(
        Measure.objects.for_organisation(organisation).values_list("pk", flat=True)
    )
    return len(refresh_summaries(ids))


def is_current(summary: ChartSummary, measure: Measure) -> bool:
    """Whether ``summary`` was computed by this engine since the measure last changed."""
    return summary.engine == ENGINE and summary.computed_at >= measure.updated_at


#: What a list reads of a summary (the sparkline and the rating's facts left out).
BRIEF_FIELDS = ("sparkline", "progress", "warnings", "stream_facts")


def summaries_for(
    measures: Sequence[Measure], *, brief: bool = False
) -> dict[int, ChartSummary]:
    """The stored summaries of ``measures`` by measure id, in one query (``brief``:
    without :data:`BRIEF_FIELDS`).

    A measure with no summary, one from another engine, or one older than the
    measure's ``updated_at`` (data written past the services) has it computed and
    stored here, once; after that every page reads it as it is.
    """
    by_id = {m.pk: m for m in measures}
    rows = ChartSummary.objects.filter(measure_id__in=list(by_id))
    if brief:
        rows = rows.defer(*BRIEF_FIELDS)
    stored = {s.measure_id: s for s in rows}
    missing = [
        m
        for pk, m in by_id.items()
        if pk not in stored or not is_current(stored[pk], m)
    ]
    if missing:
        stored.update(refresh_summaries(missing, lock=False))
    for pk, summary in stored.items():
        summary.measure = by_id[pk]  # the caller's instance: no query to read it
    return stored


class Brief(NamedTuple):
    """A list's view of a summary, read without building model instances."""

    variation: str
    assurance: str
    latest_value: float | None
    latest_period: str
    phrase: str
    group: str
    rank: int


_BRIEF = Brief._fields


def briefs_for(measures: Sequence[Measure]) -> dict[int, Brief]:
    """What a list of many measures shows of their summaries, by measure id: as
    :func:`summaries_for` (missing or stale ones computed once), read as plain
    rows (500 model instances cost more than the query)."""
    by_id = {m.pk: m for m in measures}
    rows = ChartSummary.objects.filter(measure_id__in=list(by_id)).values_list(
        "measure_id", "engine", "computed_at", *_BRIEF
    )
    out: dict[int, Brief] = {}
    stale = []
    for pk, engine, computed_at, *fields in rows:
        if engine == ENGINE and computed_at >= by_id[pk].updated_at:
            out[pk] = Brief(*fields)
        else:
            stale.append(by_id[pk])
    stale += [m for pk, m in by_id.items() if pk not in out and m not in stale]
    if stale:
        for pk, summary in refresh_summaries(stale, lock=False).items():
            out[pk] = Brief(*(getattr(summary, name) for name in _BRIEF))
    return out


# ---------------------------------------------------------------------------
# After a change


_state = threading.local()


def _pending() -> set[int] | None:
    return cast("set[int] | None", getattr(_state, "pending", None))


def measure_changed(measure_id: int) -> None:
    """Bring the measure's summary up to date: now, or at the end of the
    :func:`deferred` block it is in."""
    pending = _pending()
    if pending is not None:
        pending.add(measure_id)
    else:
        refresh_summaries([measure_id])


@contextmanager
def deferred() -> Iterator[set[int]]:
    """Collect the measures changed inside the block and compute each once, at
    its end (in the transaction the block runs in). Nested blocks join the
    outermost. A block left by an exception computes nothing: its transaction is
    expected to roll back."""
    outer = _pending()
    if outer is not None:
        yield outer
        return
    pending: set[int] = set()
    _state.pending = pending
    try:
        yield pending
    finally:
        _state.pending = None
    if pending:
        refresh_summaries(pending)
