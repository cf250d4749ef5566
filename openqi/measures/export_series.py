"""A measure's chart for an export, read from the database a block of points at a
time (:func:`openqi.spc.stream.stream_chart`), never held whole.

:func:`charts.chart_for` takes model rows (a Python object or three per point)
and computes the chart whole; an export of a million points can hold neither.
:func:`streamed_chart` gives the same chart — the same options, phase breaks,
exclusions and labels, every point's lines and rules the same doubles and
words (``tests/measures/test_export_series.py`` holds them equal) — from the four
columns the chart needs (period, value, denominator, exclusion), read
:data:`CHUNK` rows at a time in period order, twice: once for each phase's
figures, once for the points as they are written.
"""

from __future__ import annotations

import datetime
from typing import Any

import numpy as np

from openqi.spc.stream import (
    Block,
    ChartFacts,
    StreamedChart,
    chart_facts,
    stream_chart,
)

from . import charts
from .models import Measure
from .overview_series import Series

#: Rows read from the database at a time.
CHUNK = 2000


class _Reader:
    """Points ``[start, stop)`` of a measure, read on from where the last read
    stopped (by period: the next rows after the last one read), as the stream
    asks for them: in order, from the first point again at each pass."""

    def __init__(self, measure: Measure) -> None:
        self.measure = measure
        self.after: datetime.date | None = None
        self.at = 0
        self.monthly = measure.frequency in (
            Measure.Frequency.MONTHLY,
            Measure.Frequency.QUARTERLY,
        )

    def __call__(self, start: int, stop: int) -> Block:
        if start == 0:
            self.after, self.at = None, 0
        if start != self.at:
            raise ValueError(f"points are read in order: {self.at} next, not {start}")
        rows = self.measure.points.order_by("period")
        if self.after is not None:
            rows = rows.filter(period__gt=self.after)
        part = list(
            rows.values_list("period", "value", "denominator", "is_excluded")[
                : stop - start
            ]
        )
        if len(part) != stop - start:
            raise ValueError(
                "the measure's points changed while it was being exported; "
                "export it again"
            )
        dates, values, denominators, excluded = zip(*part, strict=True)
        self.after, self.at = dates[-1], stop
        return Block(
            np.array(values, dtype=np.float64),  # None becomes NaN
            np.array(denominators, dtype=np.float64),
            np.array(excluded, dtype=bool),
            # charts.period_label, without the measure look-up per point.
            [d.strftime("%Y-%m") if self.monthly else d.isoformat() for d in dates],
        )


#: Measures of at least this many points keep their chart facts with their
#: summary (``ChartSummary.stream_facts``), computed when their data change, so
#: that their export needs no first pass; a shorter measure's first pass holds
#: at most this many values (about 40 bytes each while it computes).
KEEP_FACTS_FROM = 10_000


def _chart_and_options(measure: Measure) -> tuple[str, dict[str, Any], bool]:
    """The chart ``chart_for`` draws, its options (but the phases and the
    exclusions) and whether it takes the denominators."""
    chart = measure.chart_type or Measure.DEFAULT_CHART[Measure.Kind(measure.kind)]
    options: dict[str, Any] = {
        "improvement": measure.improvement,
        "target": measure.target,
    }
    has_denominators = chart in charts.RATIO_CHARTS or (
        chart == "run" and measure.has_denominator()
    )
    if has_denominators:
        options["multiply"] = measure.multiplier
    if measure.fix_after is not None:
        options["fix_after"] = measure.fix_after
    return chart, options, has_denominators


def _breaks(measure: Measure) -> set[datetime.date]:
    return {b.period for b in measure.phase_breaks.all()}


def facts_of_series(measure: Measure, series: Series) -> dict[str, Any] | None:
    """The chart facts (:func:`openqi.spc.stream.chart_facts`, as JSON) of the
    measure's series already in memory, as :func:`streamed_chart` would find
    them reading the database; None when no chart can be drawn."""
    n = len(series.values)
    chart, options, has_denominators = _chart_and_options(measure)
    days = np.array([d.toordinal() for d in series.periods], dtype=np.int64)
    # A break starts its phase at the first point on or after it (not the first).
    rebase_at = sorted(
        {
            at
            for when in _breaks(measure)
            if 0 < (at := int(np.searchsorted(days, when.toordinal()))) < n
        }
    )
    values = np.asarray(series.values, dtype=np.float64)
    denominators = np.array(series.denominators, dtype=np.float64)
    excluded = np.array(series.excluded or [False] * n, dtype=bool)
    monthly = measure.frequency in (
        Measure.Frequency.MONTHLY,
        Measure.Frequency.QUARTERLY,
    )

    def source(start: int, stop: int) -> Block:
        return Block(
            values[start:stop],
            denominators[start:stop] if has_denominators else None,
            excluded[start:stop],
            [
                d.strftime("%Y-%m") if monthly else d.isoformat()
                for d in series.periods[start:stop]
            ],
        )

    try:
        facts = chart_facts(chart, source, n, rebase_at=rebase_at, **options)
    except ValueError:
        return None
    return facts.to_json()


def streamed_chart(
    measure: Measure, chunk: int = CHUNK, facts: ChartFacts | None = None
) -> StreamedChart | None:
    """The measure's chart, its points to come a block at a time (None without
    data; raises ``ValueError`` as :func:`charts.chart_for` does, before any
    point is handed out). With ``facts`` kept from the measure's data as they
    are (its summary's), there is no first pass."""
    n = measure.points.count()
    if not n:
        return None
    chart, options, has_denominators = _chart_and_options(measure)
    reader = _Reader(measure)

    def source(start: int, stop: int) -> Block:
        block = reader(start, stop)
        if has_denominators:
            return block
        return Block(block.values, None, block.is_excluded, block.periods)

    # A break starts its phase at the first point on or after it (not the first).
    rebase_at = sorted(
        {
            at
            for when in _breaks(measure)
            if 0 < (at := measure.points.filter(period__lt=when).count()) < n
        }
    )
    return stream_chart(
        chart, source, n, rebase_at=rebase_at, block=chunk, facts=facts, **options
    )
