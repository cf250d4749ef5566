"""The one way into an organisation's data: through the signed-in person's memberships.

Every view and API endpoint on organisation-owned data starts here. An outsider
gets a 404 (we do not even confirm the organisation exists); a member without
the right role gets a 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from .models import Membership, Organisation, Role

#: The roles that may create and change the organisation's work (``Membership.can_edit``).
EDIT_ROLES = frozenset(Role) - {Role.VIEWER}


def membership_for(user: Any, slug: str) -> Membership:
    """The user's membership of the organisation ``slug``, or 404."""
    if not getattr(user, "is_authenticated", False):
        raise Http404("No such organisation")
    membership = (
        Membership.objects.select_related("organisation", "user", "unit")
        .filter(user=user, organisation__slug=slug)
        .first()
    )
    if membership is None:
        raise Http404("No such organisation")
    return membership


def require_edit(membership: Membership) -> None:
    if not membership.can_edit:
        raise PermissionDenied("Viewers can look but not change anything here.")


def require_manage(membership: Membership) -> None:
    if not membership.can_manage:
        raise PermissionDenied(
            "Only an administrator of this organisation can do this."
        )


def people_who_may_edit(organisation: Organisation) -> QuerySet[Any]:
    """The organisation's members whose role may change its work: the only people
    who may lead a project, be on its team, or own an action or a barrier."""
    return (
        get_user_model()
        .objects.filter(
            memberships__organisation=organisation,
            memberships__role__in=EDIT_ROLES,
        )
        .order_by("full_name", "email")
    )


def organisations_for(user: Any) -> Any:
    return Organisation.objects.for_user(user)
