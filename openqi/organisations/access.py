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


#: The roles that may delete a record with history (docs/api.md, "Deleting").
DELETE_HISTORY_ROLES = frozenset({Role.ADMIN, Role.QI_TEAM})


def may_delete(
    membership: Membership, *, has_history: bool, may_change: bool = True
) -> bool:
    """The one deletion rule: a record without history, anyone who may change it;
    a record with history (a measure with data, …), an administrator or the QI team.

    ``may_change`` narrows "anyone but a viewer" for records that fewer people
    change (a priority: administrators and the QI team; a project's deletion: its
    lead, the QI team and administrators)."""
    if not (membership.can_edit and may_change):
        return False
    return not has_history or membership.role in DELETE_HISTORY_ROLES


def require_delete(
    membership: Membership,
    *,
    has_history: bool,
    what: str,
    may_change: bool = True,
) -> None:
    """Raise 403 unless :func:`may_delete`; ``what`` names the record with its history
    ("a measure with data"). Callers check ``may_change`` with their own message first."""
    if not may_delete(membership, has_history=has_history, may_change=may_change):
        require_edit(membership)
        if not may_change:
            raise PermissionDenied("You may not change this, so you may not delete it.")
        raise PermissionDenied(
            f"Only an administrator or the QI team can delete {what}: it has history "
            "that would be lost."
        )


def deletion_rule(*, history: str, who_may_change: str = "Anyone but a viewer") -> str:
    """The sentence a delete confirmation shows: who may delete the record, and when
    it needs an administrator or the QI team (``history``: "once it has data")."""
    if who_may_change == "Administrators and the QI team":
        return f"{who_may_change} may delete this."
    return (
        f"{who_may_change} may delete this; {history}, only an administrator or the "
        "QI team may."
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
