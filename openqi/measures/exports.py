"""A measure's data as files: CSV in the shape the import reads, and JSON with the chart."""

from __future__ import annotations

import csv
import io
from typing import Any

from . import charts
from .models import Measure

EXPORT_COLUMNS = ("period", "value", "denominator")


def export_csv(measure: Measure) -> str:
    """The data points as CSV (period, value and, for ratios, the denominator):
    the shape the import reads."""
    columns = EXPORT_COLUMNS if measure.has_denominator() else EXPORT_COLUMNS[:2]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for point in measure.points.order_by("period"):
        row = [point.period.isoformat(), csv_number(point.value)]
        if measure.has_denominator():
            row.append(csv_number(point.denominator))
        writer.writerow(row)
    return out.getvalue()


def csv_number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def export_json(measure: Measure) -> dict[str, Any]:
    """The measure, its data points and its chart (``ChartResult.to_dict()``)."""
    points = list(measure.points.order_by("period"))
    chart: dict[str, Any] | None = None
    chart_error: str | None = None
    try:
        result = charts.chart_for(measure, points)
    except ValueError as error:
        chart_error = str(error)
    else:
        chart = result.to_dict() if result else None
    return {
        "measure": {
            "id": measure.pk,
            "name": measure.name,
            "definition": measure.definition,
            "kind": measure.kind,
            "numerator_definition": measure.numerator_definition,
            "denominator_definition": measure.denominator_definition,
            "unit_of_measure": measure.unit_label,
            "frequency": measure.frequency,
            "improvement": measure.improvement,
            "target": measure.target,
            "chart_type": measure.chart_type,
            "is_chart_automatic": measure.is_chart_automatic,
            "fix_after": measure.fix_after,
            "multiplier": measure.multiplier,
            "unit": measure.unit.name if measure.unit else None,
        },
        "points": [
            {
                "period": p.period.isoformat(),
                "value": p.value,
                "denominator": p.denominator,
                "note": p.note,
                "is_excluded": p.is_excluded,
                "exclusion_reason": p.exclusion_reason,
            }
            for p in points
        ],
        "phase_breaks": [
            {"period": b.period.isoformat(), "reason": b.reason}
            for b in measure.phase_breaks.all()
        ],
        "annotations": [
            {"period": a.period.isoformat(), "text": a.text}
            for a in measure.annotations.all()
        ],
        "chart": chart,
        "chart_error": chart_error,
    }
