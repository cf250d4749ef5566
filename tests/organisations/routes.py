"""Every organisation page, for the access walk (see tests/access.py)."""

from __future__ import annotations

from typing import Any

from openqi.organisations.models import Invitation, Membership, Role, Unit
from tests.access import Route, Write
from tests.factories import make_member, make_unit


def _org(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug}


def _unit(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug, "pk": cast.team.pk}


def _write_only(cast: Any) -> dict[str, Any]:
    # POST-only routes: the walk reverses the URL once with these kwargs; each
    # Write's setup then supplies the real ``pk`` of an object made for it.
    return {"slug": cast.org.slug, "pk": 0}


def _spare_unit(cast: Any) -> dict[str, Any]:
    return {"pk": make_unit(cast.org, name=f"Spare unit {Unit.objects.count()}").pk}


def _member(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug, "pk": Membership.objects.get(user=cast.viewer).pk}


def _new_member(cast: Any) -> dict[str, Any]:
    user = make_member(cast.org, Role.MEMBER)
    return {"pk": Membership.objects.get(user=user).pk}


def _new_invitation(cast: Any) -> dict[str, Any]:
    invitation, _ = Invitation.create(
        organisation=cast.org,
        email=f"invitee{Invitation.objects.count()}@example.org",
        role=Role.MEMBER,
    )
    return {"pk": invitation.pk}


ROUTES: list[Route] = [
    Route(
        "organisations:switch",
        get=False,
        personal=True,
        writes=(Write(data=lambda c: {"organisation": c.org.slug}),),
    ),
    Route("organisations:detail", kwargs=_org),
    Route("organisations:units", kwargs=_org),
    Route(
        "organisations:unit_create",
        kwargs=_org,
        manage_only=True,
        writes=(
            Write(
                data=lambda c: {
                    "name": "Acute medicine",
                    "level": "directorate",
                    "parent": c.division.pk,
                }
            ),
        ),
    ),
    Route(
        "organisations:unit_edit",
        kwargs=_unit,
        manage_only=True,
        writes=(
            Write(
                data=lambda c: {
                    "name": "Emergency department (adults)",
                    "level": "team",
                    "parent": c.directorate.pk,
                }
            ),
        ),
    ),
    Route(
        "organisations:unit_delete",
        kwargs=_write_only,
        get=False,
        manage_only=True,
        writes=(Write(setup=_spare_unit),),
    ),
    Route("organisations:members", kwargs=_org),
    Route(
        "organisations:member_edit",
        kwargs=_member,
        manage_only=True,
        writes=(Write(data=lambda c: {"role": "member", "unit": c.team.pk}),),
    ),
    Route(
        "organisations:member_remove",
        kwargs=_write_only,
        get=False,
        manage_only=True,
        writes=(Write(setup=_new_member),),
    ),
    Route(
        "organisations:invitations",
        kwargs=_org,
        manage_only=True,
        writes=(
            Write(
                data=lambda c: {"email": "new.starter@example.org", "role": "member"}
            ),
        ),
    ),
    Route(
        "organisations:invitation_revoke",
        kwargs=_write_only,
        get=False,
        manage_only=True,
        writes=(Write(setup=_new_invitation),),
    ),
]
