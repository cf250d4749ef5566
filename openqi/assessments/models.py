"""Readiness and maturity assessments: instruments (as data), rounds, anonymous
responses, and the action plan that closes the gaps they find."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from openqi.core.categories import EnablerCategory
from openqi.core.versioning import VersionedModel
from openqi.organisations.models import (
    Organisation,
    OrganisationOwnedQuerySet,
    StaffRecord,
    Unit,
)


class InstrumentQuerySet(models.QuerySet["Instrument"]):
    def available_to(self, organisation: Organisation) -> InstrumentQuerySet:
        """The built-in instruments and the organisation's own."""
        return self.filter(
            models.Q(organisation__isnull=True) | models.Q(organisation=organisation)
        )

    def for_organisation(self, organisation: Organisation) -> InstrumentQuerySet:
        return self.filter(organisation=organisation)


class Instrument(models.Model):
    """An assessment instrument, defined as data (see openqi/assessments/definition.py).

    Built-in instruments have no organisation and are available to all; an
    organisation may load others it holds the rights to.
    """

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="instruments",
    )
    key = models.SlugField(max_length=60)
    version = models.CharField(max_length=20, default="1")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    #: The validated definition: sections, items, scales, scoring and bands.
    definition = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InstrumentQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "key", "version"],
                name="instrument_version_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"

    @property
    def is_builtin(self) -> bool:
        return self.organisation_id is None

    def audit_organisation(self) -> Organisation | None:
        return self.organisation


class AssessmentRound(VersionedModel):
    """One use of an instrument across the organisation or chosen units."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="assessment_rounds"
    )
    instrument = models.ForeignKey(
        Instrument, on_delete=models.PROTECT, related_name="rounds"
    )
    title = models.CharField(max_length=200)
    #: Empty: the whole organisation.
    units = models.ManyToManyField(Unit, blank=True, related_name="assessment_rounds")
    status = models.CharField(
        max_length=6, choices=Status.choices, default=Status.DRAFT
    )
    opened_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    #: The results as published, computed once when the round closes
    #: (services.publish_results): pages, exports and the API read them from here.
    published_results = models.JSONField(null=True, blank=True, editable=False)
    results_computed_at = models.DateTimeField(null=True, blank=True, editable=False)
    #: The services.RESULTS_METHOD_VERSION they were computed with.
    results_method_version = models.PositiveSmallIntegerField(
        null=True, blank=True, editable=False
    )

    objects = OrganisationOwnedQuerySet.as_manager()

    #: Derived from the responses, not edited: the audit trail records the close.
    AUDIT_EXCLUDE = (
        *VersionedModel.AUDIT_EXCLUDE,
        "published_results",
        "results_computed_at",
        "results_method_version",
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def audit_organisation(self) -> Organisation:
        return self.organisation


class RespondentGroup(models.TextChoices):
    """Who a response speaks for: the organisational level of the respondent."""

    BOARD = "board", "Board and executives"
    MANAGERS = "managers", "Managers and improvement leaders"
    STAFF = "staff", "All staff"
    PATIENTS = "patients", "Patients and carers"


class RoundChildQuerySet(OrganisationOwnedQuerySet):
    organisation_path = "round__organisation"


class ResponseLink(models.Model):
    """An anonymous link for one response: no identity is stored, one response per link.

    The link carries only what the results are grouped by (unit, staff group,
    respondent group); the token itself is stored as a hash.
    """

    round = models.ForeignKey(
        AssessmentRound, on_delete=models.CASCADE, related_name="links"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    staff_group = models.CharField(
        max_length=12, choices=StaffRecord.StaffGroup.choices, blank=True
    )
    respondent_group = models.CharField(
        max_length=10, choices=RespondentGroup.choices, default=RespondentGroup.STAFF
    )
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    objects = RoundChildQuerySet.as_manager()
    AUDIT_EXCLUDE = ("token_hash",)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Link {self.pk} for {self.round}"

    def audit_organisation(self) -> Organisation:
        return self.round.organisation


class Response(models.Model):
    """One anonymous set of answers. Only the date is kept, not the time, so a
    response cannot be matched to a person by when they opened their link."""

    round = models.ForeignKey(
        AssessmentRound, on_delete=models.CASCADE, related_name="responses"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    staff_group = models.CharField(
        max_length=12, choices=StaffRecord.StaffGroup.choices, blank=True
    )
    respondent_group = models.CharField(
        max_length=10, choices=RespondentGroup.choices, default=RespondentGroup.STAFF
    )
    submitted_on = models.DateField()
    #: {item key: answer value as defined by the item's scale}
    answers = models.JSONField()

    objects = RoundChildQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Response {self.pk} to {self.round}"


class ActionItem(VersionedModel):
    """An action-plan item, often turned from a gap an assessment found."""

    class Status(models.TextChoices):
        OPEN = "open", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="action_items"
    )
    round = models.ForeignKey(
        AssessmentRound,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
    )
    section_key = models.CharField(max_length=60, blank=True)
    category = models.CharField(
        max_length=14, choices=EnablerCategory.choices, blank=True
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=11, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganisationOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["status", "due_date", "pk"]

    def __str__(self) -> str:
        return self.title

    def has_history(self) -> bool:
        """Whether work on it has started (it is no longer open)."""
        return self.status != self.Status.OPEN

    def audit_organisation(self) -> Organisation:
        return self.organisation
