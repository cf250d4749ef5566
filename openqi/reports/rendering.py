"""A board report as HTML: the body (shared by the report's page and its printed
document) and the whole document for printing, which the PDF is made from
(``openqi/reports/pdf_views.py`` passes :func:`report_html` to
``openqi/reports/pdf.py: html_to_pdf``).

Both read a snapshot only: the published report's stored one, or a draft's
preview (:func:`openqi.reports.snapshots.preview_snapshot`).
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from openqi.organisations.models import Organisation

from .models import BoardReport, ReportSnapshot
from .snapshots import preview_snapshot

__all__ = ["report_body", "report_html", "snapshot_for"]

#: The report's own stylesheet (screen and print) and the print stylesheet, if
#: there is one; the printed document carries both inline, so the PDF engine
#: fetches nothing.
STYLESHEET = "reports/report.css"
PRINT_STYLESHEET = "reports/print.css"


def day(iso: str | None) -> str:
    """'2026-03-31' (or a timestamp) → '31 March 2026'."""
    if not iso:
        return ""
    when = datetime.date.fromisoformat(iso[:10])
    return f"{when.day} {when:%B %Y}"


def _context(snapshot: dict[str, Any]) -> dict[str, Any]:
    measures = snapshot.get("measures", [])
    return {
        "s": snapshot,
        "day": day,
        "measures": measures,
        # None in a snapshot published before the report showed the programme's return.
        "value": snapshot.get("value"),
        "problems": [measures[i] for i in snapshot.get("problems", [])],
        "headings": [
            (h["name"], [measures[i] for i in h["entries"]])
            for h in snapshot.get("headings", [])
        ],
        "matrix_rows": [
            (row[1], [[measures[i] for i in cell] for cell in cells])
            for row, cells in zip(
                snapshot["matrix"]["rows"], snapshot["matrix"]["cells"], strict=True
            )
        ]
        if "matrix" in snapshot
        else [],
    }


def report_body(
    snapshot: dict[str, Any], *, organisation: Organisation, for_print: bool = False
) -> str:
    """The report's content (no page layout): from the problems to the barriers."""
    context = {
        **_context(snapshot),
        "organisation": organisation,
        "for_print": for_print,
    }
    return render_to_string("reports/_report.html", context)


def snapshot_for(report: BoardReport) -> dict[str, Any]:
    """The stored snapshot of a published report; a draft's preview."""
    if report.is_published:
        data = (
            ReportSnapshot.objects.filter(report=report)
            .values_list("data", flat=True)
            .first()
        )
        if data is not None:
            return dict(data)
    return preview_snapshot(report)


def _stylesheet(name: str) -> str:
    found = finders.find(name)
    if not found or isinstance(found, list):
        return ""
    return Path(found).read_text(encoding="utf-8")


def report_html(report: BoardReport, *, for_print: bool) -> str:
    """The whole HTML document of the report, ready to print: the published
    report's snapshot (a draft's preview), with the report's stylesheets inline
    when ``for_print`` (linked otherwise)."""
    snapshot = snapshot_for(report)
    body = report_body(snapshot, organisation=report.organisation, for_print=for_print)
    styles = ""
    if for_print:
        styles = "\n".join(
            text
            for text in (_stylesheet(STYLESHEET), _stylesheet(PRINT_STYLESHEET))
            if text
        )
    context = {
        "s": snapshot,
        "report": report,
        "body": body,
        "for_print": for_print,
        "inline_styles": styles,
        "has_print_stylesheet": bool(finders.find(PRINT_STYLESHEET)),
    }
    return render_to_string("reports/document.html", context)
