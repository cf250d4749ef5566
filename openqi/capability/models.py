"""Improvement capability: the framework of levels ("doses" of skill), the
programmes that confer them, their cohorts and enrolments, the completions that
count towards coverage, and the targets coverage is measured against.

People are staff records (``organisations.StaffRecord``: the employee number,
unit, staff group and, for matching imports, an e-mail address). A completion
keeps its own unit and staff group, taken when it is recorded, so that erasing a
person's training record on request (``services.erase_training_record``) can
unlink it from the person and still count it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from openqi.core.versioning import VersionedModel
from openqi.organisations.models import (
    Organisation,
    OrganisationOwnedQuerySet,
    StaffRecord,
    Unit,
)

#: The dates a page or an import may give: training before 1990 or planned after
#: 2099 is a slip of the keyboard, not a record.
EARLIEST_DATE = datetime.date(1990, 1, 1)
LATEST_DATE = datetime.date(2099, 12, 31)

#: A target's value: a share of staff in per cent, or one trained person per N staff.
PERCENT_RANGE = (Decimal("0.1"), Decimal("100"))
RATIO_RANGE = (1, 100_000)
#: A programme's length in hours.
HOURS_RANGE = (Decimal("0.5"), Decimal("2000"))


class Audience(models.TextChoices):
    """The three groups the seed's Box 3 asks different things of."""

    BOARD = "board", "The board"
    LEADERS = "leaders", "Operational and clinical improvement leaders"
    ALL_STAFF = "all_staff", "All staff"


class ProjectRequirement(models.TextChoices):
    """What a programme or cohort asks participants to do in real improvement work."""

    NONE = "none", "No project needed"
    JOIN = "join", "Join a project team"
    LEAD = "lead", "Lead a project"


class CapabilityFramework(VersionedModel):
    """That an organisation's framework has been set up (one row each).

    Its presence is what stops the built-in framework being installed again: an
    organisation that deletes every level keeps an empty framework."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="capability_framework"
    )
    from_builtin = models.BooleanField(
        default=False, help_text="Whether it started as OpenQI's built-in framework."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganisationOwnedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Capability framework of {self.organisation}"

    def audit_organisation(self) -> Organisation:
        return self.organisation


class CapabilityLevel(VersionedModel):
    """One level of the framework: a dose of improvement skill, for some staff."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="capability_levels"
    )
    name = models.CharField(max_length=100)
    description = models.TextField(max_length=2000, blank=True)
    who_for = models.CharField("who it is for", max_length=300)
    skills = models.TextField("skills and behaviours it covers", max_length=3000)
    audience = models.CharField(
        max_length=9, choices=Audience.choices, default=Audience.ALL_STAFF
    )
    #: Its place in the framework, lowest dose first.
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="capability_level_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def uses(self) -> list[str]:
        """What uses the level ("2 programmes", "1 target"): empty when it may go."""
        counts = (
            (self.programmes.count(), "programme", "programmes"),
            (self.completions.count(), "completion", "completions"),
            (self.targets.count(), "target", "targets"),
        )
        return [f"{n:,} {one if n == 1 else many}" for n, one, many in counts if n]

    def audit_organisation(self) -> Organisation:
        return self.organisation


class Programme(VersionedModel):
    """A course or programme that confers a level."""

    class Format(models.TextChoices):
        E_LEARNING = "e_learning", "E-learning"
        FACE_TO_FACE = "face_to_face", "Face to face"
        VIRTUAL = "virtual", "Virtual classroom"
        BLENDED = "blended", "Blended"
        COACHING = "coaching", "Coaching or on the job"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="capability_programmes"
    )
    name = models.CharField(max_length=200)
    level = models.ForeignKey(
        CapabilityLevel, on_delete=models.PROTECT, related_name="programmes"
    )
    provider = models.CharField(max_length=200, blank=True)
    duration_hours = models.DecimalField(
        "duration in hours",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(HOURS_RANGE[0]),
            MaxValueValidator(HOURS_RANGE[1]),
        ],
    )
    format = models.CharField(
        max_length=12, choices=Format.choices, default=Format.FACE_TO_FACE
    )
    project_requirement = models.CharField(
        max_length=4,
        choices=ProjectRequirement.choices,
        default=ProjectRequirement.NONE,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="capability_programme_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def audit_organisation(self) -> Organisation:
        return self.organisation


class CohortQuerySet(OrganisationOwnedQuerySet):
    organisation_path = "programme__organisation"


class Cohort(VersionedModel):
    """One run of a programme, with its dates."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="cohorts"
    )
    name = models.CharField(max_length=100)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    project_requirement = models.CharField(
        max_length=4,
        choices=ProjectRequirement.choices,
        default=ProjectRequirement.NONE,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CohortQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "name"], name="capability_cohort_name_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme.name}: {self.name}"

    def audit_organisation(self) -> Organisation:
        return self.programme.organisation


class EnrolmentQuerySet(OrganisationOwnedQuerySet):
    organisation_path = "cohort__programme__organisation"


class Enrolment(VersionedModel):
    """A staff record's place in a cohort; completing it records a completion."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", "Enrolled"
        COMPLETED = "completed", "Completed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="enrolments"
    )
    staff_record = models.ForeignKey(
        StaffRecord, on_delete=models.CASCADE, related_name="enrolments"
    )
    status = models.CharField(
        max_length=9, choices=Status.choices, default=Status.ENROLLED
    )
    completed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["staff_record__reference", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "staff_record"],
                name="capability_enrolment_once_per_cohort",
            ),
            models.CheckConstraint(
                condition=models.Q(status="completed", completed_on__isnull=False)
                | (~models.Q(status="completed") & models.Q(completed_on__isnull=True)),
                name="capability_enrolment_completed_on_with_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff_record.reference} in {self.cohort}"

    def audit_organisation(self) -> Organisation:
        return self.cohort.programme.organisation


class CompletionQuerySet(OrganisationOwnedQuerySet):
    organisation_path = "level__organisation"


class Completion(VersionedModel):
    """That someone reached a level on a date: what coverage counts.

    ``unit`` and ``staff_group`` are the person's when it was recorded; once the
    person's training record is erased ``staff_record`` is empty and the
    completion is an anonymous count in its unit, staff group, level and date."""

    level = models.ForeignKey(
        CapabilityLevel, on_delete=models.PROTECT, related_name="completions"
    )
    completed_on = models.DateField()
    staff_record = models.ForeignKey(
        StaffRecord,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="completions",
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    staff_group = models.CharField(
        max_length=12, choices=StaffRecord.StaffGroup.choices, blank=True
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="completions",
    )
    cohort = models.ForeignKey(
        Cohort,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="completions",
    )
    #: The enrolment whose completion recorded it (none for a completion entered
    #: or imported on its own, or once the enrolment is erased).
    enrolment = models.OneToOneField(
        Enrolment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="completion",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CompletionQuerySet.as_manager()

    class Meta:
        ordering = ["-completed_on", "pk"]
        indexes = [models.Index(fields=["level", "completed_on"])]

    def __str__(self) -> str:
        who = self.staff_record.reference if self.staff_record else "an erased person"
        return f"{self.level.name}: {who}, {self.completed_on:%-d %B %Y}"

    def audit_organisation(self) -> Organisation:
        return self.level.organisation


class Target(VersionedModel):
    """How much of a level an organisation (or a unit, or a staff group) aims for,
    by when: a share of staff, or one trained person per so many staff."""

    class Kind(models.TextChoices):
        SHARE = "share", "A share of staff (per cent)"
        RATIO = "ratio", "One trained person per so many staff"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="capability_targets"
    )
    level = models.ForeignKey(
        CapabilityLevel, on_delete=models.PROTECT, related_name="targets"
    )
    kind = models.CharField(max_length=5, choices=Kind.choices, default=Kind.SHARE)
    value = models.DecimalField(max_digits=7, decimal_places=1)
    #: Empty: the whole organisation; a unit's target counts its whole subtree.
    unit = models.ForeignKey(
        Unit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="capability_targets",
    )
    staff_group = models.CharField(
        max_length=12, choices=StaffRecord.StaffGroup.choices, blank=True
    )
    starts_on = models.DateField()
    due_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["level__position", "due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        kind="share",
                        value__gte=PERCENT_RANGE[0],
                        value__lte=PERCENT_RANGE[1],
                    )
                    | models.Q(
                        kind="ratio",
                        value__gte=RATIO_RANGE[0],
                        value__lte=RATIO_RANGE[1],
                    )
                ),
                name="capability_target_value_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(due_on__gt=models.F("starts_on")),
                name="capability_target_due_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.level.name}: {self.describe()}"

    def describe(self) -> str:
        """The target in words: "80% of staff", "one per 20 staff"."""
        if self.kind == self.Kind.SHARE:
            return f"{self.value.normalize():f}% of staff"
        return f"one per {int(self.value):,} staff"

    def audit_organisation(self) -> Organisation:
        return self.organisation


class HeldImport(models.Model):
    """An uploaded staff list or learning-management export between its preview
    and its commit (``openqi/capability/imports.py``).

    Held in the database, not in one server's memory, so any app server can show
    the preview or commit it; found only by its random ``token`` together with
    the organisation and the person who uploaded it, and gone after
    ``expires_at``. The commit checks ``records`` (the file's cells, as read)
    again against the data as they are then: a file is never posted twice."""

    class Kind(models.TextChoices):
        STAFF = "staff", "Staff list"
        COMPLETIONS = "completions", "Completions"

    token = models.CharField(max_length=64, unique=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=11, choices=Kind.choices)
    filename = models.CharField(max_length=255)
    #: The file's column for each field the import reads (None: not in the file).
    mapping = models.JSONField(default=dict)
    #: [row number, cell, …] per data row, the cells in the order of the fields.
    records = models.JSONField(default=list)
    #: The check as the preview shows it (counts, the first rows, the errors).
    result = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    objects = OrganisationOwnedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filename}"
