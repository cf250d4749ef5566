"""Downloading a board report's PDF in Chromium, as a board member would: a report of
two measures is composed and published (through the services), a member opens it
from the list of reports, follows its download link, and gets the PDF, whose text
(pdftotext) holds the report's title, its measures and page numbers."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.urls import reverse
from playwright.sync_api import Page, expect

from openqi.measures.models import Measure
from openqi.organisations.models import Role
from openqi.reports import services
from tests.browser.helpers import sign_in
from tests.factories import make_member, make_organisation
from tests.reports.pdf_reading import need_pdf_tools, pdf_info, pdf_text, squeezed
from tests.reports.report_helpers import SHIFT_UP, STEADY, make_charted_measure


def test_a_member_downloads_the_published_report_as_a_pdf(
    page: Page, tmp_path: Path
) -> None:
    need_pdf_tools()
    trust = make_organisation(name="Harrowgate Vale Hospitals NHS Trust")
    qi = make_member(trust, Role.QI_TEAM, full_name="Imogen Thackeray")
    board_member = make_member(trust, Role.VIEWER, full_name="Rufus Pellingham")
    falls = make_charted_measure(
        trust, "Inpatient falls", SHIFT_UP, improvement=Measure.Improvement.DECREASE
    )
    screening = make_charted_measure(trust, "Sepsis screening", STEADY)
    report = services.create_report(
        trust,
        month=datetime.date(2025, 4, 1),
        title="Board report, April 2025",
        headings=["Safe", "Effective"],
        created_by=qi,
    )
    services.add_entry(report, falls, "Safe")
    services.add_entry(report, screening, "Effective")
    services.publish(report, qi)

    sign_in(page, board_member.email)
    page.goto(reverse("reports:list", kwargs={"slug": trust.slug}))
    page.get_by_role("link", name="Board report, April 2025").first.click()
    link = page.get_by_role("link", name="Download the report as a PDF")
    expect(link).to_be_visible()
    with page.expect_download() as started:
        link.click()
    download = started.value

    assert download.suggested_filename == "board-report-2025-04.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    pdf = saved.read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert pdf_info(pdf)["Tagged"] == "yes"
    text = squeezed(pdf_text(pdf))
    assert "Board report, April 2025 — Harrowgate Vale Hospitals NHS Trust" in text
    assert "Inpatient falls" in text and "Sepsis screening" in text
    assert "Special cause concern" in text
    assert "Page 1 of" in text
