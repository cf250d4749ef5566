"""Small builders for the measure tests (tests/factories.py belongs to the platform)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from openqi.measures import importing
from openqi.measures.models import DataPoint, Measure
from openqi.organisations.models import Organisation


def make_measure(organisation: Organisation, **fields: Any) -> Measure:
    fields.setdefault("name", f"Measure {Measure.objects.count() + 1}")
    return Measure.objects.create(organisation=organisation, **fields)


def add_points(
    measure: Measure,
    values: Sequence[float | None],
    *,
    start: datetime.date = datetime.date(2023, 1, 1),
    denominators: Sequence[float | None] | None = None,
) -> list[DataPoint]:
    """One point per period from ``start``, in the measure's frequency."""
    points = []
    period = importing.period_start(start, measure.frequency)
    for i, value in enumerate(values):
        points.append(
            DataPoint.objects.create(
                measure=measure,
                period=period,
                value=value,
                denominator=None if denominators is None else denominators[i],
            )
        )
        period = importing.next_period(period, measure.frequency)
    return points


#: A monthly series from January 2023 with a known shift: fourteen points
#: alternating 11 and 9, then seven at 12 (March to September 2024), which sit
#: above the mean of the whole series (about 10.6) and inside the limits.
SHIFTED = [11, 9] * 7 + [12] * 7
