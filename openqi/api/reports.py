"""/organisations/{slug}/reports: the monthly board reports.

Every member reads the published reports (and the drafts they may see on the
pages: all of them for administrators and the QI team, those holding a measure
they own for others). A published report's ``snapshot`` is the JSON its page and
PDF are drawn from, with every figure as at the last day of its month and each
chart as an SVG string; it never changes. The reports are composed on the pages.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from typing_extensions import TypeAliasType

from openqi.organisations.permissions import MemberRequest, api_access
from openqi.reports import services
from openqi.reports.models import BoardReport
from openqi.reports.pdf import PDFUnavailable
from openqi.reports.pdf_views import UNAVAILABLE, download, report_pdf_bytes
from openqi.reports.permissions import VIEW_REPORTS

from .schemas import ErrorOut, Page, PageQuery
from .versions import VERSION_OUT
from .views import ERRORS, paginate

router = Router(tags=["reports"])

ReportStatus = TypeAliasType("ReportStatus", BoardReport.Status)

REPORT = "/organisations/{slug}/reports/{report_id}"


class ReportOut(Schema):
    id: int
    month: date = Field(description="The first day of the report's month.")
    as_at: date = Field(description="The day its figures are as at: the month's last.")
    title: str
    status: ReportStatus
    headings: list[str]
    published_at: datetime | None
    published_by: str | None = Field(description="Who published it.")
    version: int = Field(description=VERSION_OUT)


class ReportDetailOut(ReportOut):
    snapshot: dict[str, Any] | None = Field(
        description="What the published report shows, frozen when it was published "
        "(null for a draft): see docs/api.md."
    )


class ReportQuery(PageQuery):
    status: ReportStatus | None = None


def _out(report: BoardReport) -> dict[str, Any]:
    return {
        "id": report.pk,
        "month": report.month,
        "as_at": report.as_at,
        "title": report.title,
        "status": report.status,
        "headings": list(report.headings),
        "published_at": report.published_at,
        "published_by": report.published_by.full_name if report.published_by else None,
        "version": report.version,
    }


@router.get(
    "/organisations/{slug}/reports",
    response={200: Page[ReportOut], **ERRORS},
    url_name="reports",
)
@api_access(VIEW_REPORTS)
def list_reports(request: MemberRequest, slug: str, query: Query[ReportQuery]) -> Any:
    """The board reports, the newest month first (without their snapshots)."""
    reports = services.reports_for(request.membership)
    if query.status is not None:
        reports = reports.filter(status=query.status)
    page = paginate(reports, query)
    page["items"] = [_out(r) for r in page["items"]]
    return page


@router.get(REPORT, response={200: ReportDetailOut, **ERRORS}, url_name="report")
@api_access(VIEW_REPORTS)
def get_report(request: MemberRequest, slug: str, report_id: int) -> Any:
    """One report, with the snapshot of a published one."""
    report = services.get_report_for(request.membership, report_id)
    return {**_out(report), "snapshot": services.snapshot_of(report)}


# The report's PDF (openqi/reports/pdf_views.py) is served at REPORT + "/pdf"
# by the PDF's own operation, added below this line (not ".pdf": REPORT's
# {report_id} would take "3.pdf" whole).


@router.get(
    REPORT + "/pdf",
    response={200: None, **ERRORS, 503: ErrorOut},
    url_name="report_pdf",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The report as an accessible tagged PDF (PDF/UA-1), "
                "A4, named board-report-YYYY-MM.pdf.",
                "content": {
                    "application/pdf": {
                        "schema": {"type": "string", "format": "binary"}
                    }
                },
            }
        }
    },
)
@api_access(VIEW_REPORTS)
def get_report_pdf(request: MemberRequest, slug: str, report_id: int) -> Any:
    """The report as a PDF, as its page's download gives it: a published report's
    (made once, then the same file every time), or a draft's as it is now. 503
    when the server lacks the libraries that make PDFs."""
    report = services.get_report_for(request.membership, report_id)
    try:
        pdf = report_pdf_bytes(report)
    except PDFUnavailable:
        raise HttpError(503, UNAVAILABLE) from None
    response: HttpResponse = download(report, pdf)
    return response
