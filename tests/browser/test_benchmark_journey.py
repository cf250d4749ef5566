"""Benchmarking as a system's member walks it in Chromium: the national A&E
4-hour benchmark's funnel read through its text alternative, a trust's own SPC
chart opened from the table, and a value reported for the member's own row of
the system's benchmark. axe-core (every impact) is checked on each page at
1,280 px and at 320 px. The organisations and people are invented; the A&E
figures are NHS England's (Open Government Licence v3.0)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Page, expect

from openqi.benchmark import services
from openqi.organisations.models import Organisation, Role
from tests.browser.helpers import (
    DESKTOP,
    HEIGHT,
    expect_heading,
    page_problems,
    resize,
    sign_in,
)
from tests.factories import make_member, make_organisation

pytestmark = pytest.mark.browser


def test_read_the_national_funnel_open_a_trust_and_report_a_value(
    page: Page, transactional_db: None
) -> None:
    system = make_organisation(
        name="Fenwold Integrated Care System",
        slug="fenwold",
        kind=Organisation.Kind.SYSTEM,
    )
    trust = make_organisation(
        name="Hollins Bridge NHS Trust", slug="hollins", system=system
    )
    make_organisation(
        name="Marrowby Hospitals NHS Trust", slug="marrowby", system=system
    )
    nurse = make_member(trust, Role.MEMBER, full_name="Tamsin Oakenfold")
    call_command("import_national_file", "ae-4-hour", organisation=system.slug)
    shared = services.create_benchmark(
        system,
        name="Discharge summaries sent within 24 hours",
        numerator_definition="Summaries sent within 24 hours of discharge",
        denominator_definition="Inpatient discharges",
        improvement="increase",
    )
    problems: list[str] = []
    resize(page, DESKTOP, HEIGHT)
    sign_in(page, nurse.email)

    # 1. The member's benchmarks include the system's national one; read its funnel.
    page.goto(reverse("benchmark:list", kwargs={"slug": trust.slug}))
    expect_heading(page, "Benchmarks")
    problems += page_problems(page, "the benchmarks list")
    page.get_by_role("link", name="A&E 4-hour performance, England").click()
    expect_heading(page, "A&E 4-hour performance, England")
    funnel = page.get_by_role("img", name="A&E 4-hour performance, England, 2019-03")
    expect(funnel).to_be_visible()
    description = page.locator("#funnel-description")
    expect(description).to_contain_text("Funnel plot of 226 units")
    expect(description).to_contain_text("adjusted for over-dispersion")
    expect(
        page.get_by_role("table", name="Participants (1 to 50 of 274)")
    ).to_be_visible()
    problems += page_problems(page, "the national funnel")

    # 2. A trust's own SPC chart, from the table.
    table = page.get_by_role("table", name="Participants (1 to 50 of 274)")
    first = table.get_by_role("link").first
    code = first.inner_text()
    first.click()
    expect_heading(page, code)
    expect(
        page.get_by_role("img", name=f"{code}: A&E 4-hour performance", exact=False)
    ).to_be_visible()
    expect(page.get_by_role("table", name="Values by month")).to_contain_text("2019-03")
    problems += page_problems(page, "a trust's own chart")

    # 3. The member reports its own trust's value on the system's benchmark.
    page.goto(reverse("benchmark:detail", kwargs={"slug": trust.slug, "pk": shared.pk}))
    page.get_by_role("link", name="Report Hollins Bridge NHS Trust's value").click()
    expect_heading(page, "Report Hollins Bridge NHS Trust's value")
    page.get_by_label("Month").fill("2024-03")
    page.get_by_label("Numerator").fill("450")
    page.get_by_label("Denominator").fill("400")
    page.get_by_role("button", name="Save value").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "more than the denominator"
    )
    problems += page_problems(page, "reporting a value, with an error")
    page.get_by_label("Denominator").fill("500")
    page.get_by_role("button", name="Save value").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text(
        "value for March 2024 saved"
    )
    expect(page.get_by_role("table", name="Participants")).to_contain_text("90.0%")
    # The other trust's row has no report button for this member.
    expect(
        page.get_by_role("link", name="Report Marrowby Hospitals NHS Trust's value")
    ).to_have_count(0)
    problems += page_problems(page, "the system's benchmark")
    assert not problems, "\n".join(problems)
