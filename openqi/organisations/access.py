"""The one way into an organisation's data: through the signed-in person's memberships.

Every view and API endpoint on organisation-owned data starts here. An outsider
gets a 404 (we do not even confirm the organisation exists); a member without
the right role gets a 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Membership, Organisation


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


def organisations_for(user: Any) -> Any:
    return Organisation.objects.for_user(user)
