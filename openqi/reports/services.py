"""Composing, publishing and finding board reports (pages and the API alike)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from openqi.measures.models import Measure
from openqi.organisations.access import find_for
from openqi.organisations.models import Membership, Organisation
from openqi.organisations.permissions import has

from .models import (
    DEFAULT_HEADINGS,
    MOST_ENTRIES,
    BoardReport,
    ReportEntry,
    ReportIsPublished,
    ReportSnapshot,
)
from .permissions import COMPOSE_REPORT
from .snapshots import build_snapshot

__all__ = [
    "ReportIsPublished",
    "TooManyEntries",
    "add_entry",
    "create_report",
    "default_headings",
    "delete_draft",
    "entries_owned_by",
    "get_entry_for",
    "get_report_for",
    "publish",
    "remove_entry",
    "reports_for",
    "save_commentary",
    "search_measures",
    "snapshot_of",
    "update_report",
]

#: Measures a search shows at once.
SEARCH_RESULTS = 20


class TooManyEntries(ValueError):
    pass


def reports_for(membership: Membership) -> QuerySet[BoardReport]:
    """The reports this member may read, newest month first: published ones, and
    drafts too for those who compose them or own a measure in one."""
    reports = BoardReport.objects.for_organisation(membership.organisation)
    if not has(membership, COMPOSE_REPORT):
        reports = reports.filter(
            Q(status=BoardReport.Status.PUBLISHED)
            | Q(entries__measure__owner_id=membership.user_id)
        ).distinct()
    return reports.select_related("published_by").order_by("-month", "-pk")


def get_report_for(
    membership: Membership, pk: int, *, any_draft: bool = False
) -> BoardReport:
    """The organisation's report ``pk`` that this member may read, or 404
    (``any_draft``: any of its reports, for a page that checks an object rule)."""
    reports = (
        BoardReport.objects.for_organisation(membership.organisation)
        if any_draft
        else reports_for(membership)
    )
    return find_for(membership, reports, pk, "report", "reports")


def get_entry_for(membership: Membership, report: BoardReport, pk: int) -> ReportEntry:
    entries = ReportEntry.objects.filter(report=report).select_related(
        "measure", "measure__owner", "measure__unit", "commentary_by"
    )
    return find_for(
        membership, entries, pk, "measure in this report", f"reports/{report.pk}"
    )


def default_headings(organisation: Organisation) -> list[str]:
    """The organisation's own headings: those of its latest report, else the default."""
    latest = (
        BoardReport.objects.for_organisation(organisation)
        .order_by("-month", "-pk")
        .values_list("headings", flat=True)
        .first()
    )
    return list(latest) if latest else list(DEFAULT_HEADINGS)


def _refuse_published(report: BoardReport) -> None:
    if report.is_published:
        raise ReportIsPublished(report)


def create_report(
    organisation: Organisation,
    *,
    month: datetime.date,
    title: str,
    headings: list[str],
    created_by: Any,
) -> BoardReport:
    return BoardReport.objects.create(
        organisation=organisation,
        month=month,
        title=title,
        headings=headings,
        created_by=created_by,
    )


def update_report(report: BoardReport, **fields: Any) -> BoardReport:
    """Change a draft's month, title or headings; entries under a heading that is
    gone move to the first heading."""
    _refuse_published(report)
    with transaction.atomic():
        for name, value in fields.items():
            setattr(report, name, value)
        report.save()
        headings = list(report.headings)
        for entry in report.entries.exclude(heading__in=headings):
            entry.heading = headings[0]
            entry.save(update_fields=["heading"])
    return report


def add_entry(report: BoardReport, measure: Measure, heading: str) -> ReportEntry:
    """Put ``measure`` under ``heading``; a measure already in the report moves there."""
    _refuse_published(report)
    existing = report.entries.filter(measure=measure).first()
    if existing is not None:
        if existing.heading != heading:
            existing.heading = heading
            existing.save(update_fields=["heading"])
        return existing
    if report.entries.count() >= MOST_ENTRIES:
        raise TooManyEntries(
            f"A report holds at most {MOST_ENTRIES} measures: remove one before adding another."
        )
    last = report.entries.aggregate(last=Max("position"))["last"]
    return ReportEntry.objects.create(
        report=report,
        measure=measure,
        heading=heading,
        position=0 if last is None else last + 1,
    )


def remove_entry(entry: ReportEntry) -> None:
    _refuse_published(entry.report)
    entry.delete()


def save_commentary(entry: ReportEntry, commentary: str, by: Any) -> ReportEntry:
    _refuse_published(entry.report)
    entry.commentary = commentary
    entry.commentary_by = by
    entry.commentary_at = timezone.now()
    entry.save()
    return entry


def delete_draft(report: BoardReport) -> None:
    _refuse_published(report)
    report.delete()


def publish(report: BoardReport, by: Any) -> BoardReport:
    """Freeze the report: its snapshot, as at the last day of its month, is stored
    and never changed again."""
    _refuse_published(report)
    with transaction.atomic():
        now = timezone.now()
        name = getattr(by, "full_name", "") or ""
        data = build_snapshot(report, published_by=name, published_at=now)
        report.status = BoardReport.Status.PUBLISHED
        report.published_by = by
        report.published_at = now
        report.save()
        ReportSnapshot.objects.create(report=report, data=data)
    return report


def snapshot_of(report: BoardReport) -> dict[str, Any] | None:
    """A published report's stored snapshot (None for a draft)."""
    found = ReportSnapshot.objects.filter(report=report).values_list("data", flat=True)
    data = found.first()
    return dict(data) if data is not None else None


def search_measures(
    organisation: Organisation, text: str, *, exclude: list[int] | None = None
) -> list[Measure]:
    """Measures whose name (or unit's name) holds ``text``, the first
    :data:`SEARCH_RESULTS` by name."""
    measures = Measure.objects.for_organisation(organisation).select_related(
        "unit", "owner"
    )
    if text:
        measures = measures.filter(
            Q(name__icontains=text) | Q(unit__name__icontains=text)
        )
    if exclude:
        measures = measures.exclude(pk__in=exclude)
    return list(measures.order_by("name", "pk")[:SEARCH_RESULTS])


def entries_owned_by(membership: Membership, report: BoardReport) -> list[ReportEntry]:
    """The draft's measures this member owns (whose commentary they write)."""
    return list(
        report.entries.filter(measure__owner_id=membership.user_id)
        .select_related("measure")
        .order_by("position", "pk")
    )
