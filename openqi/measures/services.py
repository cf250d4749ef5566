"""Measures and their charts: the translation between model rows and :mod:`openqi.spc`.

Pages, the API, the portfolio and the board report all call :func:`chart_for`,
so a measure's chart is computed one way everywhere.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from openqi.spc import ChartResult, spc_chart

from .models import DataPoint, Measure

#: Charts whose plotted value is numerator ÷ denominator (× the multiplier).
RATIO_CHARTS = frozenset({"p", "pp", "u", "up"})


def period_label(measure: Measure, period: datetime.date) -> str:
    """How a period is written on the chart: 2024-03 for months, the date otherwise."""
    if measure.frequency in (Measure.Frequency.MONTHLY, Measure.Frequency.QUARTERLY):
        return period.strftime("%Y-%m")
    return period.isoformat()


def chart_for(
    measure: Measure, points: Sequence[DataPoint] | None = None
) -> ChartResult | None:
    """The measure's SPC chart, or None while it has no data.

    Phase breaks become ``rebase`` periods (a break on a date with no data point
    starts the phase at the next point); the target is in the plotted units.
    Raises ``ValueError`` (from :mod:`openqi.spc`) when the data cannot make the
    chart, with a message fit to show.
    """
    if points is None:
        points = list(measure.points.order_by("period"))
    if not points:
        return None
    labels = [period_label(measure, p.period) for p in points]
    values = [p.value for p in points]
    chart = measure.chart_type or Measure.DEFAULT_CHART[Measure.Kind(measure.kind)]
    options: dict[str, Any] = {
        "improvement": measure.improvement,
        "target": measure.target,
    }
    denominators = None
    if chart in RATIO_CHARTS or (chart == "run" and measure.has_denominator()):
        denominators = [p.denominator for p in points]
        options["multiply"] = measure.multiplier
    rebase = []
    breaks = sorted(b.period for b in measure.phase_breaks.all())
    for when in breaks:
        for point, label in zip(points, labels, strict=True):
            if point.period >= when:
                if point is not points[0] and label not in rebase:
                    rebase.append(label)
                break
    if rebase:
        options["rebase"] = rebase
    return spc_chart(chart, values, denominators, labels, **options)
