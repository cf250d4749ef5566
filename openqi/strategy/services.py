"""Strategic priorities: looking them up, and the operations on them.

Who may change them is in ``permissions.py``."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet

from openqi.organisations.access import find_for
from openqi.organisations.models import Membership, Organisation

from .models import StrategicPriority


def priorities_for(organisation: Organisation) -> QuerySet[StrategicPriority]:
    """The organisation's priorities, each with ``project_count`` and its headline measure."""
    priorities: QuerySet[StrategicPriority] = (
        StrategicPriority.objects.for_organisation(organisation)
        .select_related("headline_measure")
        .annotate(project_count=Count("projects", distinct=True))
        # An aggregate drops Meta.ordering, so it is restated here.
        .order_by("position", "title")
    )
    return priorities


def get_priority_for(membership: Membership, pk: int) -> StrategicPriority:
    """The organisation's priority ``pk`` (with its ``project_count``), or 404."""
    priorities = priorities_for(membership.organisation)
    return find_for(membership, priorities, pk, "strategic priority", "priorities")


def create_priority(organisation: Organisation, **fields: Any) -> StrategicPriority:
    """A new priority; ``fields`` come from a validated ``PriorityForm``."""
    with transaction.atomic():
        priority = StrategicPriority(organisation=organisation, **fields)
        priority.full_clean()
        priority.save()
    return priority


def update_priority(priority: StrategicPriority, **fields: Any) -> StrategicPriority:
    with transaction.atomic():
        for name, value in fields.items():
            setattr(priority, name, value)
        priority.full_clean()
        priority.save()
    return priority


def delete_priority(priority: StrategicPriority) -> None:
    """Delete a priority; its projects stay, no longer linked to it."""
    priority.delete()
