"""Accepting invitations: the one operation here that touches several models."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from openqi.core.acting import acting_as
from openqi.organisations.models import Invitation, Membership

from .models import User


class InvitationClosed(Exception):
    """The invitation was accepted, revoked or has expired."""


class InvitationForSomeoneElse(Exception):
    """The invitation was sent to another e-mail address than the signed-in person's."""


@dataclass(frozen=True)
class NewPerson:
    """The details a new person gives when accepting an invitation."""

    full_name: str
    password: str


def accept_invitation(invitation: Invitation, person: User | NewPerson) -> Membership:
    """Join the invitation's organisation in its role, and mark the invitation accepted.

    ``person`` is the signed-in user, or the details of a new user, who is
    created with the invitation's e-mail address. Someone already a member
    keeps their membership and role. Raises ``InvitationClosed`` when the
    invitation can no longer be used (checked under a row lock, so it is used
    once), and ``InvitationForSomeoneElse`` when ``person`` signs in with
    another address: an invitation is bound to the address it was sent to.
    """
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.is_open:
            raise InvitationClosed(invitation)
        if not isinstance(person, NewPerson) and not is_invited_person(
            invitation, person
        ):
            raise InvitationForSomeoneElse(invitation)
        if isinstance(person, NewPerson):
            user = User.objects.create_user(
                email=invitation.email,
                password=person.password,
                full_name=person.full_name,
            )
        else:
            user = person
        with acting_as(user, "web"):
            membership, _ = Membership.objects.get_or_create(
                user=user,
                organisation=invitation.organisation,
                defaults={"role": invitation.role, "unit": invitation.unit},
            )
            invitation.accepted_at = timezone.now()
            invitation.save(update_fields=["accepted_at"])
    return membership


def invitation_problem(invitation: Invitation) -> str | None:
    """Why the invitation cannot be used, in words for the person holding it; None if it can."""
    if invitation.accepted_at is not None:
        return "This invitation has already been used."
    if invitation.revoked_at is not None:
        return "This invitation has been withdrawn."
    if invitation.expires_at <= timezone.now():
        return "This invitation has expired."
    return None


def is_invited_person(invitation: Invitation, user: User) -> bool:
    """Whether ``user`` signs in with the address the invitation was sent to."""
    return user.email.strip().lower() == invitation.email.strip().lower()


def has_account(email: str) -> bool:
    """Whether someone already signs in with this e-mail address."""
    return User.objects.filter(email__iexact=email).exists()
