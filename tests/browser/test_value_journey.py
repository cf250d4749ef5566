"""Valuing improvement as a project lead walks it in Chromium: the programme's
return before any benefit; from the project's page to its benefits, where a
measure's phase break offers its realised change; a benefit recorded from it
(first without a domain: the error says what to choose), with the value of one
bed day; and the programme's ROI moving. axe-core (every impact) is checked on
each page at 1,280 px and at 320 px. The trust, its people and its data are
invented."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from openqi.organisations.models import Role
from openqi.projects.models import Project
from tests.browser.helpers import (
    DESKTOP,
    HEIGHT,
    expect_heading,
    page_problems,
    resize,
    sign_in,
)
from tests.factories import make_member, make_organisation
from tests.value.helpers import make_investment, make_shifted_measure

pytestmark = pytest.mark.browser


def test_a_realised_benefit_from_a_phase_break_moves_the_return(
    page: Page, transactional_db: None
) -> None:
    trust = make_organisation(name="Ashcombe Vale NHS Trust", slug="ashcombe")
    lead = make_member(trust, Role.PROJECT_LEAD, full_name="Idris Pemberton-Hale")
    project = Project.objects.create(
        organisation=trust, title="Home by lunchtime on Willow ward", lead=lead
    )
    make_shifted_measure(trust, project)
    make_investment(trust, 2024, "30000")
    problems: list[str] = []
    resize(page, DESKTOP, HEIGHT)
    sign_in(page, lead.email)
    central_roi = page.locator("#scenario-central [data-roi]")

    # 1. The programme's return before any benefit: all of the investment is lost.
    page.goto(reverse("value:programme", kwargs={"slug": trust.slug}))
    expect_heading(page, "The programme's return")
    expect(central_roi).to_have_text("-100%")

    # 2. From the project's page to its benefits: the phase break's change.
    page.goto(reverse("projects:detail", kwargs={"slug": trust.slug, "pk": project.pk}))
    page.get_by_role("link", name="Benefits of this project").click()
    expect_heading(page, "Benefits")
    expect(page.locator(".openqi-phase-change")).to_contain_text(
        "20 better a monthly period; about 240 bed days a year"
    )
    problems += page_problems(page, "a project's benefits")

    # 3. Record it: the form starts from the change; the domain is missing.
    page.get_by_role("link", name="Record this realised change").click()
    expect_heading(page, "Record a benefit")
    expect(page.get_by_label("Quantity in natural units")).to_have_value("240")
    expect(page.get_by_label("Natural unit", exact=True)).to_have_value("bed days")
    page.get_by_role("button", name="Record benefit").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Choose the domain of the benefit."
    )
    problems += page_problems(page, "a benefit with an error")
    page.get_by_label("Domain").select_option(label="Cost avoidance")
    page.get_by_label("Value of one unit (£)").fill("150")
    page.get_by_role("button", name="Record benefit").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text(
        "recorded"
    )
    expect(page.get_by_role("table").first).to_contain_text(
        "£36,000 a year; 240 bed days a year (at £150 each)"
    )

    # 4. The return moved: 240 bed days × £150 = £36,000 over 2025 against £30,000
    # invested: (36,000 − 30,000) / 30,000 = 20%, breaking even in 2025/26.
    page.get_by_role("link", name="The programme's return").click()
    expect(central_roi).to_have_text("20%")
    expect(page.locator("#scenario-central")).to_contain_text("2025/26")
    expect(page.locator("svg.openqi-return-chart")).to_be_visible()
    problems += page_problems(page, "the programme's return")
    assert datetime.date.today() >= datetime.date(2025, 12, 31)  # a realised benefit
    assert not problems, "\n".join(problems)
