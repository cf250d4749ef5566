"""Charts of a Spark DataFrame's series, computed in Spark's Python workers."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from pyspark import StorageLevel
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from openqi.longjob import (
    LABEL,
    POINT_COLUMNS,
    SUMMARY_COLUMNS,
    JobError,
    chart_table,
)
from openqi.spc.long import LONG_CHARTS, long_chart_options

__all__ = ["SpcFrames", "spc"]

#: The column that spreads the series over groups (dropped from the results).
_GROUP = "__openqi_group"
#: Which kind of row a row of the combined result is.
_RECORD = "__openqi_record"

_SPARK_TYPES: dict[pa.DataType, T.DataType] = {
    pa.int32(): T.IntegerType(),
    pa.int64(): T.LongType(),
    pa.float64(): T.DoubleType(),
    pa.string(): T.StringType(),
    pa.list_(pa.string()): T.ArrayType(T.StringType()),
}


def _text(kind: pa.DataType) -> pa.DataType:
    """Spark takes text, not Arrow dictionaries: a label column's type in Spark."""
    return pa.string() if kind == LABEL else kind


@dataclass(frozen=True)
class SpcFrames:
    """The result of :func:`spc`: ``points`` (one row per input row) and
    ``summaries`` (one row per series), both read from ``combined``, which is
    computed once and kept (memory, then disk) when ``persist`` was asked for:
    call :meth:`unpersist` when both are written."""

    points: DataFrame
    summaries: DataFrame
    combined: DataFrame

    def unpersist(self) -> None:
        self.combined.unpersist()


def spc(
    df: DataFrame,
    *,
    keys: Sequence[str] | str,
    period: str,
    value: str,
    chart: str = "xmr",
    denominator: str | None = None,
    phase: str | None = None,
    improvement_column: str | None = None,
    target_column: str | None = None,
    groups: int | None = None,
    persist: bool = True,
    **options: Any,
) -> SpcFrames:
    """Making Data Count charts of every series in ``df``.

    Parameters
    ----------
    df : pyspark.sql.DataFrame
        Long form: one row per series and period.
    keys : str or sequence of str
        The column(s) that together identify a series.
    period : str
        The column that orders a series' rows (a date, a number, or text that
        sorts in time order such as ``2024-03``).
    value : str
        The values; for p, u, p′ and u′ charts (and a run chart with a
        denominator) the numerators. A null value is a missing point.
    chart : {"xmr", "run", "p", "u", "pp", "up"}
    denominator, phase : str, optional
        The denominators; a label of each row's phase (a new phase, with its
        own centre and limits, starts wherever it changes within a series).
    improvement_column, target_column : str, optional
        Each series' direction and target, from its first row; otherwise the
        ``improvement`` and ``target`` options apply to every series.
    groups : int, optional
        How many groups the series are spread over (by a hash of their keys):
        each group is charted in one Python call with all its rows in memory.
        Default ``spark.sql.shuffle.partitions``; raise it for big data (about
        one group per million rows keeps a worker's memory small).
    persist : bool, default True
        Keep the combined result (``StorageLevel.MEMORY_AND_DISK``) so that
        reading both ``points`` and ``summaries`` computes the charts once.
    **options
        The chart's options as ``openqi spc`` takes them: ``improvement``,
        ``target``, ``multiply``, ``screen``, ``fix_after``, ``shift_length``,
        ``trend_length``, ``two_of_three`` (:data:`openqi.spc.long.LONG_CHARTS`
        says which chart takes which).

    Returns
    -------
    SpcFrames
        ``points``: the keys, the period and :data:`openqi.longjob.POINT_COLUMNS`;
        ``summaries``: the keys and :data:`openqi.longjob.SUMMARY_COLUMNS`.
        Lazy, as every DataFrame: nothing runs until they are read or written.

    Raises
    ------
    openqi.longjob.JobError
        At once, for a column that is not there, a chart or an option that is
        not known; when the job runs (inside Spark's error), for a bad row,
        naming its series and period.
    """
    key_list = [keys] if isinstance(keys, str) else list(keys)
    if chart not in LONG_CHARTS:
        raise JobError(f"chart must be one of {', '.join(LONG_CHARTS)}; got {chart!r}")
    try:
        long_chart_options(chart, options)
    except ValueError as error:
        raise JobError(str(error)) from None
    if not key_list:
        raise JobError(
            "name at least one key column: the columns that identify a series"
        )
    columns = [*key_list, period, value]
    columns += [
        c
        for c in (denominator, phase, improvement_column, target_column)
        if c is not None
    ]
    columns = list(dict.fromkeys(columns))
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise JobError(
            f"no column {', '.join(repr(c) for c in missing)}; the DataFrame has "
            f"{', '.join(df.columns)}"
        )
    if _GROUP in df.columns or _RECORD in df.columns:
        raise JobError(
            f"rename the columns {_GROUP!r} and {_RECORD!r}: OpenQI uses them"
        )
    n_groups = groups or int(
        df.sparkSession.conf.get("spark.sql.shuffle.partitions") or 200
    )
    if n_groups < 1:
        raise JobError(f"groups must be at least 1; got {n_groups}")

    source = df.select(*columns)
    fields = {f.name: f for f in source.schema.fields}
    combined_schema = T.StructType(
        [fields[k] for k in key_list]
        + [T.StructField(period, fields[period].dataType), _field(_RECORD, pa.string())]
        + [_field(name, kind) for name, kind in _COMBINED.items()]
    )
    job = {
        "keys": key_list,
        "period": period,
        "value": value,
        "chart": chart,
        "denominator": denominator,
        "phase": phase,
        "improvement_column": improvement_column,
        "target_column": target_column,
        **options,
    }

    def chart_group(table: pa.Table) -> pa.Table:
        return _combined(table.drop_columns([_GROUP]), job)

    grouped = source.withColumn(
        _GROUP, F.pmod(F.xxhash64(*[F.col(k) for k in key_list]), F.lit(n_groups))
    ).groupBy(_GROUP)
    with warnings.catch_warnings():
        # The job hands PySpark Arrow tables, never pandas; PySpark still warns
        # about the pandas version it finds installed.
        warnings.filterwarnings("ignore", message=".*pandas.*", category=FutureWarning)
        combined = grouped.applyInArrow(chart_group, combined_schema)
    if persist:
        combined = combined.persist(StorageLevel.MEMORY_AND_DISK)

    is_point = F.col(_RECORD) == F.lit("point")
    points = combined.where(is_point).select(*key_list, period, *POINT_COLUMNS)
    summaries = combined.where(~is_point).select(
        *key_list,
        *[
            F.col(_SUMMARY_SOURCE.get(name, name).replace("__period__", period)).alias(
                name
            )
            for name in SUMMARY_COLUMNS
        ],
    )
    return SpcFrames(points=points, summaries=summaries, combined=combined)


#: The combined result's columns after the keys, the period and the record:
#: every point column, then the summary's own columns (a summary row keeps its
#: latest period, value, lines, rule and signal in the points' columns).
_COMBINED: dict[str, pa.DataType] = {
    **{name: _text(kind) for name, kind in POINT_COLUMNS.items()},
    "chart": pa.string(),
    "points": pa.int64(),
    "phases": pa.int32(),
    "mean_moving_range": pa.float64(),
    "sigma_z": pa.float64(),
    "dispersion_ratio": pa.float64(),
    "variation": pa.string(),
    "assurance": pa.string(),
    "special_cause_points": pa.int64(),
    "warnings": pa.list_(pa.string()),
}
#: Where a summary column is kept in the combined result.
_SUMMARY_SOURCE = {
    "latest_value": "value",
    "latest_period": "__period__",
    "latest_rule": "rule",
    "latest_signal": "signal",
}
_LATEST = {v: k for k, v in _SUMMARY_SOURCE.items()}


def _field(name: str, kind: pa.DataType) -> T.StructField:
    return T.StructField(name, _SPARK_TYPES[kind], nullable=True)


def _combined(table: pa.Table, job: dict[str, Any]) -> pa.Table:
    """One group's points and summaries as one table of the combined schema."""
    options = dict(job)
    keys = options.pop("keys")
    period = options["period"]
    points, summaries = chart_table(table, keys=keys, **options)
    n_points, n_series = points.num_rows, summaries.num_rows
    point_part: dict[str, Any] = {k: points[k] for k in (*keys, period)}
    point_part[_RECORD] = pa.repeat(pa.scalar("point"), n_points)
    summary_part: dict[str, Any] = {k: summaries[k] for k in keys}
    summary_part[period] = summaries["latest_period"]
    summary_part[_RECORD] = pa.repeat(pa.scalar("series"), n_series)
    for name, kind in _COMBINED.items():
        if name in POINT_COLUMNS:
            point_part[name] = points[name]
            source = _LATEST.get(name, name)
            summary_part[name] = (
                summaries[source]
                if source in summaries.column_names
                else pa.nulls(n_series, kind)
            )
        else:
            point_part[name] = pa.nulls(n_points, kind)
            summary_part[name] = summaries[name]
    schema = pa.schema(
        [points.schema.field(k) for k in (*keys, period)]
        + [pa.field(_RECORD, pa.string())]
        + [pa.field(n, k) for n, k in _COMBINED.items()]
    )
    for part in (point_part, summary_part):
        for name, column in part.items():
            if column.type == LABEL:
                part[name] = pc.cast(column, pa.string())
    return pa.concat_tables(
        [pa.table(point_part, schema=schema), pa.table(summary_part, schema=schema)]
    )
