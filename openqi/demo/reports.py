"""Demo step: twelve monthly board reports of Riverside, published, each with its
figures as at the end of its month.

The reports run to the month of the demo's last monthly data point
(:data:`openqi.demo.measures.LAST_MONTH`), so they are the same on every run. Each
is built by :func:`openqi.reports.snapshots.build_snapshot`, which reads each
measure's points up to the month's end, the projects started and rated by then,
the barriers open then and the capability coverage on that day, so March's report
shows March's figures. The measures, their headings and the owners' commentary
(one sentence for each kind of chart verdict) are in ``data/reports.json``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from openqi.measures.models import Measure
from openqi.organisations.models import Membership, Role
from openqi.reports.models import BoardReport, ReportEntry, ReportSnapshot
from openqi.reports.snapshots import build_snapshot

from .base import Demo
from .measures import LAST_MONTH
from .records import load

__all__ = ["REPORT_MONTHS", "add_reports"]

#: How many monthly reports the demo trust has.
REPORT_MONTHS = 12


def _months() -> list[datetime.date]:
    months = [LAST_MONTH]
    while len(months) < REPORT_MONTHS:
        months.append((months[-1] - datetime.timedelta(days=1)).replace(day=1))
    return months[::-1]


def _publisher(organisation: Any) -> Any:
    membership = (
        Membership.objects.filter(organisation=organisation, role=Role.QI_TEAM)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


def add_reports(demo: Demo) -> None:
    """Riverside's twelve published monthly board reports, oldest first."""
    riverside = demo.organisations["riverside"]
    if BoardReport.objects.for_organisation(riverside).exists():
        return
    spec: dict[str, Any] = load("reports")["reports"]
    by_name = {
        m.name: m
        for m in Measure.objects.for_organisation(riverside).select_related("owner")
    }
    chosen = [(h, by_name[name]) for h, name in spec["measures"] if name in by_name]
    publisher = _publisher(riverside)
    for month in _months():
        report = BoardReport.objects.create(
            organisation=riverside,
            month=month,
            title=f"{spec['title']}, {month:%B %Y}",
            headings=list(spec["headings"]),
            created_by=publisher,
        )
        entries = [
            ReportEntry.objects.create(
                report=report, measure=measure, heading=heading, position=i
            )
            for i, (heading, measure) in enumerate(chosen)
        ]
        published_at = timezone.make_aware(
            datetime.datetime.combine(
                report.as_at + datetime.timedelta(days=6), datetime.time(9, 0)
            )
        )
        data = build_snapshot(
            report,
            published_by=publisher.full_name if publisher else "",
            published_at=published_at,
        )
        # The owners' commentary, on what the chart said that month.
        for entry, shown in zip(entries, data["measures"], strict=True):
            owner = entry.measure.owner
            entry.commentary = spec["commentary"].get(shown["group"], "")
            entry.commentary_by = owner
            entry.commentary_at = published_at - datetime.timedelta(days=2)
            entry.save()
            shown["commentary"] = entry.commentary
            shown["commentary_by"] = owner.full_name if owner else ""
            shown["commentary_at"] = entry.commentary_at.date().isoformat()
        report.status = BoardReport.Status.PUBLISHED
        report.published_by = publisher
        report.published_at = published_at
        report.save()
        ReportSnapshot.objects.create(report=report, data=data)
        demo.created["board reports"] += 1
