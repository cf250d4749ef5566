"""Demo step: Riverside's strategic priorities ("true north"), each with a headline measure.

The priorities (``data/priorities.json``) are saved one by one, so they are on the audit trail as the demo
command's. A headline measure is named, not created: :mod:`openqi.demo.measures`
makes it in the step before (the first name that exists is used, so the real
A&E measure falls back to the sepsis measure when the A&E data is missing).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from openqi.measures.models import Measure
from openqi.strategy.models import StrategicPriority

from .base import Demo
from .records import records

__all__ = ["PRIORITIES", "add_priorities"]


@dataclass(frozen=True)
class _PrioritySpec:
    title: str
    description: str
    period_start: datetime.date
    period_end: datetime.date | None
    #: Headline measure names, the first that exists is used.
    headline: tuple[str, ...] = ()


PRIORITIES = records(_PrioritySpec, "priorities", "priorities")


def add_priorities(demo: Demo) -> None:
    """Riverside's four priorities, with their periods and headline measures."""
    riverside = demo.organisations["riverside"]
    measures = {
        m.name: m
        for m in Measure.objects.for_organisation(riverside).filter(
            name__in=[name for spec in PRIORITIES for name in spec.headline]
        )
    }
    for position, spec in enumerate(PRIORITIES, start=1):
        headline = next((measures[n] for n in spec.headline if n in measures), None)
        _, created = StrategicPriority.objects.get_or_create(
            organisation=riverside,
            title=spec.title,
            defaults={
                "description": spec.description,
                "period_start": spec.period_start,
                "period_end": spec.period_end,
                "headline_measure": headline,
                "position": position,
            },
        )
        demo.created["strategic priorities"] += created
