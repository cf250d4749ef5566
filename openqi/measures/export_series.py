"""A measure's series read for an export: NumPy arrays filled a chunk of rows at
a time, and its chart computed from them.

:func:`charts.chart_for` takes model rows (a Python object or three per point);
an export of a million points cannot hold those. :func:`load_series` reads the
four columns the chart needs (period, value, denominator, exclusion) in chunks
into arrays (25 bytes a point), and :func:`chart_of_series` makes from them the
chart :func:`charts.chart_for` makes from the rows: the same options, phase
breaks, exclusions and labels (``tests/measures/test_export_series.py`` holds
them equal).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

import numpy as np
from numpy.typing import NDArray

from openqi.spc import ChartResult, spc_chart

from . import charts
from .models import Measure

#: Rows read from the database at a time.
CHUNK = 2000


@dataclass(frozen=True)
class Series:
    """A measure's points in period order, one array entry per point.

    ``days`` are the periods as ordinals (``date.toordinal()``); ``labels`` the
    periods as the chart writes them (:func:`charts.period_label`), which the
    chart keeps as its ``periods``.
    """

    days: NDArray[np.int64]
    values: NDArray[np.float64]
    denominators: NDArray[np.float64]
    is_excluded: NDArray[np.bool_]
    labels: list[str]

    def __len__(self) -> int:
        return len(self.labels)


def load_series(measure: Measure, chunk: int = CHUNK) -> Series:
    """The measure's period, value (NaN when missing), denominator (NaN when
    none) and exclusion, read :data:`CHUNK` rows at a time into arrays sized
    once (from a count, grown should points arrive meanwhile)."""
    rows = (
        measure.points.order_by("period")
        .values_list("period", "value", "denominator", "is_excluded")
        .iterator(chunk_size=chunk)
    )
    size = max(measure.points.count(), 1)
    days = np.empty(size, dtype=np.int64)
    values = np.empty(size)
    denominators = np.empty(size)
    is_excluded = np.empty(size, dtype=bool)
    labels: list[str] = []
    monthly = measure.frequency in (
        Measure.Frequency.MONTHLY,
        Measure.Frequency.QUARTERLY,
    )
    n = 0
    for part in _chunks(rows, chunk):
        stop = n + len(part)
        if stop > size:  # points added since the count
            size = max(stop, 2 * size)
            days, values, denominators, is_excluded = (
                np.resize(a, size) for a in (days, values, denominators, is_excluded)
            )
        dates, numbers, bottoms, excluded = zip(*part, strict=True)
        days[n:stop] = [d.toordinal() for d in dates]
        values[n:stop] = np.array(numbers, dtype=np.float64)  # None becomes NaN
        denominators[n:stop] = np.array(bottoms, dtype=np.float64)
        is_excluded[n:stop] = excluded
        # charts.period_label, without the measure look-up per point.
        labels.extend(d.strftime("%Y-%m") if monthly else d.isoformat() for d in dates)
        n = stop
    return Series(days[:n], values[:n], denominators[:n], is_excluded[:n], labels)


def chart_of_series(measure: Measure, series: Series) -> ChartResult | None:
    """The measure's chart from its :func:`load_series` arrays: what
    :func:`charts.chart_for` gives from its rows (None without data; raises
    ``ValueError`` as it does)."""
    n = len(series)
    if not n:
        return None
    labels = series.labels
    chart = measure.chart_type or Measure.DEFAULT_CHART[Measure.Kind(measure.kind)]
    options: dict[str, Any] = {
        "improvement": measure.improvement,
        "target": measure.target,
    }
    denominators = None
    if chart in charts.RATIO_CHARTS or (chart == "run" and measure.has_denominator()):
        denominators = series.denominators
        options["multiply"] = measure.multiplier
    # A break starts its phase at the first point on or after it (not the first).
    rebase: list[str] = []
    for when in sorted(b.period for b in measure.phase_breaks.all()):
        at = int(np.searchsorted(series.days, when.toordinal(), side="left"))
        if 0 < at < n and labels[at] not in rebase:
            rebase.append(labels[at])
    if rebase:
        options["rebase"] = rebase
    excluded = [labels[i] for i in np.flatnonzero(series.is_excluded).tolist()]
    if excluded:
        options["exclude"] = excluded
    if measure.fix_after is not None:
        options["fix_after"] = measure.fix_after
    return spc_chart(chart, series.values, denominators, labels, **options)


def _chunks(rows: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while part := list(islice(rows, size)):
        yield part
