"""The programme's return in the board report's PDF: its words, table and chart,
the chart a vector drawing whose text the PDF keeps."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.base import BaseTestCase
from tests.reports.pdf_reading import need_pdf_tools, pdf_objects, pdf_text, squeezed
from tests.reports.report_helpers import published_report
from tests.reports.value_report_data import (
    CENTRAL_TOTAL,
    DECEMBER,
    INVESTED,
    pounds_text,
    record_programme,
)


@pytest.fixture
def _pdf_tools() -> None:
    need_pdf_tools()


pytestmark = pytest.mark.usefixtures("_pdf_tools")


class ReportValuePdfTests(BaseTestCase):
    def setUp(self) -> None:
        cache.clear()

    def _pdf(self) -> bytes:
        report = published_report(self.org, DECEMBER, by=self.qi_lead)
        self.sign_in(self.viewer)
        answer = self.client.get(
            reverse(
                "reports:report_pdf", kwargs={"slug": self.org.slug, "pk": report.pk}
            )
        )
        assert answer.status_code == 200
        return bytes(answer.content)

    def test_the_pdf_has_the_section_its_table_and_its_vector_chart(self) -> None:
        record_programme(self.org)
        pdf = self._pdf()
        text = squeezed(pdf_text(pdf))

        section = text.split("Return on the improvement programme")[1]
        assert (
            f"{pounds_text(INVESTED)} invested and {pounds_text(CENTRAL_TOTAL)}"
            in section
        )
        assert "Return on investment in three scenarios" in section
        assert "Benefits and investment by financial year" in section
        assert "1.20%" in section and "0.40%" in section
        assert "Above 1% in 2024/25." in section
        assert "The investment threshold" in section
        # The chart's axis and legend are text in the PDF, not pixels.
        assert "High (with expected)" in section
        assert "2024/25" in section and "2025/26" in section
        objects = pdf_objects(pdf)
        assert b"/Subtype /Image" not in objects
        assert b"/Alt (Cumulative benefits and investment, 2024/25 to 2025/26)" in (
            objects
        )

    def test_without_investment_the_pdf_says_so(self) -> None:
        text = squeezed(pdf_text(self._pdf()))
        assert (
            "No investment in the improvement programme had been recorded by "
            "31 December 2025" in text
        )
