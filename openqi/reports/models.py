"""The board report and its monthly snapshots.

A :class:`BoardReport` is composed month by month by an administrator or the QI
team: its headings (the organisation's own, copied from its latest report; by
default the five CQC questions) and the measures chosen under each
(:class:`ReportEntry`, with the commentary of the measure's owner). Publishing
freezes a :class:`ReportSnapshot`: every figure as at the report's date, each
chart as SVG, stored as JSON in the database; a published report is never
changed again, and its page reads the snapshot alone.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models

from openqi.core.versioning import VersionedModel
from openqi.measures.models import Measure
from openqi.organisations.models import Organisation, OrganisationOwnedQuerySet

#: The headings a first report starts with: the five questions the CQC asks.
DEFAULT_HEADINGS = ("Safe", "Effective", "Caring", "Responsive", "Well-led")
#: At most this many headings, and this many measures in one report.
MOST_HEADINGS = 12
MOST_ENTRIES = 60
HEADING_LENGTH = 80


class ReportIsPublished(Exception):
    """A change to a report that is already published: it is a record of its month."""

    def __init__(self, report: BoardReport) -> None:
        self.report = report
        super().__init__(
            f"The report for {report.month_words} is published and cannot be changed: "
            "it is the record of what the board saw. Compose a report for a new "
            "month instead."
        )


class BoardReport(VersionedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="board_reports"
    )
    #: The first day of the month the report is for.
    month = models.DateField()
    title = models.CharField(max_length=200)
    headings = models.JSONField(default=list)
    status = models.CharField(
        max_length=9, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(null=True, blank=True)

    objects = OrganisationOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "month"], name="one_board_report_a_month"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def month_words(self) -> str:
        return self.month.strftime("%B %Y")

    @property
    def as_at(self) -> datetime.date:
        """The last day of the report's month: its figures are as at this day."""
        following = (self.month.replace(day=28) + datetime.timedelta(days=4)).replace(
            day=1
        )
        return following - datetime.timedelta(days=1)

    def audit_organisation(self) -> Organisation:
        return self.organisation


class EntryQuerySet(OrganisationOwnedQuerySet):
    organisation_path = "report__organisation"


class ReportEntry(VersionedModel):
    """A measure chosen for a report, under one of its headings, with its commentary."""

    report = models.ForeignKey(
        BoardReport, on_delete=models.CASCADE, related_name="entries"
    )
    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, related_name="report_entries"
    )
    heading = models.CharField(max_length=HEADING_LENGTH)
    position = models.PositiveIntegerField(default=0)
    commentary = models.TextField(blank=True)
    commentary_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    commentary_at = models.DateTimeField(null=True, blank=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "measure"], name="one_entry_per_measure"
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure} in {self.report}"

    def audit_organisation(self) -> Organisation:
        return self.report.organisation


class SnapshotQuerySet(OrganisationOwnedQuerySet):
    organisation_path = "report__organisation"


class ReportSnapshot(models.Model):
    """What a published report shows, frozen when it was published: JSON with each
    chart as an SVG string (see ``openqi/reports/snapshots.py`` for its shape).

    Written once; a second save of the same snapshot is refused. Not on the audit
    trail itself (its report's publication is), so the trail does not carry the
    charts."""

    report = models.OneToOneField(
        BoardReport, on_delete=models.CASCADE, related_name="snapshot"
    )
    data = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SnapshotQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Snapshot of {self.report}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ReportIsPublished(self.report)
        super().save(*args, **kwargs)
