"""Published work and its adoptions.

A :class:`Publication` is a member organisation's explicit, audited act: a project,
a change idea, a driver diagram or a measure definition, with what the publisher
chose to share frozen in ``content`` when it was published (later edits of the
source do not leak; publishing again updates it). Its audience is the publisher's
system or every organisation on the server. Withdrawing hides it from everyone
else; adopters keep their copies. An :class:`Adoption` records what another
organisation made of it (a project, a measure or a change idea of its own).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from openqi.core.versioning import VersionedModel
from openqi.improvement.models import DriverNode
from openqi.measures.models import Measure
from openqi.organisations.models import Organisation, OrganisationOwnedQuerySet
from openqi.projects.models import Project

#: The longest summary, outcome and keywords a publication holds.
MAX_SUMMARY = 2000
MAX_OUTCOME = 4000
MAX_KEYWORDS = 200
#: The most points of one measure's aggregate series a publication carries (the latest).
MAX_SERIES_POINTS = 520


class Kind(models.TextChoices):
    PROJECT = "project", "Project"
    CHANGE_IDEA = "change_idea", "Change idea"
    DRIVER_DIAGRAM = "driver_diagram", "Driver diagram"
    MEASURE = "measure", "Measure definition"


class Audience(models.TextChoices):
    SYSTEM = "system", "Our system (every member organisation and the system)"
    EVERYONE = "everyone", "Every organisation on this OpenQI server"


class Topic(models.TextChoices):
    """What the work is about: a short controlled list (keywords take the rest)."""

    SAFETY = "safety", "Patient safety"
    FLOW = "flow", "Patient flow and discharge"
    ACCESS = "access", "Access and waiting times"
    EXPERIENCE = "experience", "Patient experience"
    STAFF = "staff", "Staff wellbeing and workforce"
    MEDICINES = "medicines", "Medicines"
    INFECTION = "infection", "Infection prevention"
    LONG_TERM = "long_term", "Long-term conditions"
    MENTAL_HEALTH = "mental_health", "Mental health"
    END_OF_LIFE = "end_of_life", "End of life care"
    PREVENTION = "prevention", "Prevention and population health"
    SUSTAINABILITY = "sustainability", "Environmental sustainability"
    OTHER = "other", "Other"


class Setting(models.TextChoices):
    ACUTE = "acute", "Acute hospital wards"
    EMERGENCY = "emergency", "Emergency and urgent care"
    CRITICAL = "critical", "Critical care"
    SURGERY = "surgery", "Theatres and surgery"
    OUTPATIENTS = "outpatients", "Outpatients"
    MATERNITY = "maternity", "Maternity"
    CHILDREN = "children", "Children and young people"
    MENTAL_HEALTH = "mental_health", "Mental health services"
    COMMUNITY = "community", "Community services"
    PRIMARY = "primary", "Primary care"
    CARE_HOMES = "care_homes", "Care homes"
    CORPORATE = "corporate", "Corporate and support services"
    SYSTEM = "system", "Across the system"
    OTHER = "other", "Other"


class Outcome(models.TextChoices):
    """The dimension of quality the work improved (after the Institute of Medicine's six)."""

    SAFE = "safe", "Safer care"
    EFFECTIVE = "effective", "More effective care"
    PERSON_CENTRED = "person_centred", "More person-centred care"
    TIMELY = "timely", "More timely care"
    EFFICIENT = "efficient", "More efficient care"
    EQUITABLE = "equitable", "More equitable care"
    STAFF = "staff", "Better staff experience"


class PublicationQuerySet(OrganisationOwnedQuerySet):
    def live(self) -> PublicationQuerySet:
        return self.filter(withdrawn_at__isnull=True)

    def visible_to(self, organisation: Organisation) -> PublicationQuerySet:
        """What members of ``organisation`` may find and read: live publications
        whose audience takes it in (its own, every "everyone", and "system" ones
        of its system — for a system organisation, of its members)."""
        system_id = (
            organisation.pk
            if organisation.kind == Organisation.Kind.SYSTEM
            else organisation.system_id
        )
        seen = Q(organisation=organisation) | Q(audience=Audience.EVERYONE)
        if system_id is not None:
            seen |= Q(audience=Audience.SYSTEM) & (
                Q(organisation__system_id=system_id) | Q(organisation_id=system_id)
            )
        return self.live().filter(seen)


class Publication(VersionedModel):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="publications"
    )
    kind = models.CharField(max_length=14, choices=Kind.choices)
    audience = models.CharField(max_length=8, choices=Audience.choices)
    title = models.CharField(max_length=200)
    summary = models.TextField(max_length=MAX_SUMMARY)
    outcome_text = models.TextField(
        "what happened and what was learned", max_length=MAX_OUTCOME, blank=True
    )
    topic = models.CharField(max_length=14, choices=Topic.choices)
    setting = models.CharField(max_length=13, choices=Setting.choices)
    method = models.CharField(max_length=10, choices=Project.Method.choices, blank=True)
    outcome = models.CharField(max_length=14, choices=Outcome.choices, blank=True)
    keywords = models.CharField(max_length=MAX_KEYWORDS, blank=True)
    #: What was shared, frozen when published (see services.freeze_content).
    content = models.JSONField(default=dict)
    #: Lower-cased words of the title, summary, keywords and content, for search.
    search_text = models.TextField(blank=True)
    includes_measures = models.BooleanField(default=False)
    includes_series = models.BooleanField(default=False)
    # The source (kept while it exists; the content stands without it).
    source_project = models.ForeignKey(
        Project,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="publications",
    )
    source_measure = models.ForeignKey(
        Measure,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="publications",
    )
    source_node = models.ForeignKey(
        DriverNode,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="publications",
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [
            models.Index(fields=["audience", "withdrawn_at"], name="library_aud"),
            models.Index(fields=["organisation", "kind"], name="library_org_kind"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def audit_organisation(self) -> Organisation:
        return self.organisation


class AdoptionQuerySet(OrganisationOwnedQuerySet):
    pass


class Adoption(models.Model):
    """Another organisation adopted a publication: what it made of it, who, when."""

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="adoptions"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="adoptions"
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="library_adoptions",
    )
    measure = models.ForeignKey(
        Measure,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="library_adoptions",
    )
    driver_node = models.ForeignKey(
        DriverNode,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="library_adoptions",
    )
    #: What was made, in words, kept if it is later deleted.
    created_label = models.CharField(max_length=300)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    adopted_at = models.DateTimeField(auto_now_add=True)

    objects = AdoptionQuerySet.as_manager()

    class Meta:
        ordering = ["-adopted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.publication} adopted as {self.created_label}"

    def audit_organisation(self) -> Organisation:
        return self.organisation

    def made(self) -> Any:
        return self.project or self.measure or self.driver_node
