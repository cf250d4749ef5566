"""The barrier log: searching it, the improvement forum's view, and changing barriers."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone

from openqi.core.categories import BarrierCategory
from openqi.organisations.access import find_for
from openqi.organisations.models import Membership, Organisation

from .models import Barrier

OPEN_STATUSES = (Barrier.Status.OPEN, Barrier.Status.IN_PROGRESS)


def barriers_for(organisation: Organisation) -> QuerySet[Barrier]:
    return Barrier.objects.for_organisation(organisation).select_related(
        "unit", "owner"
    )


def get_barrier_for(membership: Membership, pk: int) -> Barrier:
    """The organisation's barrier ``pk``, with the projects it holds up, or 404."""
    barriers = barriers_for(membership.organisation).prefetch_related("projects")
    return find_for(membership, barriers, pk, "barrier", "barriers")


def search_barriers(
    organisation: Organisation,
    category: str = "",
    status: str = "",
    unit: Any = None,
    severity: str = "",
) -> QuerySet[Barrier]:
    """The log, filtered; open barriers first, then the newest raised."""
    barriers = barriers_for(organisation)
    if category:
        barriers = barriers.filter(category=category)
    if status:
        barriers = barriers.filter(status=status)
    if unit is not None:
        barriers = barriers.filter(unit=unit)
    if severity:
        barriers = barriers.filter(severity=severity)
    is_closed = Case(
        When(status__in=OPEN_STATUSES, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return barriers.order_by(is_closed, "-raised_on", "pk")


@dataclass(frozen=True)
class ForumRow:
    barrier: Barrier
    age_days: int


@dataclass(frozen=True)
class ForumGroup:
    category: str
    label: str
    rows: list[ForumRow]


def forum(
    organisation: Organisation, today: datetime.date | None = None
) -> list[ForumGroup]:
    """Open barriers grouped by the seven categories, oldest first within each."""
    today = today or timezone.localdate()
    open_barriers = (
        barriers_for(organisation)
        .filter(status__in=OPEN_STATUSES)
        .prefetch_related("projects")
        .order_by("raised_on", "pk")
    )
    by_category: dict[str, list[ForumRow]] = {c: [] for c in BarrierCategory.values}
    for barrier in open_barriers:
        age = (today - barrier.raised_on).days
        by_category.setdefault(barrier.category, []).append(ForumRow(barrier, age))
    return [
        ForumGroup(value, label, by_category[value])
        for value, label in BarrierCategory.choices
    ]


def save_barrier(barrier: Barrier, projects: Any = None, **fields: Any) -> Barrier:
    """Create or change a barrier; ``fields`` come from a validated ``BarrierForm``."""
    with transaction.atomic():
        for name, value in fields.items():
            setattr(barrier, name, value)
        barrier.save()
        if projects is not None:
            barrier.projects.set(projects)
    return barrier


def set_escalation(barrier: Barrier, escalate: bool) -> Barrier:
    barrier.escalate_to_board = escalate
    barrier.save(update_fields=["escalate_to_board", "updated_at"])
    return barrier
