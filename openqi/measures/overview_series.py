"""A whole organisation's measure data read fast: every measure's series in one
query, into NumPy (for the measures overview and the portfolio's icons).

Read through a plain cursor: building 130,000 model instances (or Django's
per-value conversions) would cost more than the charts.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet

from .models import DataPoint

__all__ = ["Series", "load_series"]


@dataclass(frozen=True)
class _Point:
    """The fields ``chart_for`` reads from a data point."""

    period: datetime.date
    value: float | None
    denominator: float | None
    is_excluded: bool = False


@dataclass(frozen=True)
class Series:
    """One measure's data in period order: periods, values (NaN for missing),
    denominators, and which points are left out of the calculations."""

    periods: Sequence[datetime.date]
    values: np.ndarray
    denominators: Sequence[float | None]
    excluded: Sequence[bool] = ()

    @property
    def has_exclusions(self) -> bool:
        return any(self.excluded)

    def points(self) -> list[_Point]:
        excluded = self.excluded or [False] * len(self.values)
        return [
            _Point(p, None if math.isnan(v) else float(v), d, bool(x))
            for p, v, d, x in zip(
                self.periods, self.values, self.denominators, excluded, strict=True
            )
        ]


def _as_date(value: Any) -> datetime.date:
    # A raw cursor gives SQLite's text and PostgreSQL's dates.
    return (
        value
        if isinstance(value, datetime.date)
        else datetime.date.fromisoformat(value)
    )


def load_series(points: QuerySet[DataPoint]) -> dict[int, Series]:
    """Every measure's series from ``points``, in one query.

    Read through a plain cursor into NumPy: building 130,000 model instances (or
    Django's per-value conversions) would cost more than the charts.
    """
    rows = points.order_by("measure_id", "period").values_list(
        "measure_id", "period", "value", "denominator", "is_excluded"
    )
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:  # filtered on an empty list of measures
        return {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    if not fetched:
        return {}
    ids_column, periods, values_column, denominators, excluded = zip(
        *fetched, strict=True
    )
    ids = np.asarray(ids_column, dtype=np.int64)
    values = np.asarray(values_column, dtype=np.float64)
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    ends = np.r_[starts[1:], len(ids)]
    return {
        int(ids[a]): Series(
            _LazyDates(periods, a, b),
            values[a:b],
            denominators[a:b],
            [bool(x) for x in excluded[a:b]],
        )
        for a, b in zip(starts.tolist(), ends.tolist(), strict=True)
    }


class _LazyDates(Sequence[datetime.date]):
    """A slice of raw period values, turned into dates when read."""

    def __init__(self, raw: Sequence[Any], start: int, stop: int) -> None:
        self.raw, self.start, self.stop = raw, start, stop

    def __len__(self) -> int:
        return self.stop - self.start

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return _as_date(self.raw[self.start + i])
