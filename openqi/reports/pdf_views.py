"""The board report's PDF download, and the PDF of a report that pages and the API
share (:func:`report_pdf_bytes`).

A published report never changes, so its PDF is made once and kept in the cache
(under the report, its publication time and a digest of what lays it out: the
report's templates, stylesheets and code, and WeasyPrint's version); every later
download reads it. A draft's PDF is made on each request from its preview.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from importlib.metadata import version
from pathlib import Path

from django.core.cache import cache
from django.http import HttpResponse

from openqi.organisations.permissions import MemberRequest, page_access

from . import services
from .models import BoardReport
from .pdf import PDFUnavailable, html_to_pdf
from .permissions import VIEW_REPORTS
from .rendering import report_html

logger = logging.getLogger(__name__)

__all__ = [
    "UNAVAILABLE",
    "download",
    "pdf_filename",
    "pdf_response",
    "pdf_title",
    "report_pdf",
    "report_pdf_bytes",
]

#: A published report's PDF is kept this long after its last download.
KEPT_SECONDS = 60 * 60 * 24 * 30
_APP = Path(__file__).resolve().parent


@functools.cache
def _layout_digest() -> str:
    """What the PDF's look depends on besides the snapshot: a new release with
    other templates, stylesheets or WeasyPrint makes every PDF anew."""
    digest = hashlib.sha256(version("weasyprint").encode())
    files = [_APP / "pdf.py", _APP / "rendering.py"]
    for folder in (_APP / "templates" / "reports", _APP / "static" / "reports"):
        files.extend(sorted(p for p in folder.rglob("*") if p.is_file()))
    for path in files:
        if path.is_file():
            digest.update(path.relative_to(_APP).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def pdf_title(report: BoardReport) -> str:
    """The PDF's title and running header: the report, its organisation and month."""
    title = report.title.strip() or "Board report"
    organisation = report.organisation.name
    if report.month_words.lower() in title.lower():
        return f"{title} — {organisation}"
    return f"{title} — {organisation}, {report.month_words}"


def pdf_filename(report: BoardReport) -> str:
    return f"board-report-{report.month:%Y-%m}.pdf"


def _cache_key(report: BoardReport) -> str | None:
    if not report.is_published or report.published_at is None:
        return None
    published = int(report.published_at.timestamp() * 1_000_000)
    return f"reports:pdf:{report.pk}:{published}:{_layout_digest()}"


def report_pdf_bytes(report: BoardReport) -> bytes:
    """The report's PDF: a published report's made once and kept, a draft's anew.
    Raises :class:`openqi.reports.pdf.PDFUnavailable` without WeasyPrint's libraries."""
    key = _cache_key(report)
    if key is not None:
        kept = cache.get(key)
        if isinstance(kept, bytes):
            return kept
    pdf = html_to_pdf(report_html(report, for_print=True), title=pdf_title(report))
    if key is not None:
        cache.set(key, pdf, KEPT_SECONDS)
    return pdf


#: What a person (or an API client) is told when WeasyPrint cannot run here.
UNAVAILABLE = (
    "The PDF of this report cannot be made on this server now: the libraries it "
    "needs are not installed. Print the report's page instead, and tell your IT "
    "service desk."
)


def download(report: BoardReport, pdf: bytes) -> HttpResponse:
    """``pdf`` as the report's download, named after its month."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf_filename(report)}"'
    response["Content-Length"] = str(len(pdf))
    # Private: the report belongs to the organisation, and a draft changes.
    response["Cache-Control"] = "private, no-cache"
    return response


def pdf_response(report: BoardReport) -> HttpResponse:
    """The report's PDF as a download; 503 with what is missing if it cannot be made."""
    try:
        pdf = report_pdf_bytes(report)
    except PDFUnavailable as error:
        logger.error("board report %s: no PDF: %s", report.pk, error)
        return HttpResponse(
            UNAVAILABLE, status=503, content_type="text/plain; charset=utf-8"
        )
    return download(report, pdf)


@page_access(get=VIEW_REPORTS)
def report_pdf(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    report = services.get_report_for(request.membership, pk)
    return pdf_response(report)
