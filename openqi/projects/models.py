"""Improvement projects.

A project has an aim (what, how much, by when), a team, patient and carer
partners, a timeline of notes, progress ratings on the IHI scale, and measures
linked as outcome, process or balancing. Its driver diagram and PDSA cycles are
the improvement methods' (:mod:`openqi.improvement.models`).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from openqi.core.versioning import VersionedModel
from openqi.measures.models import Measure
from openqi.organisations.models import Organisation, OrganisationOwnedQuerySet, Unit
from openqi.strategy.models import StrategicPriority

#: The IHI Progress Scale (Institute for Healthcare Improvement, "Assessment
#: scale for collaboratives", used across IHI Breakthrough Series collaboratives;
#: the NHS's QI programmes use the same levels). Each level's meaning is shown
#: beside every rating.
PROGRESS_SCALE: dict[Decimal, tuple[str, str]] = {
    Decimal("0.5"): (
        "Intent to participate",
        "The team has been formed and has signed up.",
    ),
    Decimal("1.0"): (
        "Forming team",
        "The team is meeting; the project is planned and the aim set.",
    ),
    Decimal("1.5"): (
        "Planning for the project has begun",
        "Baseline measures agreed; the team understands the system.",
    ),
    Decimal("2.0"): (
        "Activity, but no changes",
        "Team actively engaged in development, research, discussion, but no changes tested.",
    ),
    Decimal("2.5"): (
        "Changes tested, but no improvement",
        "Components of the model being implemented; data on key measures being reported; PDSA cycles have been run.",
    ),
    Decimal("3.0"): (
        "Modest improvement",
        "Initial test cycles finished and implementation begun for several changes; initial signs of improvement.",
    ),
    Decimal("3.5"): (
        "Improvement",
        "Some improvement in outcome measures; process measures continue to improve; PDSA cycles on all components of the change package.",
    ),
    Decimal("4.0"): (
        "Significant improvement",
        "Most components implemented; half or more of the goals accomplished; outcome measures improving, with some at goal.",
    ),
    Decimal("4.5"): (
        "Sustainable improvement",
        "Data on outcome measures show sustained improvement; the changes are being spread.",
    ),
    Decimal("5.0"): (
        "Outstanding sustainable results",
        "All components implemented; all goals accomplished; outcome measures at goal and sustained.",
    ),
}
PROGRESS_CHOICES = [
    (score, f"{score} – {label}") for score, (label, _) in PROGRESS_SCALE.items()
]


class Tag(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="tags"
    )
    name = models.CharField(max_length=60)

    objects = OrganisationOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="tag_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def audit_organisation(self) -> Organisation:
        return self.organisation


class Project(VersionedModel):
    class Method(models.TextChoices):
        MODEL_FOR_IMPROVEMENT = "mfi", "Model for Improvement"
        LEAN = "lean", "Lean"
        SIX_SIGMA = "six_sigma", "Six Sigma"
        EBCD = "ebcd", "Experience-based co-design"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        IDEA = "idea", "Idea"
        ACTIVE = "active", "Active"
        SUSTAINING = "sustaining", "Sustaining"
        COMPLETED = "completed", "Completed"
        STOPPED = "stopped", "Stopped"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="projects"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="projects"
    )
    title = models.CharField(max_length=200)
    problem = models.TextField("the problem", blank=True)
    aim_what = models.TextField("what we will improve", blank=True)
    aim_how_much = models.CharField("by how much", max_length=200, blank=True)
    aim_by_when = models.DateField("by when", null=True, blank=True)
    priorities = models.ManyToManyField(
        StrategicPriority, blank=True, related_name="projects"
    )
    method = models.CharField(
        max_length=10, choices=Method.choices, default=Method.MODEL_FOR_IMPROVEMENT
    )
    method_other = models.CharField("other method", max_length=100, blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_projects",
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="project_teams"
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.IDEA
    )
    status_reason = models.TextField("reason", blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="projects")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        indexes = [
            models.Index(fields=["organisation", "status"]),
            # Lists of an organisation's projects by title (pages and the API).
            models.Index(fields=["organisation", "title"], name="projects_org_title"),
        ]

    def __str__(self) -> str:
        return self.title

    def has_history(self) -> bool:
        """Whether deleting it would lose work: ratings, PDSA cycles, linked measures
        or notes (docs/api.md, "Deleting")."""
        return (
            self.ratings.exists()
            or self.cycles.exists()
            or self.measure_links.exists()
            or self.notes.exists()
        )

    def clean(self) -> None:
        errors = {}
        if self.status == self.Status.STOPPED and not self.status_reason.strip():
            errors["status_reason"] = (
                "Say why the project stopped, so others can learn from it."
            )
        if self.method == self.Method.OTHER and not self.method_other.strip():
            errors["method_other"] = "Name the method."
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = "The end date must be after the start date."
        if self.unit is not None and self.unit.organisation_id != self.organisation_id:
            errors["unit"] = "Choose a unit of this organisation."
        if errors:
            raise ValidationError(errors)

    def aim_statement(self) -> str:
        """The aim in one sentence: what, by how much, by when."""
        parts = [self.aim_what.strip().rstrip(".")]
        if self.aim_how_much:
            parts.append(self.aim_how_much.strip())
        if self.aim_by_when:
            parts.append(f"by {self.aim_by_when.strftime('%-d %B %Y')}")
        return " ".join(p for p in parts if p) + "." if parts[0] else ""

    def audit_organisation(self) -> Organisation:
        return self.organisation


class ProjectChildQuerySet(OrganisationOwnedQuerySet):
    organisation_path = "project__organisation"


class ProjectChild(models.Model):
    """A row that belongs to a project, and through it to the project's organisation."""

    project: models.ForeignKey[Project, Project]

    objects = ProjectChildQuerySet.as_manager()

    class Meta:
        abstract = True

    def audit_organisation(self) -> Organisation:
        return self.project.organisation


class Partner(ProjectChild):
    """A patient, carer or service user working on the project (no account needed)."""

    class Kind(models.TextChoices):
        PATIENT = "patient", "Patient"
        CARER = "carer", "Carer"
        SERVICE_USER = "service_user", "Service user"
        COMMUNITY = "community", "Community member"

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="partners"
    )
    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.PATIENT)
    contribution = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display().lower()})"


class ProjectNote(ProjectChild):
    """An entry on the project's timeline."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.text[:60]


class ProgressRating(ProjectChild):
    """A dated rating on the IHI scale, by the team or by the QI coach; kept as history."""

    class RatedBy(models.TextChoices):
        TEAM = "team", "Project team"
        COACH = "coach", "QI coach"

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="ratings"
    )
    score = models.DecimalField(
        max_digits=2, decimal_places=1, choices=PROGRESS_CHOICES
    )
    rated_by = models.CharField(max_length=5, choices=RatedBy.choices)
    rated_on = models.DateField()
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-rated_on", "-pk"]
        indexes = [
            # Each project's latest rating by the team and by the coach (the
            # portfolio's rating filter and counts read it per project).
            models.Index(
                fields=["project", "rated_by", "-rated_on", "-id"],
                name="projects_rating_latest",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.score} ({self.get_rated_by_display()}, {self.rated_on.isoformat()})"
        )

    def clean(self) -> None:
        if self.score is not None and Decimal(self.score) not in PROGRESS_SCALE:
            raise ValidationError(
                {"score": "Choose a level of the IHI scale, 0.5 to 5.0 in halves."}
            )

    def meaning(self) -> tuple[str, str]:
        return PROGRESS_SCALE[Decimal(self.score)]


class ProjectMeasure(ProjectChild):
    """A measure linked to a project as an outcome, process or balancing measure."""

    class Role(models.TextChoices):
        OUTCOME = "outcome", "Outcome"
        PROCESS = "process", "Process"
        BALANCING = "balancing", "Balancing"

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="measure_links"
    )
    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, related_name="project_links"
    )
    role = models.CharField(max_length=9, choices=Role.choices, default=Role.OUTCOME)

    class Meta:
        ordering = ["role", "measure__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "measure"], name="measure_linked_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure} ({self.get_role_display().lower()} measure of {self.project})"

    def clean(self) -> None:
        if (
            self.measure_id
            and self.project_id
            and self.measure.organisation_id != self.project.organisation_id
        ):
            raise ValidationError({"measure": "Choose a measure of this organisation."})
