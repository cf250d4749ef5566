"""Sustainability checks of a project's change: each team member rates the ten
factors (:mod:`openqi.sustainability.builtin`), and actions on the weakest are
kept on the check itself (a project's plan to hold its gain)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from openqi.core.versioning import VersionedModel
from openqi.organisations.models import Organisation, OrganisationOwnedQuerySet
from openqi.projects.models import Project

from .builtin import FACTORS, SCALE

FACTOR_CHOICES = [(f.key, f.title) for f in FACTORS]


class CheckQuerySet(OrganisationOwnedQuerySet):
    organisation_path = "project__organisation"


class CheckChildQuerySet(OrganisationOwnedQuerySet):
    organisation_path = "sustainability_check__project__organisation"


class SustainabilityCheck(VersionedModel):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="sustainability_checks"
    )
    opened_on = models.DateField()
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CheckQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-pk"]

    def __str__(self) -> str:
        return f"Sustainability check of {self.project} on {self.opened_on:%-d %B %Y}"

    def audit_organisation(self) -> Organisation:
        return self.project.organisation


class Rating(VersionedModel):
    """One team member's rating of one factor in one check."""

    sustainability_check = models.ForeignKey(
        SustainabilityCheck, on_delete=models.CASCADE, related_name="ratings"
    )
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    factor = models.CharField(max_length=20, choices=FACTOR_CHOICES)
    score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(min(SCALE)), MaxValueValidator(max(SCALE))]
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = CheckChildQuerySet.as_manager()

    class Meta:
        ordering = ["sustainability_check_id", "rater_id", "factor"]
        constraints = [
            models.UniqueConstraint(
                fields=["sustainability_check", "rater", "factor"],
                name="sustainability_rated_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_factor_display()}: {self.score}"

    def audit_organisation(self) -> Organisation:
        return self.sustainability_check.project.organisation


class SustainabilityAction(VersionedModel):
    """An action on a weak factor, in the project's plan to hold its gain."""

    class Status(models.TextChoices):
        OPEN = "open", "Not started"
        DONE = "done", "Done"

    sustainability_check = models.ForeignKey(
        SustainabilityCheck, on_delete=models.CASCADE, related_name="actions"
    )
    factor = models.CharField(max_length=20, choices=FACTOR_CHOICES)
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=4, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CheckChildQuerySet.as_manager()

    class Meta:
        ordering = ["status", "pk"]  # open first
        constraints = [
            models.UniqueConstraint(
                fields=["sustainability_check", "factor"],
                name="sustainability_action_per_factor",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def audit_organisation(self) -> Organisation:
        return self.sustainability_check.project.organisation
