"""The six-step journey to an organisation-wide approach to improvement.

Each organisation has the six steps, each with a status, milestones and
evidence — gathered automatically where OpenQI holds it (see services.py) and
added by hand where it does not.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from openqi.core.versioning import VersionedModel
from openqi.organisations.models import Organisation, OrganisationOwnedQuerySet

#: The six steps (overview: "The journey"), in order.
STEPS: dict[int, tuple[str, str]] = {
    1: (
        "Assessing readiness",
        "Understand the organisation's readiness: its learning climate, infrastructure, governance and leadership, and where its gaps are.",
    ),
    2: (
        "Securing board support",
        "The board understands, owns and invests in the approach, and asks for evidence rather than comfort.",
    ),
    3: (
        "Buy-in and a vision",
        "Staff share a vision of improvement tied to the organisation's priorities, starting with the enthusiasts.",
    ),
    4: (
        "Skills and infrastructure",
        "People have improvement skills at the right dose, and measurement for improvement is in place.",
    ),
    5: (
        "Aligning activity",
        "Improvement work is aligned with the priorities, coordinated, and its barriers are worked through.",
    ),
    6: (
        "Sustaining",
        "Improvement becomes how the organisation works: progress holds and proven changes spread.",
    ),
}


class JourneyStep(VersionedModel):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        ESTABLISHED = "established", "Established"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="journey_steps"
    )
    number = models.PositiveSmallIntegerField(
        choices=[(n, name) for n, (name, _) in STEPS.items()]
    )
    status = models.CharField(
        max_length=11, choices=Status.choices, default=Status.NOT_STARTED
    )
    notes = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "number"], name="one_step_per_number"
            )
        ]

    def __str__(self) -> str:
        return f"Step {self.number}: {self.name}"

    @property
    def name(self) -> str:
        return STEPS[self.number][0]

    @property
    def purpose(self) -> str:
        return STEPS[self.number][1]

    def audit_organisation(self) -> Organisation:
        return self.organisation


class StepChildQuerySet(OrganisationOwnedQuerySet):
    organisation_path = "step__organisation"


class Milestone(VersionedModel):
    step = models.ForeignKey(
        JourneyStep, on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(max_length=200)
    due_on = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)

    objects = StepChildQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.title

    def has_history(self) -> bool:
        """Whether it has been done."""
        return self.done_on is not None

    def audit_organisation(self) -> Organisation:
        return self.step.organisation


class Evidence(models.Model):
    """Evidence added by hand for something OpenQI does not hold (board minutes, a strategy)."""

    step = models.ForeignKey(
        JourneyStep, on_delete=models.CASCADE, related_name="evidence"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    link = models.URLField(blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    added_on = models.DateField()

    objects = StepChildQuerySet.as_manager()

    class Meta:
        ordering = ["-added_on", "pk"]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return self.title

    def audit_organisation(self) -> Organisation:
        return self.step.organisation
