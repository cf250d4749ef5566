"""The organisation rule "administrators must use multi-factor authentication".

Administrators are the members who hold MANAGE_ORGANISATION (roles_with reads
the roles from the permission, for the database query)."""

from __future__ import annotations

from typing import Any

from allauth.account.authentication import get_authentication_records
from allauth.mfa.utils import is_mfa_enabled
from django.http import Http404, HttpRequest

from openqi.organisations.access import membership_for
from openqi.organisations.models import Membership
from openqi.organisations.permissions import MANAGE_ORGANISATION, has, roles_with


def organisations_requiring_mfa(user: Any) -> list[str]:
    """Names of the organisations where ``user`` is an administrator that require MFA
    of administrators, when ``user`` has not set it up; empty otherwise."""
    if not getattr(user, "is_authenticated", False):
        return []
    names = list(
        Membership.objects.filter(
            user=user,
            role__in=roles_with(MANAGE_ORGANISATION),
            organisation__admins_must_use_mfa=True,
        ).values_list("organisation__name", flat=True)
    )
    if not names or is_mfa_enabled(user):
        return []
    return names


def is_signed_in_through_identity_provider(request: HttpRequest) -> bool:
    """Whether this session began at the organisation's identity provider, which
    asks for its own second factor (so OpenQI's MFA is for local accounts)."""
    return any(
        record.get("method") == "socialaccount"
        for record in get_authentication_records(request, request.user)
    )


def must_set_up_mfa(request: HttpRequest, slug: str) -> str | None:
    """The organisation's name when the signed-in person is its administrator and
    it requires MFA that they have not set up; else None."""
    if is_signed_in_through_identity_provider(request):
        return None
    return mfa_missing_for(request.user, slug)


def mfa_missing_for(user: Any, slug: str) -> str | None:
    """As :func:`must_set_up_mfa`, for a person (an API token's) without a session.

    Reads the membership through ``membership_for``, which keeps it for the
    request, so the page's own access check that follows asks for it no more."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        membership = membership_for(user, slug)
    except Http404:
        return None  # not a member: the page's access check answers 404
    if not membership.organisation.admins_must_use_mfa:
        return None
    if not has(membership, MANAGE_ORGANISATION) or is_mfa_enabled(user):
        return None
    return membership.organisation.name
