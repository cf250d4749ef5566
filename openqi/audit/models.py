"""The audit trail: who changed what in an organisation's data, when, from what to what."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from openqi.organisations.models import OrganisationOwnedQuerySet


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Updated"
        DELETE = "delete", "Deleted"

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="audit_events",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    #: Kept even if the user is later deleted: who it was at the time.
    actor_label = models.CharField(max_length=200, blank=True)
    via = models.CharField(max_length=20, blank=True)
    action = models.CharField(max_length=6, choices=Action.choices)
    model = models.CharField(max_length=100)
    object_pk = models.CharField(max_length=40)
    object_repr = models.CharField(max_length=200)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = OrganisationOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["organisation", "-at"])]

    def __str__(self) -> str:
        return f"{self.actor_label or 'system'} {self.action} {self.model} {self.object_repr}"

    def changes(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for every field whose value changed."""
        before = self.before or {}
        after = self.after or {}
        keys = sorted(set(before) | set(after))
        return [
            (k, before.get(k), after.get(k))
            for k in keys
            if before.get(k) != after.get(k)
        ]


class SignInEvent(models.Model):
    """Signing in and out, lockouts, password and MFA changes, API tokens issued and revoked.

    About a person, not an organisation: an administrator reads the events of
    their organisation's members (audit:sign_ins); a failed attempt for an
    address with no account is kept with that address and no person.
    """

    class Kind(models.TextChoices):
        SIGNED_IN = "signed_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
        LOCKED_OUT = "locked_out", "Sign-in locked after too many attempts"
        SIGNED_OUT = "signed_out", "Signed out"
        PASSWORD_CHANGED = "password_changed", "Password changed or reset"
        PASSWORD_RESET_REQUESTED = (
            "password_reset_requested",
            "Password reset asked for",
        )
        TOKEN_ISSUED = "token_issued", "API token created"
        TOKEN_REVOKED = "token_revoked", "API token revoked"
        MFA_ADDED = "mfa_added", "Multi-factor authentication set up"
        MFA_REMOVED = "mfa_removed", "Multi-factor authentication removed"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    email = models.CharField("e-mail address", max_length=254, blank=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    detail = models.CharField(max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "-at"])]

    def __str__(self) -> str:
        return f"{self.email or self.user_id}: {self.get_kind_display()}"
