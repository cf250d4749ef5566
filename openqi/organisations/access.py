"""The one way into an organisation's data: through the signed-in person's memberships.

Every view and API endpoint on organisation-owned data starts here. An outsider
gets a 404 (we do not even confirm the organisation exists); a member without
the right role gets a 403.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404

from .models import Membership, Organisation
from .permissions import (
    CHANGE_WORK,
    DELETE_WITH_HISTORY,
    MANAGE_ORGANISATION,
    has,
    require,
    roles_with,
)


def memberships_of(user: Any) -> list[Membership]:
    """All the signed-in person's memberships, with their organisations and units,
    ordered by organisation name: one query a request, whatever the page asks of
    them (its own membership, the header's organisation switcher). The list is
    kept on the user object, a new one each request."""
    if not getattr(user, "is_authenticated", False):
        return []
    known: list[Membership] | None = user.__dict__.get("_openqi_memberships")
    if known is None:
        known = list(
            Membership.objects.select_related("organisation", "user", "unit")
            .filter(user=user)
            .order_by("organisation__name", "organisation_id")
        )
        user.__dict__["_openqi_memberships"] = known
    return known


def membership_for(user: Any, slug: str) -> Membership:
    """The user's membership of the organisation ``slug``, or 404.

    Read from :func:`memberships_of`, so a middleware, a decorator and the view it
    wraps share one query."""
    for membership in memberships_of(user):
        if membership.organisation.slug == slug:
            return membership
    raise Http404("No such organisation")


def api_membership_for(request: Any, slug: str) -> Membership:
    """The API caller's (token or session) membership of ``slug``, or a 404 that
    says where the caller's organisations are listed."""
    try:
        return membership_for(request.auth, slug)
    except Http404:
        raise Http404(
            f"You are not a member of an organisation '{slug}'. "
            "GET /api/v1/organisations lists the organisations you belong to."
        ) from None


M = TypeVar("M", bound=Model)


def organisation_api_path(membership: Membership, rest: str) -> str:
    """The API path of ``rest`` in the member's organisation, for messages that
    say where to look (not the query-path ``organisation_path`` of QuerySets)."""
    return f"/api/v1/organisations/{membership.organisation.slug}/{rest}"


def find_for(
    membership: Membership, queryset: QuerySet[M], pk: int, what: str, listed: str
) -> M:
    """The row ``pk`` of ``queryset`` (already scoped to the member's organisation),
    or a 404 that says where the API lists them: ``listed`` is the path under the
    organisation ("measures", "journey/steps/3"). The ``get_<thing>_for`` look-ups
    of every app, used by pages and the API alike, are built on it."""
    row = queryset.filter(pk=pk).first()
    if row is None:
        where = organisation_api_path(membership, listed)
        raise Http404(f"There is no {what} {pk} here. GET {where} lists them.")
    return row


def require_edit(membership: Membership) -> None:
    require(membership, CHANGE_WORK)


def require_manage(membership: Membership) -> None:
    require(membership, MANAGE_ORGANISATION)


def may_delete(
    membership: Membership, *, has_history: bool, may_change: bool = True
) -> bool:
    """The one deletion rule: a record without history, anyone who may change it;
    a record with history (a measure with data, …), an administrator or the QI team.

    ``may_change`` narrows "anyone but a viewer" for records that fewer people
    change (a priority: administrators and the QI team; a project's deletion: its
    lead, the QI team and administrators)."""
    if not (has(membership, CHANGE_WORK) and may_change):
        return False
    return not has_history or has(membership, DELETE_WITH_HISTORY)


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
            memberships__role__in=roles_with(CHANGE_WORK),
        )
        .order_by("full_name", "email")
    )


def organisations_for(user: Any) -> Any:
    return Organisation.objects.for_user(user)


def user_organisations(user: Any) -> list[Organisation]:
    """The person's organisations by name, from :func:`memberships_of` (no query
    of its own once the page has looked up its membership)."""
    return [membership.organisation for membership in memberships_of(user)]
