"""The board report's PDF download (page and API), for the access walk (see tests/access.py)."""

from __future__ import annotations

import datetime
from typing import Any

from openqi.reports.models import BoardReport
from tests.access import Route
from tests.reports.report_helpers import published_report

#: The month of the report the walk downloads (one for the whole walk).
MONTH = datetime.date(2019, 6, 1)


def _published(cast: Any) -> dict[str, Any]:
    report = BoardReport.objects.filter(organisation=cast.org, month=MONTH).first()
    if report is None:
        report = published_report(cast.org, MONTH)
    return {"slug": cast.org.slug, "pk": report.pk}


def _published_api(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug, "report_id": _published(cast)["pk"]}


ROUTES: list[Route] = [
    Route("reports:report_pdf", kwargs=_published),
    Route("api:report_pdf", kwargs=_published_api, is_api=True),
]
