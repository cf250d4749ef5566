"""A measure's data as files: CSV in the shape the import reads, and JSON with the chart.

Both are written as they are sent (the views answer with a
``StreamingHttpResponse``), so a measure of any length exports in bounded
memory: the data points are read from the database :data:`CHUNK` rows at a time
and each chunk is written out before the next is read. The JSON export's chart
comes the same way (:mod:`.export_series`, :func:`openqi.spc.stream.stream_chart`):
each phase's figures are computed before the first byte, then the chart's
points are computed and written a block at a time, with the signals and the
points left out gathered in a temporary file (in memory while small) and
written after them, in the summary. ``bench/exports.py`` measures the memory.
"""

from __future__ import annotations

import csv
import io
import json
import math
import tempfile
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

import numpy as np

from openqi.spc import ChartResult
from openqi.spc.stream import ChartFacts, PointBlock, StreamedChart

from . import export_series, summaries
from .models import ChartSummary, Measure

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


def chart_of(measure: Measure) -> tuple[StreamedChart | None, str | None]:
    """The measure's chart (its points to come, a block at a time) and, when it
    cannot be drawn, the reason instead: what :func:`charts.chart_for` draws,
    read from the database in chunks (:mod:`.export_series`). A long
    measure's facts kept with its summary, when current, spare the first pass."""
    try:
        return export_series.streamed_chart(measure, CHUNK, _kept_facts(measure)), None
    except ValueError as error:
        return None, str(error)


def _kept_facts(measure: Measure) -> ChartFacts | None:
    summary = (
        ChartSummary.objects.filter(measure=measure)
        .only("engine", "computed_at", "stream_facts")
        .first()
    )
    if summary is None or not summary.stream_facts:
        return None
    if not summaries.is_current(summary, measure):
        return None
    try:
        return ChartFacts.from_json(summary.stream_facts)
    except (KeyError, TypeError, ValueError):  # kept by another version: read again
        return None


def json_pieces(
    measure: Measure, chart: StreamedChart | None, chart_error: str | None
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
        # Read when written, after the points.
        "phase_breaks": _Items(
            {"period": b.period.isoformat(), "reason": b.reason}
            for b in measure.phase_breaks.all().iterator(chunk_size=CHUNK)
        ),
        "annotations": _Items(
            {"period": a.period.isoformat(), "text": a.text}
            for a in measure.annotations.all().iterator(chunk_size=CHUNK)
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


def _data_points(measure: Measure) -> Iterator[list[str]]:
    """The data points as JSON lines, :data:`CHUNK` at a time."""
    rows = measure.points.order_by("period").values_list(*POINT_FIELDS)
    for chunk in _chunks(rows.iterator(chunk_size=CHUNK), CHUNK):
        yield [
            _POINT_LINE
            % (
                _string(period.isoformat()),
                _number(value),
                _number(denominator),
                _text(note),
                "true" if is_excluded else "false",
                _text(reason),
            )
            for period, value, denominator, note, is_excluded, reason in chunk
        ]


def _chart_document(chart: StreamedChart) -> dict[str, Any]:
    """``ChartResult.to_dict()`` of the chart, its points written a block at a
    time as they are computed, then its summary: the signals and the points
    left out (as many as the points, at worst) are kept in a temporary file
    while the points pass, and written one at a time."""
    signals, excluded = _Spool(), _Spool()

    def points() -> Iterator[list[str]]:
        for block in chart.blocks():
            signals.extend(s.to_dict() for s in block.signals)
            excluded.extend(e.to_dict() for e in block.excluded)
            yield _chart_points(block, 0, len(block))

    summary: dict[str, Any] = {
        "variation": _Later(lambda: chart.variation),
        "assurance": _Later(lambda: chart.assurance),
        "warnings": list(chart.warnings),
        "excluded": _Items(excluded.items()),
        "signals": _Items(signals.items()),
        "phases": _Items(p.to_dict() for p in chart.phases),
        "runs": {k: v for k, v in chart.runs.to_dict().items() if k != "phase"},
    }
    return {
        "chart": chart.chart,
        "options": dict(chart.options),
        "points": _Streamed(points()),
        "summary": summary,
    }


def _point_slice(
    chart: ChartResult | PointBlock, start: int, stop: int
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in CHART_POINT_FIELDS:
        value = getattr(chart, name)
        # numerators and denominators may be None, is_excluded empty.
        out[name] = value if value is None or not len(value) else value[start:stop]
    return out


def _chart_points(chart: ChartResult | PointBlock, start: int, stop: int) -> list[str]:
    """``chart.points()[start:stop]`` (of a whole chart, or of a block of a
    streamed one) as JSON lines, written from whole slices of its arrays: only
    this slice is turned into Python numbers and text."""
    part = _point_slice(chart, start, stop)
    count = len(part["periods"])
    excluded = part["is_excluded"]
    columns = (
        map(_string, part["periods"]),
        _numbers(part["values"], count),
        _numbers(part["numerators"], count),
        _numbers(part["denominators"], count),
        _numbers(part["centre"], count),
        _numbers(part["lower"], count),
        _numbers(part["upper"], count),
        _numbers(part["near_lower"], count),
        _numbers(part["near_upper"], count),
        map(str, part["phase"].tolist()),
        np.where(excluded, "true", "false").tolist()
        if len(excluded)
        else ["false"] * count,
        map(_string, part["rule"]),
        map(_string, part["signal"]),
    )
    return [_CHART_LINE % row for row in zip(*columns, strict=True)]


def _numbers(array: Any, count: int) -> list[str]:
    """A slice of a chart's array as JSON numbers (NaN and infinities as null,
    as ``ChartResult.points()`` gives them); all null when there is none."""
    if array is None:
        return ["null"] * count
    numbers: list[str] = list(map(float.__repr__, array.tolist()))
    for i in np.flatnonzero(~np.isfinite(array)).tolist():
        numbers[i] = "null"
    return numbers


def _number(value: float | None) -> str:
    """A number as ``json.dumps`` writes it."""
    if value is None:
        return "null"
    return repr(value) if math.isfinite(value) else _compact(value)


def _text(value: str | None) -> str:
    return "null" if value is None else _string(value)


def _line(fields: Iterable[str]) -> str:
    """The ``%`` template of a JSON object of these fields on one line, as
    ``json.dumps`` writes it (``{"a": 1, "b": 2}``)."""
    return "{" + ", ".join(f"{json.dumps(name)}: %s" for name in fields) + "}"


_compact = json.JSONEncoder().encode  # one line, with the C encoder
#: A string as ``json.dumps`` writes it (``ensure_ascii``, the C encoder).
_string = json.encoder.encode_basestring_ascii
_POINT_LINE = _line(POINT_FIELDS)
_CHART_LINE = _line(
    (
        "period",
        "value",
        "numerator",
        "denominator",
        "centre",
        "lower",
        "upper",
        "near_lower",
        "near_upper",
        "phase",
        "excluded",
        "rule",
        "signal",
    )
)


class _Streamed:
    """A JSON list whose items come as lines of JSON text in lists, one chunk
    at a time; each item is written on its line."""

    def __init__(self, chunks: Iterable[list[str]]) -> None:
        self.chunks = chunks


class _Later:
    """A JSON value known only once what comes before it has been written."""

    def __init__(self, value: Callable[[], Any]) -> None:
        self.value = value


class _Spool:
    """JSON items kept in a temporary file (in memory up to :data:`PIECE` × 16
    characters), read back in order, once."""

    def __init__(self) -> None:
        self.file = tempfile.SpooledTemporaryFile(max_size=16 * PIECE, mode="w+")

    def extend(self, items: Iterable[Any]) -> None:
        for item in items:
            self.file.write(_compact(item))
            self.file.write("\n")

    def items(self) -> Iterator[Any]:
        self.file.seek(0)
        try:
            for line in self.file:
                yield json.loads(line)
        finally:
            self.file.close()


class _Items:
    """A JSON list whose items come one at a time, laid out as ``json.dumps``
    with ``indent=2`` lays out a list."""

    def __init__(self, items: Iterable[Any]) -> None:
        self.items = items


def _encode(value: Any, level: int) -> Iterator[str]:
    """``value`` as JSON at nesting ``level``, as ``json.dumps(indent=2)`` would
    indent it, but with each item of a :class:`_Streamed` list on one line.

    Dictionaries and lists are written an item at a time (a chart's summary
    may list a signal for every few points), so no part is larger than one
    chunk of a :class:`_Streamed` list or one item."""
    if isinstance(value, _Later):
        yield from _encode(value.value(), level)
    elif isinstance(value, _Streamed):
        inner = "\n" + "  " * (level + 1)
        is_first = True
        for chunk in value.chunks:
            if not chunk:
                continue
            lead = "[" + inner if is_first else "," + inner
            yield lead + ("," + inner).join(chunk)
            is_first = False
        yield "[]" if is_first else "\n" + "  " * level + "]"
    elif isinstance(value, (_Items, list, tuple)):
        inner = "\n" + "  " * (level + 1)
        is_first = True
        for item in value.items if isinstance(value, _Items) else value:
            yield "[" + inner if is_first else "," + inner
            yield from _encode(item, level + 1)
            is_first = False
        yield "[]" if is_first else "\n" + "  " * level + "]"
    elif isinstance(value, dict) and value:
        inner = "\n" + "  " * (level + 1)
        is_first = True
        for key, item in value.items():
            yield ("{" if is_first else ",") + inner + json.dumps(key) + ": "
            yield from _encode(item, level + 1)
            is_first = False
        yield "\n" + "  " * level + "}"
    else:  # a number, a string, None, or an empty dictionary
        yield json.dumps(value)


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
