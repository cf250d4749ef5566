"""Demo step: Riverside's barrier log, for the improvement forum.

Fifteen barriers (``data/barriers.json``) across the seven categories: some new, some months old, at every
severity and status, some holding up demo projects, one escalated to the board.
Dates are relative to the day the demo is built.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from openqi.barriers.models import Barrier
from openqi.projects.models import Project

from .base import Demo
from .measures import units_by_name
from .records import records

__all__ = ["BARRIERS", "add_barriers"]


@dataclass(frozen=True)
class _BarrierSpec:
    category: str
    title: str
    description: str
    unit: str
    severity: str
    status: str
    raised_days_ago: int
    owner: str = ""
    projects: tuple[str, ...] = ()
    #: For a resolved barrier: days ago, and how.
    resolved_days_ago: int | None = None
    resolution: str = ""
    escalate: bool = False


BARRIERS = records(_BarrierSpec, "barriers", "barriers")


def add_barriers(demo: Demo) -> None:
    """Riverside's barrier log."""
    riverside = demo.organisations["riverside"]
    today = timezone.localdate()
    units = units_by_name(riverside)
    projects = {p.title: p for p in Project.objects.for_organisation(riverside)}
    for spec in BARRIERS:
        if Barrier.objects.filter(organisation=riverside, title=spec.title).exists():
            continue
        barrier = Barrier.objects.create(
            organisation=riverside,
            category=spec.category,
            title=spec.title,
            description=spec.description,
            unit=units.get(spec.unit),
            severity=spec.severity,
            owner=demo.users.get(spec.owner),
            status=spec.status,
            raised_on=today - datetime.timedelta(days=spec.raised_days_ago),
            resolved_on=today - datetime.timedelta(days=spec.resolved_days_ago)
            if spec.resolved_days_ago is not None
            else None,
            resolution=spec.resolution,
            escalate_to_board=spec.escalate,
        )
        barrier.projects.set([projects[t] for t in spec.projects if t in projects])
        demo.created["barriers"] += 1
