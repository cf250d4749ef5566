"""The barrier log: what stands in the way of improvement, for the QI forum to work through."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from openqi.core.categories import BarrierCategory
from openqi.core.versioning import VersionedModel
from openqi.organisations.models import Organisation, OrganisationOwnedQuerySet, Unit
from openqi.projects.models import Project


class Barrier(VersionedModel):
    class Severity(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"
        CRITICAL = "critical", "Critical"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "Being worked on"
        RESOLVED = "resolved", "Resolved"
        CLOSED = "closed", "Closed without resolution"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="barriers"
    )
    category = models.CharField(max_length=11, choices=BarrierCategory.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="barriers"
    )
    severity = models.CharField(
        max_length=8, choices=Severity.choices, default=Severity.MEDIUM
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        max_length=11, choices=Status.choices, default=Status.OPEN
    )
    projects = models.ManyToManyField(Project, blank=True, related_name="barriers")
    raised_on = models.DateField()
    resolved_on = models.DateField(null=True, blank=True)
    resolution = models.TextField(blank=True)
    #: Flagged for the board report (a later issue builds the report).
    escalate_to_board = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["status", "-raised_on", "pk"]

    def __str__(self) -> str:
        return self.title

    def has_history(self) -> bool:
        """Whether it has been worked on (no longer open) or holds up projects."""
        return self.status != self.Status.OPEN or self.projects.exists()

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.OPEN, self.Status.IN_PROGRESS)

    def audit_organisation(self) -> Organisation:
        return self.organisation
