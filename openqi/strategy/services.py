"""Strategic priorities: who may change them, and the operations on them."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, QuerySet
from django.urls import NoReverseMatch, reverse

from openqi.organisations.models import Membership, Organisation, Role

from .models import StrategicPriority

#: The roles that set the organisation's priorities and rate projects as QI coach.
QI_ROLES = frozenset({Role.ADMIN, Role.QI_TEAM})


def is_qi(membership: Membership) -> bool:
    """Whether the member is an administrator or in the central QI team."""
    return membership.role in QI_ROLES


def require_qi(membership: Membership) -> None:
    if not is_qi(membership):
        raise PermissionDenied(
            "Only the QI team or an administrator of this organisation can do this."
        )


def url_if_served(name: str, **kwargs: Any) -> str | None:
    """The URL of a route, or None while the route does not exist (pages built in parallel)."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def priorities_for(organisation: Organisation) -> QuerySet[StrategicPriority]:
    """The organisation's priorities, each with ``project_count`` and its headline measure."""
    return (
        StrategicPriority.objects.for_organisation(organisation)
        .select_related("headline_measure")
        .annotate(project_count=Count("projects", distinct=True))
        # An aggregate drops Meta.ordering, so it is restated here.
        .order_by("position", "title")
    )


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
