"""Benchmark measures, their participants and reported values.

A :class:`Benchmark` is a measure defined once by the organisation that owns it:

- a **system** for its member organisations (each member reports its own row and
  every member sees every member's values: that is what they agreed to by joining);
- any organisation for **its own units** (participants are its units, their values
  computed from each unit's own measure);
- a **national file** (participants are providers by national code, with no
  OpenQI organisation), loaded by a management command.

What pages show is computed when the values change and stored
(:class:`BenchmarkResult`, :class:`ParticipantSummary`); no page computes a funnel.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from openqi.core.versioning import VersionedModel
from openqi.measures.models import Measure
from openqi.organisations.models import Organisation, OrganisationOwnedQuerySet, Unit

#: The largest numerator or denominator accepted (a national month of A&E
#: attendances at one provider is about 50,000).
MAX_COUNT = 1_000_000_000


class Benchmark(VersionedModel):
    class Scope(models.TextChoices):
        SYSTEM = "system", "The system's member organisations"
        UNITS = "units", "This organisation's own units"
        NATIONAL = "national", "Providers in a national file"

    class Kind(models.TextChoices):
        PROPORTION = "proportion", "Proportion (numerator of denominator)"
        RATIO = "ratio", "Ratio of observed to expected (indirectly standardised)"

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="benchmarks"
    )
    scope = models.CharField(max_length=8, choices=Scope.choices)
    name = models.CharField(max_length=200)
    #: A stable key for a benchmark loaded from a national file ("ae-4-hour").
    key = models.SlugField(max_length=40, blank=True)
    numerator_definition = models.TextField(max_length=2000)
    denominator_definition = models.TextField(max_length=2000)
    kind = models.CharField(
        max_length=10, choices=Kind.choices, default=Kind.PROPORTION
    )
    frequency = models.CharField(
        max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    improvement = models.CharField(
        max_length=8,
        choices=Measure.Improvement.choices,
        default=Measure.Improvement.NEITHER,
    )
    multiplier = models.FloatField(
        default=100.0,
        validators=[MinValueValidator(0.001), MaxValueValidator(1_000_000)],
        help_text="100 shows a proportion as a percentage; 1 as it is.",
    )
    overdispersion = models.BooleanField(
        default=True,
        help_text="Widen the funnel's limits for variation between participants beyond chance.",
    )
    source = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "key"],
                condition=~models.Q(key=""),
                name="benchmark_key_once_per_organisation",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def audit_organisation(self) -> Organisation:
        return self.organisation

    @property
    def is_percentage(self) -> bool:
        return self.kind == self.Kind.PROPORTION and self.multiplier == 100


class ParticipantQuerySet(OrganisationOwnedQuerySet):
    organisation_path = "benchmark__organisation"


class Participant(VersionedModel):
    """One row of the funnel: a member organisation, a unit, or a provider by code."""

    benchmark = models.ForeignKey(
        Benchmark, on_delete=models.CASCADE, related_name="participants"
    )
    name = models.CharField(max_length=200)
    code = models.CharField(max_length=20)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="benchmark_participations",
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    #: Values computed from this measure's data points (its value the numerator).
    measure = models.ForeignKey(
        Measure, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["benchmark", "code"], name="participant_code_once"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def audit_organisation(self) -> Organisation:
        return self.benchmark.organisation


class ValueQuerySet(OrganisationOwnedQuerySet):
    organisation_path = "participant__benchmark__organisation"


class Value(VersionedModel):
    """A participant's numerator and denominator for one period."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="values"
    )
    period = models.DateField()
    numerator = models.FloatField(
        validators=[MinValueValidator(0), MaxValueValidator(MAX_COUNT)]
    )
    denominator = models.FloatField(
        validators=[MinValueValidator(0), MaxValueValidator(MAX_COUNT)]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ValueQuerySet.as_manager()

    class Meta:
        ordering = ["participant", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "period"], name="value_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant} {self.period:%Y-%m}"

    def audit_organisation(self) -> Organisation:
        """Reporting a value is the reporting organisation's act: a member
        organisation's own row goes on its own trail."""
        participant = self.participant
        return participant.organisation or participant.benchmark.organisation


class BenchmarkResult(models.Model):
    """The funnel for the latest period, computed when the values change."""

    benchmark = models.OneToOneField(
        Benchmark, on_delete=models.CASCADE, related_name="result"
    )
    period = models.DateField(null=True, blank=True)
    #: ``FunnelResult.to_dict()``-like figures: target, phi, tau2, adjusted, units.
    funnel = models.JSONField(default=dict)
    svg = models.TextField(blank=True)
    description = models.TextField(blank=True)
    participants = models.PositiveIntegerField(default=0)
    warnings = models.JSONField(default=list)
    computed_at = models.DateTimeField(auto_now=True)


class ParticipantSummary(models.Model):
    """One participant's place on the funnel and its own SPC chart in brief."""

    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="summary"
    )
    benchmark = models.ForeignKey(
        Benchmark, on_delete=models.CASCADE, related_name="summaries"
    )
    position = models.PositiveIntegerField(default=0)
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    value = models.FloatField(null=True, blank=True)
    lower998 = models.FloatField(null=True, blank=True)
    upper998 = models.FloatField(null=True, blank=True)
    #: "high", "low", "none", or "" when it has no value for the funnel's period.
    outlier = models.CharField(max_length=4, blank=True)
    variation = models.CharField(max_length=20, blank=True)
    assurance = models.CharField(max_length=20, blank=True)
    n_points = models.PositiveIntegerField(default=0)
    sparkline = models.JSONField(default=list)
    sparkline_svg = models.TextField(blank=True)
    sparkline_text = models.TextField(blank=True)
    icon_svg = models.TextField(blank=True)

    class Meta:
        ordering = ["position", "pk"]
