"""The long SPC job on Arrow tables: many series in, points and summaries out.

One job, two places to run it: ``openqi spc-batch`` on a folder of Parquet files
(one machine) and :mod:`openqi.spark` inside each group of a Spark DataFrame.
:func:`chart_table` takes a table with one row per series and period — the
series' key columns, a period, a value, optionally a denominator and a phase —
puts the rows in series and period order with Arrow's sort, checks them, and
hands the columns to :func:`openqi.spc.long.chart_long`, which charts every
phase of every series at once with the SPC core's batch functions. It returns
two Arrow tables:

* the points (:data:`POINT_COLUMNS` after the keys): every row with its plotted
  value, centre line, limits, phase, rule and signal;
* the summaries (:data:`SUMMARY_COLUMNS` after the keys): one row per series
  with its icons, latest point and warnings.

Column by column, with Arrow compute and NumPy: there is no Python loop over
rows or series. PyArrow is needed (the ``parquet`` extra, and PySpark brings it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from openqi.spc.long import LONG_CHARTS, chart_long, long_chart_options
from openqi.spc.results import ASSURANCES, RULES, SIGNALS, VARIATIONS

__all__ = [
    "POINT_COLUMNS",
    "SUMMARY_COLUMNS",
    "LABEL",
    "JobError",
    "chart_table",
    "is_in_order",
    "job_columns",
    "point_schema",
    "series_starts",
    "summary_schema",
]

#: The charts the job draws (the single-series charts of the same names).
CHARTS = tuple(LONG_CHARTS)

#: Labels from a short list (rules, signals, icons): Arrow dictionary arrays of
#: one-byte codes, as Parquet stores them; read back they are text.
LABEL = pa.dictionary(pa.int8(), pa.string())

#: The points' columns after the keys and the period (nullable floats are null
#: where the chart has no line: a run chart has no limits).
POINT_COLUMNS: dict[str, pa.DataType] = {
    "phase": pa.int32(),
    "value": pa.float64(),
    "numerator": pa.float64(),
    "denominator": pa.float64(),
    "centre": pa.float64(),
    "lower": pa.float64(),
    "upper": pa.float64(),
    "near_lower": pa.float64(),
    "near_upper": pa.float64(),
    "rule": LABEL,
    "signal": LABEL,
}

#: The summaries' columns after the keys (``latest_period`` has the period's type).
SUMMARY_COLUMNS: dict[str, pa.DataType | None] = {
    "chart": pa.string(),
    "points": pa.int64(),
    "phases": pa.int32(),
    "latest_period": None,
    "latest_value": pa.float64(),
    "centre": pa.float64(),
    "lower": pa.float64(),
    "upper": pa.float64(),
    "mean_moving_range": pa.float64(),
    "sigma_z": pa.float64(),
    "dispersion_ratio": pa.float64(),
    "variation": LABEL,
    "assurance": LABEL,
    "latest_rule": LABEL,
    "latest_signal": LABEL,
    "special_cause_points": pa.int64(),
    "warnings": pa.list_(pa.string()),
}

_RULES = pa.array(RULES)
_SIGNALS = pa.array(SIGNALS)
_VARIATIONS = pa.array(VARIATIONS)
_ASSURANCES = pa.array(ASSURANCES)


class JobError(ValueError):
    """Input the job refuses, in words that say what is wrong and how to fix it."""


def point_schema(keys: pa.Schema, period: pa.Field) -> pa.Schema:
    """The points table's schema, given the key fields and the period's field."""
    fields = [*keys, pa.field(period.name, period.type)]
    fields += [pa.field(name, kind) for name, kind in POINT_COLUMNS.items()]
    return pa.schema(fields)


def summary_schema(keys: pa.Schema, period: pa.Field) -> pa.Schema:
    """The summaries table's schema, given the key fields and the period's field."""
    fields = list(keys)
    for name, kind in SUMMARY_COLUMNS.items():
        fields.append(pa.field(name, period.type if kind is None else kind))
    return pa.schema(fields)


def chart_table(
    table: pa.Table,
    *,
    keys: Sequence[str],
    period: str,
    value: str,
    chart: str = "xmr",
    denominator: str | None = None,
    phase: str | None = None,
    improvement_column: str | None = None,
    target_column: str | None = None,
    presorted: bool = False,
    **options: Any,
) -> tuple[pa.Table, pa.Table]:
    """Chart every series of ``table``; return its points and its summaries.

    ``keys`` name the columns that together identify a series (a trust and an
    indicator); ``period`` orders its rows (dates, numbers or text that sorts
    in time order, as ISO dates and months do). A null value is a missing
    point. ``phase`` (optional) labels each row's phase: a new phase starts
    wherever the label changes within a series, as the single chart's
    ``rebase``. ``improvement_column`` and ``target_column`` (optional) give
    each series its own direction and target (from its first row); otherwise
    ``improvement`` and ``target`` in ``options`` apply to every series, with
    the chart's other options (:data:`openqi.spc.long.LONG_CHARTS`).

    ``presorted`` says the rows are already in key and period order (the
    caller sorted them): they are not sorted again.

    Raises :class:`JobError` naming the column, or the series and period, at
    fault: a missing column, a null key or period, a period given twice in a
    series, a value that is not a number, a denominator the chart refuses.
    """
    job_columns(
        table.column_names,
        keys=keys,
        period=period,
        value=value,
        chart=chart,
        denominator=denominator,
        phase=phase,
        improvement_column=improvement_column,
        target_column=target_column,
        **options,
    )
    for name in [*keys, period]:
        nulls = table[name].null_count
        if nulls:
            raise JobError(
                f"column {name!r} has {nulls:,} empty cell(s); every row needs its "
                f"{'period' if name == period else 'series key'}: fill or drop them"
            )

    if presorted or is_in_order(table, [*keys, period]):
        t = table
    else:
        order = pc.sort_indices(
            table, sort_keys=[(k, "ascending") for k in (*keys, period)]
        )
        t = table.take(order)
    n_rows = t.num_rows
    changed = _series_changes(t, keys)
    starts = np.flatnonzero(changed).astype(np.int64)
    if n_rows > 1:
        repeated = ~changed[1:] & ~_differs(t[period])
        if repeated.any():
            i = int(np.argmax(repeated)) + 1
            raise JobError(
                f"{_describe(t, keys, period, i)} appears twice; each period may "
                "appear once per series: remove or merge one of them"
            )

    def describe(i: int) -> str:
        return _describe(t, keys, period, i)

    values = _floats(t, value)
    denominators = None if denominator is None else _floats(t, denominator)
    new_phase = None
    if phase is not None:
        labels = pc.fill_null(pc.cast(t[phase], pa.string()), "")
        new_phase = np.zeros(n_rows, dtype=bool)
        new_phase[1:] = _differs(labels)
    opts = dict(options)
    if improvement_column is not None:
        opts["improvement"] = _improvements(t, improvement_column, starts, describe)
    if target_column is not None:
        targets = _floats(t, target_column)[starts] if n_rows else np.zeros(0)
        opts["target"] = targets
    period_column = t[period]

    try:
        found = chart_long(
            chart,
            values,
            starts=starts,
            denominators=denominators,
            new_phase=new_phase,
            period_labels=lambda rows: pc.cast(
                period_column.take(pa.array(rows)), pa.string()
            ).to_pylist(),
            describe=describe,
            **opts,
        )
    except ValueError as error:
        raise JobError(str(error)) from None

    points: dict[str, pa.Array | pa.ChunkedArray] = {k: t[k] for k in keys}
    points[period] = t[period]
    points["phase"] = pa.array(found.phase.astype(np.int32))
    points["value"] = _nullable(found.value)
    points["numerator"] = (
        _nullable(values) if denominator is not None else pa.nulls(n_rows, pa.float64())
    )
    points["denominator"] = (
        _nullable(denominators)
        if denominators is not None
        else pa.nulls(n_rows, pa.float64())
    )
    for line in ("centre", "lower", "upper", "near_lower", "near_upper"):
        points[line] = _nullable(getattr(found, line))
    points["rule"] = _labels(_RULES, found.rule)
    points["signal"] = _labels(_SIGNALS, found.signal)

    latest = found.latest_row
    has_latest = latest >= 0
    at = np.where(has_latest, latest, 0)
    take_at = pa.array(at, mask=~has_latest)
    summary: dict[str, pa.Array | pa.ChunkedArray] = {
        k: t[k].take(pa.array(starts)) for k in keys
    }
    summary["chart"] = pa.repeat(pa.scalar(chart), len(starts))
    summary["points"] = pa.array(found.n_points)
    summary["phases"] = pa.array(found.n_phases.astype(np.int32))
    summary["latest_period"] = t[period].take(take_at)
    summary["latest_value"] = _nullable(np.where(has_latest, found.value[at], np.nan))
    for line in ("centre", "lower", "upper"):
        summary[line] = _nullable(
            np.where(has_latest, getattr(found, line)[at], np.nan)
        )
    summary["mean_moving_range"] = _nullable(found.mean_moving_range)
    summary["sigma_z"] = _nullable(found.sigma_z)
    summary["dispersion_ratio"] = _nullable(found.dispersion_ratio)
    # A series with no value at all has no icon (the single chart refuses it).
    summary["variation"] = _labels(_VARIATIONS, found.variation, ~has_latest)
    summary["assurance"] = _labels(_ASSURANCES, found.assurance, found.assurance < 0)
    summary["latest_rule"] = _labels(_RULES, found.rule[at], ~has_latest)
    summary["latest_signal"] = _labels(_SIGNALS, found.signal[at], ~has_latest)
    summary["special_cause_points"] = pa.array(found.special_cause_points)
    offsets = np.searchsorted(
        found.warning_series, np.arange(len(starts) + 1), side="left"
    ).astype(np.int32)
    summary["warnings"] = pa.ListArray.from_arrays(
        pa.array(offsets), pa.array(found.warnings.astype(object), pa.string())
    )

    key_fields = pa.schema([table.schema.field(k) for k in keys])
    period_field = table.schema.field(period)
    return (
        pa.table(points, schema=point_schema(key_fields, period_field)),
        pa.table(summary, schema=summary_schema(key_fields, period_field)),
    )


def job_columns(
    available: Sequence[str],
    *,
    keys: Sequence[str],
    period: str,
    value: str,
    chart: str = "xmr",
    denominator: str | None = None,
    phase: str | None = None,
    improvement_column: str | None = None,
    target_column: str | None = None,
    **options: Any,
) -> list[str]:
    """The columns the job reads, once everything that does not need the rows
    is checked against the ``available`` column names: the chart, its options,
    the key, period and result column names, the denominator. Raises
    :class:`JobError` as :func:`chart_table` does; Spark and ``spc-batch`` call
    it before reading anything."""
    if chart not in LONG_CHARTS:
        raise JobError(f"chart must be one of {', '.join(CHARTS)}; got {chart!r}")
    if not keys:
        raise JobError(
            "name at least one key column: the columns that identify a series"
        )
    needed = [*keys, period, value]
    needed += [
        c
        for c in (denominator, phase, improvement_column, target_column)
        if c is not None
    ]
    needed = list(dict.fromkeys(needed))
    missing = [c for c in needed if c not in available]
    if missing:
        raise JobError(
            f"no column {', '.join(repr(c) for c in missing)}; the table has "
            f"{', '.join(available)}"
        )
    taken = [c for c in (*keys, period) if c in POINT_COLUMNS or c in SUMMARY_COLUMNS]
    if taken:
        raise JobError(
            f"the results have a column named {taken[0]!r} of their own: rename the "
            f"key or period column {taken[0]!r} (to {taken[0]}_key, say)"
        )
    if len(set(keys)) != len(keys) or period in keys:
        raise JobError("name each key column once, and the period apart from the keys")
    if chart in ("p", "u", "pp", "up") and denominator is None:
        raise JobError(f"a {chart} chart needs a denominator column: name it")
    if chart == "xmr" and denominator is not None:
        raise JobError(
            "an xmr chart takes no denominator: leave it out or pick another chart"
        )
    try:
        long_chart_options(chart, options)
    except ValueError as error:
        raise JobError(str(error)) from None
    return needed


def is_in_order(table: pa.Table, columns: Sequence[str]) -> bool:
    """Whether the rows are already in ascending order of ``columns`` taken
    together (as Arrow's sort would put them, with no two rows tied), checked
    a column at a time without a sort."""
    n = table.num_rows
    if n < 2:
        return True
    after = np.zeros(n - 1, dtype=bool)  # strictly after the row before
    tied = np.ones(n - 1, dtype=bool)  # equal on every column so far
    for name in columns:
        column = table[name]
        column = (
            column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        )
        if pa.types.is_dictionary(column.type):
            column = column.cast(column.type.value_type)
        if column.null_count:
            return False
        current, previous = column.slice(1), column.slice(0, n - 1)
        greater = np.asarray(
            pc.greater(current, previous).to_numpy(zero_copy_only=False), dtype=bool
        )
        equal = np.asarray(
            pc.equal(current, previous).to_numpy(zero_copy_only=False), dtype=bool
        )
        after |= tied & greater
        tied &= equal
        if not (after | tied).all():
            return False
    return bool(after.all())


def series_starts(table: pa.Table, keys: Sequence[str]) -> NDArray[np.int64]:
    """The first row of each series in a table in key order."""
    return np.flatnonzero(_series_changes(table, keys)).astype(np.int64)


def _series_changes(table: pa.Table, keys: Sequence[str]) -> NDArray[np.bool_]:
    """Whether each row starts a series (its keys differ from the row before)."""
    changed = np.zeros(table.num_rows, dtype=bool)
    if table.num_rows:
        changed[0] = True
    for name in keys:
        changed[1:] |= _differs(table[name])
    return changed


def _differs(column: pa.ChunkedArray | pa.Array) -> NDArray[np.bool_]:
    """Whether each row (from the second) differs from the row before."""
    if len(column) < 2:
        return np.zeros(0, dtype=bool)
    combined = (
        column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    )
    if pa.types.is_dictionary(combined.type):
        combined = combined.cast(combined.type.value_type)
    unequal = pc.not_equal(combined.slice(1), combined.slice(0, len(combined) - 1))
    return np.asarray(
        pc.fill_null(unequal, True).to_numpy(zero_copy_only=False), dtype=bool
    )


def _floats(t: pa.Table, name: str) -> NDArray[np.float64]:
    """A numeric column as floats, ``NaN`` for an empty cell."""
    column = t[name]
    kind = column.type
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    if not (
        pa.types.is_integer(kind)
        or pa.types.is_floating(kind)
        or pa.types.is_decimal(kind)
    ):
        raise JobError(
            f"column {name!r} holds {kind}, not numbers: convert it to a number type"
        )
    as_float = pc.cast(column, pa.float64())
    out = np.asarray(
        pc.fill_null(as_float, float("nan")).to_numpy(zero_copy_only=False),
        dtype=np.float64,
    )
    return out


def _improvements(
    t: pa.Table, name: str, starts: NDArray[np.int64], describe: Any
) -> NDArray[Any]:
    """Each series' direction of improvement, from its first row."""
    firsts = pc.cast(t[name].take(pa.array(starts)), pa.string())
    known = pc.is_in(firsts, value_set=pa.array(["increase", "decrease", "neither"]))
    ok = np.asarray(
        pc.fill_null(known, False).to_numpy(zero_copy_only=False), dtype=bool
    )
    if not ok.all():
        i = int(starts[int(np.argmax(~ok))])
        raise JobError(
            f"{describe(i)}: column {name!r} must say increase, decrease or neither; "
            f"got {firsts[int(np.argmax(~ok))].as_py()!r}"
        )
    return np.asarray(firsts.to_numpy(zero_copy_only=False), dtype=object)


def _labels(
    names: pa.Array, codes: NDArray[np.int8], mask: NDArray[np.bool_] | None = None
) -> pa.DictionaryArray:
    """Codes into ``names`` as a dictionary array (null where ``mask``)."""
    indices = pa.array(np.asarray(codes, dtype=np.int8), mask=mask)
    return pa.DictionaryArray.from_arrays(indices, names)


def _nullable(values: NDArray[np.float64]) -> pa.Array:
    """Floats with ``NaN`` as null."""
    return pa.array(values, mask=np.isnan(values))


def _describe(t: pa.Table, keys: Sequence[str], period: str, i: int) -> str:
    """One row named by its series and period: ``series trust=RXX, period 2024-03``."""
    series = ", ".join(f"{k}={t[k][i].as_py()}" for k in keys)
    return f"series {series}, period {t[period][i].as_py()}"
