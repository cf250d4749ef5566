"""Strategic priorities: an organisation's "true north", which projects line up behind."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from openqi.core.versioning import VersionedModel
from openqi.organisations.models import Organisation, OrganisationOwnedQuerySet


class StrategicPriority(VersionedModel):
    """A priority for a period (for example "Reduce harm from falls", 2025–2028)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="priorities"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    period_start = models.DateField()
    period_end = models.DateField(null=True, blank=True)
    headline_measure = models.ForeignKey(
        "measures.Measure",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="headlines",
    )
    position = models.PositiveIntegerField(default=0)

    objects = OrganisationOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["position", "title"]
        verbose_name_plural = "strategic priorities"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "title"], name="priority_title_unique"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def has_history(self) -> bool:
        """Whether projects line up behind it."""
        return self.projects.exists()

    def clean(self) -> None:
        if (
            self.period_end
            and self.period_start
            and self.period_end < self.period_start
        ):
            raise ValidationError(
                {"period_end": "The period must end after it starts."}
            )
        measure = self.headline_measure
        if measure is not None and measure.organisation_id != self.organisation_id:
            raise ValidationError(
                {"headline_measure": "Choose a measure of this organisation."}
            )

    def audit_organisation(self) -> Organisation:
        return self.organisation
