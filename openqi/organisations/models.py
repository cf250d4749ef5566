"""Organisations (providers and the systems that group them), their units and members."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from openqi.core.tokens import new_token, token_hash
from openqi.core.versioning import VersionedModel


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def for_user(self, user: Any) -> OrganisationQuerySet:
        """The organisations a person belongs to (nothing for anonymous users)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(memberships__user=user).distinct()


class Organisation(models.Model):
    """A provider (an NHS trust, a community or mental-health provider) or a system.

    A system (an integrated care system) groups providers through their
    ``system`` field.
    """

    class Kind(models.TextChoices):
        PROVIDER = "provider", "Provider"
        SYSTEM = "system", "System"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PROVIDER)
    ods_code = models.CharField("ODS code", max_length=10, blank=True)
    system = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="providers",
        limit_choices_to={"kind": "system"},
    )
    admins_must_use_mfa = models.BooleanField(
        "administrators must use multi-factor authentication",
        default=False,
        help_text="An administrator without it is asked to set it up before "
        "reaching this organisation's pages.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    #: Slugs that are paths of their own under /organisations/.
    RESERVED_SLUGS = frozenset({"switch"})

    def clean(self) -> None:
        if self.slug in self.RESERVED_SLUGS:
            raise ValidationError(
                {"slug": f"“{self.slug}” is reserved; choose another short name."}
            )
        if self.system_id is not None:
            if self.kind != self.Kind.PROVIDER:
                raise ValidationError(
                    {"system": "Only a provider can belong to a system."}
                )
            if self.system_id == self.pk:
                raise ValidationError(
                    {"system": "An organisation cannot belong to itself."}
                )
            if self.system and self.system.kind != self.Kind.SYSTEM:
                raise ValidationError(
                    {"system": "Choose an organisation of kind system."}
                )

    def audit_organisation(self) -> Organisation:
        return self


class OrganisationOwnedQuerySet(models.QuerySet[Any]):
    """Rows that belong to one organisation, scoped with ``for_organisation(org)``.

    ``organisation_path`` says how a row reaches its organisation: a subclass for
    rows owned through a parent sets it (``"measure__organisation"``).
    """

    organisation_path: ClassVar[str] = "organisation"

    def for_organisation(self, organisation: Organisation) -> OrganisationOwnedQuerySet:
        return self.filter(**{self.organisation_path: organisation})


class Unit(VersionedModel):
    """A division, directorate or team: a tree inside one organisation."""

    class Level(models.TextChoices):
        DIVISION = "division", "Division"
        DIRECTORATE = "directorate", "Directorate"
        TEAM = "team", "Team"

    #: Which level may sit under which (None: the top of the tree).
    PARENT_LEVEL = {
        Level.DIVISION: None,
        Level.DIRECTORATE: Level.DIVISION,
        Level.TEAM: Level.DIRECTORATE,
    }

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="units"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    level = models.CharField(max_length=12, choices=Level.choices)
    name = models.CharField(max_length=200)

    objects = OrganisationOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "parent", "name"],
                name="unit_name_unique_under_parent",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def has_history(self) -> bool:
        """Whether units sit under it or projects belong to it."""
        return self.children.exists() or self.projects.exists()

    def clean(self) -> None:
        expected = self.PARENT_LEVEL.get(self.Level(self.level)) if self.level else None
        if self.parent is None:
            if expected is not None:
                raise ValidationError(
                    {
                        "parent": f"A {self.get_level_display().lower()} must sit under a {expected}."
                    }
                )
            return
        if self.parent.organisation_id != self.organisation_id:
            raise ValidationError({"parent": "Choose a unit of the same organisation."})
        if self.parent.level != expected:
            raise ValidationError(
                {
                    "parent": f"A {self.get_level_display().lower()} sits under a "
                    f"{expected or 'nothing'}, not a {self.parent.level}."
                }
            )

    def audit_organisation(self) -> Organisation:
        return self.organisation

    def path(self) -> list[Unit]:
        """This unit and its ancestors, from the top of the tree down."""
        chain = [self]
        parent = self.parent
        while parent is not None:
            chain.insert(0, parent)
            parent = parent.parent
        return chain


class Role(models.TextChoices):
    """What a member may do in an organisation, from most to least."""

    ADMIN = "admin", "Administrator"
    QI_TEAM = "qi_team", "QI team"
    PROJECT_LEAD = "project_lead", "Project lead"
    MEMBER = "member", "Member"
    VIEWER = "viewer", "Viewer"


class Membership(VersionedModel):
    """A person's place in an organisation: their role and, optionally, their unit."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.MEMBER)
    unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganisationOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name", "user__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="one_membership_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.organisation}"

    # For templates, which cannot call has(): the rules are in permissions.py.
    @property
    def can_edit(self) -> bool:
        """Whether the member may create and change the organisation's work (CHANGE_WORK)."""
        from .permissions import CHANGE_WORK, has

        return has(self, CHANGE_WORK)

    @property
    def can_manage(self) -> bool:
        """Whether the member manages the organisation (MANAGE_ORGANISATION)."""
        from .permissions import MANAGE_ORGANISATION, has

        return has(self, MANAGE_ORGANISATION)

    def audit_organisation(self) -> Organisation:
        return self.organisation


def _default_expiry() -> Any:
    return timezone.now() + timedelta(days=14)


class Invitation(models.Model):
    """An e-mailed invitation to join an organisation in a role; valid for 14 days."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField("e-mail address")
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.MEMBER)
    unit = models.ForeignKey(Unit, on_delete=models.SET_NULL, null=True, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_default_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = OrganisationOwnedQuerySet.as_manager()
    AUDIT_EXCLUDE = ("token_hash",)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.organisation}"

    @classmethod
    def create(cls, **fields: Any) -> tuple[Invitation, str]:
        """A new invitation and its raw token (only the hash is stored)."""
        raw = new_token()
        invitation = cls.objects.create(token_hash=token_hash(raw), **fields)
        return invitation, raw

    @classmethod
    def find(cls, raw: str) -> Invitation | None:
        return (
            cls.objects.select_related("organisation")
            .filter(token_hash=token_hash(raw))
            .first()
        )

    @property
    def is_open(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )

    def audit_organisation(self) -> Organisation:
        return self.organisation


class StaffRecord(models.Model):
    """One member of staff, for capability building: minimal personal data.

    ``reference`` is the organisation's own (pseudonymous) staff number; no name
    is stored unless the person is also a user. ``email``, when given, is only for
    matching a learning-management export to the record (lower-cased, one record
    per address in an organisation); it stays off the audit trail, so erasing a
    person's training record (openqi/capability) leaves no copy of it there.
    """

    class StaffGroup(models.TextChoices):
        MEDICAL = "medical", "Medical and dental"
        NURSING = "nursing", "Nursing and midwifery"
        AHP = "ahp", "Allied health professionals"
        SCIENTIFIC = "scientific", "Healthcare scientists"
        ADMIN = "admin", "Administrative and clerical"
        ESTATES = "estates", "Estates and ancillary"
        MANAGEMENT = "management", "Managers and senior managers"
        OTHER = "other", "Other"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="staff"
    )
    reference = models.CharField(max_length=40)
    unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="staff"
    )
    staff_group = models.CharField(
        max_length=12, choices=StaffGroup.choices, default=StaffGroup.OTHER
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    is_active = models.BooleanField(default=True)
    email = models.EmailField("e-mail address", max_length=254, blank=True)

    objects = OrganisationOwnedQuerySet.as_manager()
    AUDIT_EXCLUDE = ("email",)

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"], name="staff_reference_unique"
            ),
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=~models.Q(email=""),
                name="staff_email_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    def audit_organisation(self) -> Organisation:
        return self.organisation
