"""A measure's data as files: CSV in the shape the import reads, and JSON with the chart.

Both are written as they are sent (the views answer with a
``StreamingHttpResponse``), so a measure of any length exports in bounded memory:
the data points are read from the database :data:`CHUNK` rows at a time and each
chunk is written out before the next is read. The JSON export's chart is computed
once, before the first byte, from the points' numbers alone; its points are then
written :data:`CHUNK` at a time too. The chart's arrays are the one part that
grows with the measure (about 200 bytes a point).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, cast

from openqi.spc import ChartResult

from . import charts
from .models import DataPoint, Measure

EXPORT_COLUMNS = ("period", "value", "denominator")

#: Rows read from the database, and points written, at a time.
CHUNK = 2000
#: Bytes (roughly) gathered before a piece of the file is handed to the server.
PIECE = 64 * 1024


# ---------------------------------------------------------------------------
# CSV


def csv_lines(measure: Measure) -> Iterator[str]:
    """The data points as CSV (period, value and, for ratios, the denominator):
    the shape the import reads, one piece of :data:`CHUNK` rows at a time."""
    has_denominator = measure.has_denominator()
    columns = EXPORT_COLUMNS if has_denominator else EXPORT_COLUMNS[:2]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    rows = measure.points.order_by("period").values_list(*columns)
    for chunk in _chunks(rows.iterator(chunk_size=CHUNK), CHUNK):
        writer.writerows(
            [period.isoformat(), *(csv_number(number) for number in numbers)]
            for period, *numbers in chunk
        )
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    if out.tell():  # the header of a measure without points
        yield out.getvalue()


def export_csv(measure: Measure) -> str:
    """The whole CSV file as one string (for small measures and tests)."""
    return "".join(csv_lines(measure))


def csv_number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


# ---------------------------------------------------------------------------
# JSON

#: The data point fields the JSON export gives, in order.
POINT_FIELDS = (
    "period",
    "value",
    "denominator",
    "note",
    "is_excluded",
    "exclusion_reason",
)
#: The fields of a :class:`ChartResult` that hold one entry per point.
CHART_POINT_FIELDS = (
    "periods",
    "values",
    "numerators",
    "denominators",
    "centre",
    "lower",
    "upper",
    "near_lower",
    "near_upper",
    "phase",
    "rule",
    "signal",
    "is_excluded",
)


def chart_of(measure: Measure) -> tuple[ChartResult | None, str | None]:
    """The measure's chart and, when it cannot be drawn, the reason instead.

    The chart is computed from the points' period, value, denominator and
    exclusion alone (plain rows, not model instances: a tenth of the memory)."""
    fields = ("period", "value", "denominator", "is_excluded")
    rows = measure.points.order_by("period").values_list(*fields, named=True)
    # chart_for reads only these four attributes of each point.
    points = cast("Sequence[DataPoint]", list(rows.iterator(chunk_size=CHUNK)))
    try:
        return charts.chart_for(measure, points), None
    except ValueError as error:
        return None, str(error)


def json_pieces(
    measure: Measure, chart: ChartResult | None, chart_error: str | None
) -> Iterator[str]:
    """The measure, its data points, phase breaks, notes and its chart
    (``ChartResult.to_dict()``) as one JSON object, written piece by piece.

    Each point is one line of its list; the rest is indented as ``json.dumps``
    with ``indent=2`` writes it. ``chart`` and ``chart_error`` come from
    :func:`chart_of`, computed before the first piece so that a failure can
    still answer with an error page."""
    document: dict[str, Any] = {
        "measure": _measure_fields(measure),
        "points": _Streamed(_data_points(measure)),
        "phase_breaks": _Later(
            lambda: [
                {"period": b.period.isoformat(), "reason": b.reason}
                for b in measure.phase_breaks.all()
            ]
        ),
        "annotations": _Later(
            lambda: [
                {"period": a.period.isoformat(), "text": a.text}
                for a in measure.annotations.all()
            ]
        ),
        "chart": None if chart is None else _chart_document(chart),
        "chart_error": chart_error,
    }
    return _gathered(_encode(document, 0))


def export_json(measure: Measure) -> dict[str, Any]:
    """The whole JSON export as a dictionary (for small measures and tests)."""
    chart, chart_error = chart_of(measure)
    parsed: dict[str, Any] = json.loads(
        "".join(json_pieces(measure, chart, chart_error))
    )
    return parsed


def _measure_fields(measure: Measure) -> dict[str, Any]:
    return {
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
    }


def _data_points(measure: Measure) -> Iterator[list[dict[str, Any]]]:
    rows = measure.points.order_by("period").values_list(*POINT_FIELDS)
    for chunk in _chunks(rows.iterator(chunk_size=CHUNK), CHUNK):
        yield [
            {
                "period": period.isoformat(),
                "value": value,
                "denominator": denominator,
                "note": note,
                "is_excluded": is_excluded,
                "exclusion_reason": reason,
            }
            for period, value, denominator, note, is_excluded, reason in chunk
        ]


def _chart_document(chart: ChartResult) -> dict[str, Any]:
    """``chart.to_dict()`` with its points written :data:`CHUNK` at a time."""
    empty = dataclasses.replace(chart, **_point_slice(chart, 0, 0))
    document = empty.to_dict()  # chart, options and summary: no per-point field
    document["points"] = _Streamed(
        _chart_points(chart, start, start + CHUNK)
        for start in range(0, len(chart), CHUNK)
    )
    return document


def _point_slice(chart: ChartResult, start: int, stop: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in CHART_POINT_FIELDS:
        value = getattr(chart, name)
        # numerators and denominators may be None, is_excluded empty.
        out[name] = value if value is None or not len(value) else value[start:stop]
    return out


def _chart_points(chart: ChartResult, start: int, stop: int) -> list[dict[str, Any]]:
    """``chart.points()[start:stop]``, from whole slices of its arrays (the same
    numbers, ten times faster than point by point)."""
    part = _point_slice(chart, start, stop)
    count = len(part["periods"])
    missing = [None] * count

    def numbers(name: str) -> list[Any]:
        array = part[name]
        if array is None:
            return missing
        return [x if math.isfinite(x) else None for x in array.tolist()]

    excluded = part["is_excluded"]
    return [
        {
            "period": period,
            "value": value,
            "numerator": numerator,
            "denominator": denominator,
            "centre": centre,
            "lower": lower,
            "upper": upper,
            "near_lower": near_lower,
            "near_upper": near_upper,
            "phase": phase,
            "excluded": is_excluded,
            "rule": rule,
            "signal": signal,
        }
        for (
            period,
            value,
            numerator,
            denominator,
            centre,
            lower,
            upper,
            near_lower,
            near_upper,
            phase,
            is_excluded,
            rule,
            signal,
        ) in zip(
            part["periods"],
            numbers("values"),
            numbers("numerators"),
            numbers("denominators"),
            numbers("centre"),
            numbers("lower"),
            numbers("upper"),
            numbers("near_lower"),
            numbers("near_upper"),
            part["phase"].tolist(),
            excluded.tolist() if len(excluded) else [False] * count,
            part["rule"],
            part["signal"],
            strict=True,
        )
    ]


class _Streamed:
    """A JSON list whose items come in lists, one chunk at a time."""

    def __init__(self, chunks: Iterable[list[Any]]) -> None:
        self.chunks = chunks


class _Later:
    """A JSON value computed when it is written (after the lists before it)."""

    def __init__(self, make: Any) -> None:
        self.make = make


_compact = json.JSONEncoder().encode  # one line, with the C encoder


def _encode(value: Any, level: int) -> Iterator[str]:
    """``value`` as JSON at nesting ``level``, as ``json.dumps(indent=2)`` would
    indent it, but with each item of a :class:`_Streamed` list on one line."""
    if isinstance(value, _Later):
        value = value.make()
    if isinstance(value, _Streamed):
        inner = "\n" + "  " * (level + 1)
        is_first = True
        for chunk in value.chunks:
            if not chunk:
                continue
            lead = "[" + inner if is_first else "," + inner
            yield lead + ("," + inner).join(map(_compact, chunk))
            is_first = False
        yield "[]" if is_first else "\n" + "  " * level + "]"
    elif isinstance(value, dict) and value:
        items = list(value.items())
        yield "{"
        for i, (key, item) in enumerate(items):
            yield "\n" + "  " * (level + 1) + json.dumps(key) + ": "
            yield from _encode(item, level + 1)
            if i < len(items) - 1:
                yield ","
        yield "\n" + "  " * level + "}"
    else:
        yield json.dumps(value, indent=2).replace("\n", "\n" + "  " * level)


def _gathered(parts: Iterable[str]) -> Iterator[str]:
    """Small strings joined into pieces of about :data:`PIECE` characters."""
    buffer: list[str] = []
    size = 0
    for part in parts:
        buffer.append(part)
        size += len(part)
        if size >= PIECE:
            yield "".join(buffer)
            buffer.clear()
            size = 0
    if buffer:
        yield "".join(buffer)


def _chunks(rows: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while chunk := list(islice(rows, size)):
        yield chunk
