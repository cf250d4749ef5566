"""Every API route, for the access walk (see tests/access.py)."""

from __future__ import annotations

from typing import Any

from openqi.organisations.models import Invitation, Membership, Role, Unit
from tests.access import Route, Write
from tests.factories import make_member, make_unit


def _org(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug}


def _new_unit(cast: Any) -> dict[str, Any]:
    return {
        "unit_id": make_unit(cast.org, name=f"Spare unit {Unit.objects.count()}").pk
    }


def _new_member(cast: Any) -> dict[str, Any]:
    user = make_member(cast.org, Role.MEMBER)
    return {"member_id": Membership.objects.get(user=user).pk}


def _invitation(cast: Any) -> Invitation:
    invitation = Invitation.objects.filter(
        organisation=cast.org, email="kept.invitee@example.org"
    ).first()
    if invitation is None:
        invitation, _ = Invitation.create(
            organisation=cast.org, email="kept.invitee@example.org", role=Role.MEMBER
        )
    return invitation


def _new_invitation(cast: Any) -> dict[str, Any]:
    invitation, _ = Invitation.create(
        organisation=cast.org,
        email=f"invitee{Invitation.objects.count()}@example.org",
        role=Role.MEMBER,
    )
    return {"invitation_id": invitation.pk}


def _editor_membership(cast: Any) -> dict[str, Any]:
    membership = Membership.objects.get(user=cast.editor, organisation=cast.org)
    return {**_org(cast), "member_id": membership.pk}


ROUTES: list[Route] = [
    Route("api:api-root", public=True, is_api=True),
    Route("api:openapi-json", public=True, is_api=True),
    Route("api:openapi-view", public=True, is_api=True),
    Route(
        "api:docs-asset",
        kwargs=lambda c: {"name": "swagger-ui-init.js"},
        public=True,
        is_api=True,
    ),
    Route("api:me", personal=True, is_api=True),
    Route("api:organisations", personal=True, is_api=True),
    Route("api:organisation", kwargs=_org, is_api=True),
    Route(
        "api:units",
        kwargs=_org,
        writes=(
            Write(
                "post",
                data=lambda c: {
                    "name": f"Acute medicine {Unit.objects.count()}",
                    "level": "directorate",
                    "parent_id": c.division.pk,
                },
            ),
        ),
        is_api=True,
    ),
    Route(
        "api:unit",
        kwargs=lambda c: {**_org(c), "unit_id": c.team.pk},
        writes=(
            Write("patch", data=lambda c: {"name": "Emergency department (adults)"}),
            Write("delete", setup=_new_unit),
        ),
        is_api=True,
    ),
    Route("api:members", kwargs=_org, is_api=True),
    Route(
        "api:member",
        kwargs=_editor_membership,
        writes=(
            Write("patch", data=lambda c: {"role": "qi_team"}, setup=_new_member),
            Write("delete", setup=_new_member),
        ),
        is_api=True,
    ),
    Route(
        "api:invitations",
        kwargs=_org,
        manage_only=True,
        writes=(
            Write(
                "post",
                data=lambda c: {"email": "new.starter@example.org", "role": "member"},
            ),
        ),
        is_api=True,
    ),
    Route(
        "api:invitation",
        kwargs=lambda c: {**_org(c), "invitation_id": _invitation(c).pk},
        manage_only=True,
        writes=(Write("delete", setup=_new_invitation),),
        is_api=True,
    ),
    Route("api:audit", kwargs=_org, manage_only=True, is_api=True),
    Route("api:staff", kwargs=_org, manage_only=True, is_api=True),
]
