"""Memory of one chart (issue 11): the XmR, p and u charts of 1,000,000 points, the
peak memory a point while the chart is computed, what the result keeps a point,
and the time.

The inputs are made first, as a caller holds them: the values (and denominators)
as NumPy arrays and a period label per point as a list of Python strings (daily
dates written ``YYYY-MM-DD``, as the JSON export of a measure passes them). The
peak is ``tracemalloc``'s (Python's and NumPy's allocations) above the memory
held before the call, divided by the points; "kept" is what the returned
:class:`openqi.spc.ChartResult` still holds. Time is the best of three calls
without ``tracemalloc``.

The figures include the result itself (the plotted values, five lines and the
phase of every point, a tuple of period labels and the rule and signal tuples:
about 80 bytes a point) and its ``signals``, one :class:`openqi.spc.Signal` with a
sentence for each special-cause episode (the XmR data shift every 50 points, so
it has many). Before issue 11's work on it the peak was 236-256 bytes a point
and an XmR chart took 2.0 s.
"""

from __future__ import annotations

import datetime
import gc
import math
import time
import tracemalloc
from typing import Any

import numpy as np

from bench.report import Row, si

__all__ = ["single_chart_memory"]

POINTS = 1_000_000
CHARTS = ("xmr", "p", "u")
#: The peak a point may not pass (the result alone keeps about 80).
TARGET_BYTES_PER_POINT = 150.0


def _inputs(chart: str, n: int, rng: np.random.Generator) -> dict[str, Any]:
    denominators = rng.integers(100, 1000, n).astype(float)
    if chart == "p":
        counts = rng.binomial(denominators.astype(int), 0.2).astype(float)
        return {"values": counts, "denominators": denominators}
    if chart == "u":
        counts = rng.poisson(denominators * 0.2).astype(float)
        return {"values": counts, "denominators": denominators}
    level = np.where((np.arange(n) // 50) % 3 == 0, 50.0, 53.0)  # shifts and signals
    return {"values": level + rng.normal(0, 2, n)}


def _labels(n: int) -> list[str]:
    first = datetime.date(1000, 1, 1).toordinal()
    return [datetime.date.fromordinal(first + i).isoformat() for i in range(n)]


def single_chart_memory() -> list[Row]:
    """Peak and kept bytes a point, and time, of one chart of 1,000,000 points."""
    from openqi.spc import spc_chart

    rng = np.random.default_rng(11)
    labels = _labels(POINTS)
    rows = []
    for chart in CHARTS:
        data = _inputs(chart, POINTS, rng)
        best = math.inf
        for _ in range(3):
            start = time.perf_counter()
            spc_chart(chart, periods=labels, **data)
            best = min(best, time.perf_counter() - start)
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            result = spc_chart(chart, periods=labels, **data)
            kept, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        per_point = (peak - before) / POINTS
        rows.append(
            Row(
                f"{chart} chart 1e6 points, peak memory",
                per_point,
                "B/point",
                target=f"<= {TARGET_BYTES_PER_POINT:g}",
                is_met=per_point <= TARGET_BYTES_PER_POINT,
                note=f"result keeps {(kept - before) / POINTS:.0f} B/point "
                f"({len(result.signals)} signals); {si(best)} s; periods as a "
                "list of str",
            )
        )
        del result
    return rows
