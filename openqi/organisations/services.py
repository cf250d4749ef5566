"""Operations on an organisation that touch several rows: units, members, invitations.

Each runs in a transaction. A rule of the organisation that the input breaks
(the last administrator, a unit that still has units under it, inviting an
existing member) raises :class:`RuleBroken` with a message fit to show.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, ProtectedError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .access import find_for
from .models import Invitation, Membership, Organisation, Role, Unit


def get_unit_for(membership: Membership, pk: int) -> Unit:
    """The unit ``pk`` of the member's organisation, or 404 (pages and API alike)."""
    units = Unit.objects.for_organisation(membership.organisation)
    return find_for(membership, units, pk, "unit", "units")


def get_member_for(membership: Membership, pk: int) -> Membership:
    """The membership ``pk`` (someone in the member's organisation), or 404."""
    members = Membership.objects.for_organisation(
        membership.organisation
    ).select_related("user", "organisation")
    return find_for(membership, members, pk, "member", "members")


def get_invitation_for(membership: Membership, pk: int) -> Invitation:
    """The invitation ``pk`` sent by the member's organisation, or 404."""
    invitations = Invitation.objects.for_organisation(
        membership.organisation
    ).select_related("invited_by", "organisation")
    return find_for(membership, invitations, pk, "invitation", "invitations")


class RuleBroken(ValueError):
    """The change would break one of the organisation's rules; the message says which."""


@dataclass
class UnitNode:
    unit: Unit
    children: list[UnitNode] = field(default_factory=list)


def unit_tree(organisation: Organisation) -> list[UnitNode]:
    """The organisation's units as a tree (divisions at the top), each with ``member_count``."""
    units = (
        Unit.objects.for_organisation(organisation)
        .annotate(member_count=Count("members"))
        .order_by("name")
    )
    nodes = {unit.pk: UnitNode(unit) for unit in units}
    roots: list[UnitNode] = []
    for node in nodes.values():
        parent = nodes.get(node.unit.parent_id) if node.unit.parent_id else None
        (parent.children if parent else roots).append(node)
    return roots


def create_unit(organisation: Organisation, **fields: Any) -> Unit:
    """A new unit; ``fields`` come from a validated ``UnitForm``."""
    with transaction.atomic():
        unit = Unit(organisation=organisation, **fields)
        unit.full_clean()
        unit.save()
    return unit


def update_unit(unit: Unit, **fields: Any) -> Unit:
    with transaction.atomic():
        for name, value in fields.items():
            setattr(unit, name, value)
        unit.full_clean()
        unit.save()
    return unit


def delete_unit(unit: Unit) -> None:
    """Delete a unit that has no units under it (members in it are left without a unit)."""
    with transaction.atomic():
        if unit.children.exists():
            raise RuleBroken(
                f"{unit.name} still has units under it. Move or delete them first."
            )
        try:
            unit.delete()
        except ProtectedError as error:
            raise RuleBroken(
                f"{unit.name} is still in use, so it cannot be deleted."
            ) from error


def _is_last_admin(membership: Membership) -> bool:
    """Whether this is, as stored now, the organisation's only administrator.

    Reads the rows under a lock rather than trusting ``membership``: a bound
    form may already have changed its role in memory.
    """
    admins = (
        Membership.objects.for_organisation(membership.organisation)
        .select_for_update()
        .filter(role=Role.ADMIN)
    )
    pks = list(admins.values_list("pk", flat=True))
    return pks == [membership.pk]


def change_role(membership: Membership, *, role: str, unit: Unit | None) -> Membership:
    """Change a member's role and unit, keeping at least one administrator."""
    with transaction.atomic():
        if role != Role.ADMIN and _is_last_admin(membership):
            raise RuleBroken(
                f"{membership.user} is the only administrator of "
                f"{membership.organisation}. Make someone else an administrator first."
            )
        membership.role = role
        membership.unit = unit
        membership.full_clean()
        membership.save()
    return membership


def remove_member(membership: Membership) -> None:
    """Take a person out of the organisation, keeping at least one administrator."""
    with transaction.atomic():
        if _is_last_admin(membership):
            raise RuleBroken(
                f"{membership.user} is the only administrator of "
                f"{membership.organisation} and cannot be removed. "
                "Make someone else an administrator first."
            )
        membership.delete()


def invite(
    organisation: Organisation,
    *,
    email: str,
    role: str,
    unit: Unit | None,
    invited_by: Any,
    site_url: str,
) -> Invitation:
    """Invite ``email`` to join in ``role`` and send the invitation e-mail.

    An open invitation to the same address is revoked and replaced by the new
    one. ``site_url`` (``https://openqi.example.org``) starts the link in the e-mail.
    """
    email = email.strip().lower()
    with transaction.atomic():
        members = Membership.objects.for_organisation(organisation)
        if members.filter(user__email__iexact=email).exists():
            raise RuleBroken(f"{email} is already a member of {organisation}.")
        now = timezone.now()
        for earlier in Invitation.objects.for_organisation(organisation).filter(
            email__iexact=email, accepted_at=None, revoked_at=None
        ):
            earlier.revoked_at = now
            earlier.save()
        invitation, raw = Invitation.create(
            organisation=organisation,
            email=email,
            role=role,
            unit=unit,
            invited_by=invited_by,
        )
    link = site_url.rstrip("/") + reverse("accounts:invitation", kwargs={"token": raw})
    _send_invitation(invitation, link)
    return invitation


def _send_invitation(invitation: Invitation, link: str) -> None:
    context = {"invitation": invitation, "link": link}
    send_mail(
        subject=f"You are invited to join {invitation.organisation} on OpenQI",
        message=render_to_string("organisations/email/invitation.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invitation.email],
    )


def revoke_invitation(invitation: Invitation) -> None:
    with transaction.atomic():
        if not invitation.is_open:
            raise RuleBroken(
                f"The invitation for {invitation.email} is no longer open."
            )
        invitation.revoked_at = timezone.now()
        invitation.save()
