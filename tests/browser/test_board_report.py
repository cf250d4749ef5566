"""The board report as the QI team walks it in Chromium: compose a report for this
month with its headings, find a measure by searching (the results swap in as you
type), add it under a heading, write its commentary, preview, publish after the
confirmation, read the published report and download its PDF (whose text,
pdftotext's, holds the measure and its commentary); axe-core checks the compose
page and the report. The trust, its people and its data are invented."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from openqi.accounts.models import User
from openqi.measures.models import Measure
from openqi.organisations.models import Organisation, Role
from openqi.reports.models import BoardReport
from tests.browser.helpers import ALL_IMPACTS, axe_violations, sign_in
from tests.factories import make_member, make_organisation
from tests.reports.pdf_reading import need_pdf_tools, pdf_text, squeezed
from tests.reports.report_helpers import SHIFT_UP, make_charted_measure


@dataclass
class Trust:
    trust: Organisation
    qi: User
    falls: Measure


@pytest.fixture
def trust(transactional_db: None) -> Trust:
    trust = make_organisation(name="Fernlow Valley Hospitals NHS Trust")
    qi = make_member(trust, Role.QI_TEAM, full_name="Tamsin Oakridge")
    falls = make_charted_measure(
        trust,
        "Inpatient falls per 1,000 bed days",
        SHIFT_UP,
        improvement=Measure.Improvement.DECREASE,
        owner=qi,
    )
    make_charted_measure(trust, "Discharge letters within 24 hours")
    return Trust(trust, qi, falls)


def test_compose_publish_and_download_a_board_report(
    page: Page, trust: Trust, tmp_path: Path
) -> None:
    slug = trust.trust.slug
    month = datetime.date.today().replace(day=1)
    sign_in(page, trust.qi.email)
    page.goto(reverse("reports:list", kwargs={"slug": slug}))
    page.get_by_role("link", name="Compose a report").click()

    page.get_by_label("Month").select_option(month.isoformat())
    page.get_by_label("Title").fill(f"Quality report, {month:%B %Y}")
    page.get_by_label("Headings").fill("Safe\nResponsive")
    page.get_by_role("button", name="Start the report").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Compose")

    # htmx binds the search as the page finishes loading; typing before that is
    # typing into a plain form (it works, but on pressing the button).
    page.wait_for_load_state("load")
    page.get_by_label("Heading to add it under").select_option("Safe")
    page.get_by_role("searchbox", name="Search for a measure").fill("falls")
    results = page.locator("#measure-results")
    expect(results).to_contain_text("1 measure match")
    expect(results).not_to_contain_text("Discharge letters")
    results.get_by_role("button", name="Add Inpatient falls").click()
    expect(page.locator(".nhsuk-error-summary, .nhsuk-alert, body")).to_contain_text(
        "added under Safe"
    )
    problems = axe_violations(page, "the compose page", ALL_IMPACTS)

    page.get_by_role("link", name="Write the commentary on Inpatient falls").click()
    page.get_by_label("Commentary").fill(
        "Falls rose from September; the ward is testing hourly rounding."
    )
    page.get_by_role("button", name="Save the commentary").click()
    expect(page.locator("body")).to_contain_text("Commentary on Inpatient falls")

    page.get_by_role("link", name="Preview the report").click()
    expect(page.locator("body")).to_contain_text("This is a preview")
    expect(page.locator("#problems-heading")).to_be_visible()

    page.get_by_role("link", name="publish it").click()
    page.get_by_role("button", name="Publish the report").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Tick the box")
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Publish the report").click()

    expect(page.locator("body")).to_contain_text("published: it is now fixed")
    report = BoardReport.objects.get(organisation=trust.trust)
    assert report.is_published
    concerns = page.locator("section[aria-labelledby=problems-heading]")
    expect(concerns).to_contain_text("Inpatient falls per 1,000 bed days")
    expect(page.locator(f"#measure-{trust.falls.pk}")).to_contain_text(
        "hourly rounding"
    )
    expect(page.locator(f"#measure-{trust.falls.pk} svg").first).to_be_visible()
    problems += axe_violations(page, "the published report", ALL_IMPACTS)
    assert not problems, "\n".join(problems)

    # The board's copy: the PDF, through the page's own link.
    need_pdf_tools()
    with page.expect_download() as started:
        page.get_by_role("link", name="Download the report as a PDF").click()
    saved = tmp_path / started.value.suggested_filename
    started.value.save_as(saved)
    pdf = saved.read_bytes()
    assert pdf.startswith(b"%PDF-")
    text = squeezed(pdf_text(pdf))
    assert "Inpatient falls per 1,000 bed days" in text
    assert "hourly rounding" in text
    assert "Page 1 of" in text
