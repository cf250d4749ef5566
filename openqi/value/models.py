"""Models of the value app: each project's expected and realised benefits in six
domains, the organisation's investment in its improvement programme by financial
year, and its annual turnover (for the ~1% benchmark)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from openqi.core.versioning import VersionedModel
from openqi.measures.models import Measure
from openqi.organisations.models import Organisation, OrganisationOwnedQuerySet
from openqi.projects.models import Project, ProjectChildQuerySet

from .returns import year_label

#: The most money one record may hold (GBP): far above any real benefit or
#: investment of one organisation, so a slip of the keyboard is refused.
MAX_MONEY = Decimal("1000000000")
#: The most natural units one record may hold (bed days, hours, incidents).
MAX_QUANTITY = Decimal("100000000")
#: The longest a recurring benefit may run, in years.
MAX_YEARS = 30


class Domain(models.TextChoices):
    """The six domains in which a return on improvement is judged (after East London
    NHS Foundation Trust's return-on-investment domains; our own wording)."""

    PATIENT = "patient", "Patient outcomes and experience"
    STAFF = "staff", "Staff experience"
    PRODUCTIVITY = "productivity", "Productivity and efficiency"
    COST_AVOIDANCE = "cost_avoidance", "Cost avoidance"
    COST_REDUCTION = "cost_reduction", "Cost reduction"
    REVENUE = "revenue", "Revenue generation"


#: The domains whose benefits are counted in money against the investment; the
#: others are shown beside the money in their natural units, never converted.
MONEY_DOMAINS = frozenset(
    {Domain.COST_AVOIDANCE, Domain.COST_REDUCTION, Domain.REVENUE}
)


class Benefit(VersionedModel):
    class Kind(models.TextChoices):
        EXPECTED = "expected", "Expected"
        REALISED = "realised", "Realised"

    class Confidence(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    class Recurrence(models.TextChoices):
        ONE_OFF = "one_off", "One-off"
        RECURRING = "recurring", "Recurring (per year)"

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="benefits"
    )
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    domain = models.CharField(max_length=14, choices=Domain.choices)
    #: GBP: the total of a one-off benefit, or the amount per year of a recurring one.
    money = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    #: Natural units: the total of a one-off benefit, or the quantity per year.
    quantity = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True
    )
    unit_label = models.CharField(max_length=60, blank=True)
    #: GBP per natural unit, when the money was worked out from the quantity
    #: (shown beside it: money is never derived silently).
    unit_value = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True
    )
    method = models.TextField()
    confidence = models.CharField(max_length=6, choices=Confidence.choices)
    recurrence = models.CharField(max_length=9, choices=Recurrence.choices)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    is_cash_releasing = models.BooleanField(default=False)
    measure = models.ForeignKey(
        Measure,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="benefits",
    )
    #: The measure's change per period between the centre lines of its latest phase
    #: break, when the benefit was taken from it, and the date the new phase began.
    change_per_period = models.FloatField(null=True, blank=True)
    phase_began = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProjectChildQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "start_date", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_money_domain(self) -> bool:
        return self.domain in MONEY_DOMAINS

    def audit_organisation(self) -> Organisation:
        return self.project.organisation


class Investment(VersionedModel):
    class Category(models.TextChoices):
        CENTRAL_TEAM = "central_team", "Central QI team"
        TRAINING = "training", "Training"
        TIME_RELEASED = "time_released", "Staff time released"
        TOOLS = "tools", "Tools and systems"
        EXTERNAL = "external", "External support"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="investments"
    )
    #: The financial year, named by the year it starts (2024 is 2024/25).
    year = models.PositiveSmallIntegerField()
    category = models.CharField(max_length=13, choices=Category.choices)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["year", "category", "pk"]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {year_label(self.year)}"

    def audit_organisation(self) -> Organisation:
        return self.organisation


class Turnover(VersionedModel):
    """The organisation's annual turnover (income) in one financial year."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="turnovers"
    )
    year = models.PositiveSmallIntegerField()
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year"], name="turnover_once_a_year"
            )
        ]

    def __str__(self) -> str:
        return f"Turnover {year_label(self.year)}"

    def audit_organisation(self) -> Organisation:
        return self.organisation
