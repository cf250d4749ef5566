"""Charts of a Spark DataFrame's series, computed in Spark's Python workers."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from openqi.longjob import (
    LABEL,
    POINT_COLUMNS,
    SUMMARY_COLUMNS,
    JobError,
    chart_table,
    job_columns,
)

__all__ = ["SpcFrames", "spc"]

#: The column that spreads the series over groups (dropped from the results).
_GROUP = "__openqi_group"

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
    ``summaries`` (one row per series). Each is computed when it is read or
    written: reading only the summaries charts the data without moving every
    point back to Spark."""

    points: DataFrame
    summaries: DataFrame


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
    columns = job_columns(df.columns, **job)
    if _GROUP in df.columns:
        raise JobError(f"rename the column {_GROUP!r}: OpenQI uses it")
    n_groups = groups or int(
        df.sparkSession.conf.get("spark.sql.shuffle.partitions") or 200
    )
    if n_groups < 1:
        raise JobError(f"groups must be at least 1; got {n_groups}")

    source = df.select(*columns)
    fields = {f.name: f for f in source.schema.fields}
    key_fields = [fields[k] for k in key_list]
    period_type = fields[period].dataType
    point_schema = T.StructType(
        [*key_fields, T.StructField(period, period_type)]
        + [_field(name, kind) for name, kind in POINT_COLUMNS.items()]
    )
    summary_schema = T.StructType(
        key_fields
        + [
            T.StructField(name, period_type) if kind is None else _field(name, kind)
            for name, kind in SUMMARY_COLUMNS.items()
        ]
    )

    def chart_points(table: pa.Table) -> pa.Table:
        return _as_text(chart_table(table.drop_columns([_GROUP]), **job)[0])

    def chart_summaries(table: pa.Table) -> pa.Table:
        return _as_text(chart_table(table.drop_columns([_GROUP]), **job)[1])

    grouped = source.withColumn(
        _GROUP, F.pmod(F.xxhash64(*[F.col(k) for k in key_list]), F.lit(n_groups))
    ).groupBy(_GROUP)
    with warnings.catch_warnings():
        # The job hands PySpark Arrow tables, never pandas; PySpark still warns
        # about the pandas version it finds installed.
        warnings.filterwarnings("ignore", message=".*pandas.*", category=FutureWarning)
        points = grouped.applyInArrow(chart_points, point_schema)
        summaries = grouped.applyInArrow(chart_summaries, summary_schema)
    return SpcFrames(points=points, summaries=summaries)


def _field(name: str, kind: pa.DataType) -> T.StructField:
    return T.StructField(name, _SPARK_TYPES[_text(kind)], nullable=True)


def _as_text(table: pa.Table) -> pa.Table:
    """Labels as text: Spark takes no Arrow dictionaries."""
    for i, field in enumerate(table.schema):
        if field.type == LABEL:
            table = table.set_column(i, field.name, pc.cast(table[i], pa.string()))
    return table
