"""The board report's API operations, for the access walk (see tests/access.py)."""

from __future__ import annotations

from typing import Any

from tests.access import Route
from tests.reports.report_helpers import published_report
from tests.reports.routes_board_report import _fresh_month


def _report(cast: Any) -> dict[str, Any]:
    report = published_report(cast.org, _fresh_month(cast))
    return {"slug": cast.org.slug, "report_id": report.pk}


#: The board report's paths in the OpenAPI document (the PDF's too).
REPORT_PATHS = {
    "/api/v1/organisations/{slug}/reports",
    "/api/v1/organisations/{slug}/reports/{report_id}",
    "/api/v1/organisations/{slug}/reports/{report_id}/pdf",
}

ROUTES: list[Route] = [
    Route("api:reports", kwargs=lambda cast: {"slug": cast.org.slug}, is_api=True),
    Route("api:report", kwargs=_report, is_api=True),
]
