"""A sustainability check as a project team walks it in Chromium: the lead opens
a check from the project's page, rates the ten factors, a team member rates
them too, and both see the team's score, the spread and the weakest factors,
then add one to the action plan. axe-core (every impact) is checked on each page
at 1,280 px and at 320 px. The trust, its people and its data are invented."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from openqi.organisations.models import Role
from openqi.projects.models import Project
from openqi.sustainability.builtin import FACTORS
from tests.browser.helpers import (
    DESKTOP,
    HEIGHT,
    expect_heading,
    page_problems,
    resize,
    sign_in,
    sign_out,
)
from tests.factories import make_member, make_organisation

pytestmark = pytest.mark.browser


def _rate(page: Page, ratings: list[int]) -> None:
    for factor, rating in zip(FACTORS, ratings, strict=True):
        group = page.get_by_role("group", name=factor.question)
        group.get_by_label(f"{rating} – ", exact=False).check()
    page.get_by_role("button", name="Save my ratings").click()


def test_open_a_check_rate_it_and_see_the_score(
    page: Page, transactional_db: None
) -> None:
    trust = make_organisation(name="Ashcombe Vale NHS Trust", slug="ashcombe")
    lead = make_member(trust, Role.PROJECT_LEAD, full_name="Idris Pemberton-Hale")
    nurse = make_member(trust, Role.MEMBER, full_name="Sorcha Trevanion")
    project = Project.objects.create(
        organisation=trust,
        title="Earlier discharge on Willow ward",
        status=Project.Status.SUSTAINING,
        lead=lead,
    )
    project.team.set([nurse])
    problems: list[str] = []
    resize(page, DESKTOP, HEIGHT)
    sign_in(page, lead.email)

    # 1. From the project's page to its sustainability checks; open one.
    page.goto(reverse("projects:detail", kwargs={"slug": trust.slug, "pk": project.pk}))
    page.get_by_role("link", name="Sustainability checks").click()
    expect_heading(page, "Sustainability checks")
    problems += page_problems(page, "a project's sustainability checks")
    page.get_by_role("button", name="Open a check").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text(
        "Sustainability check opened"
    )
    expect(page.locator("[data-score]")).to_have_text("Not rated yet")

    # 2. The lead rates the ten factors, grouped in three.
    page.get_by_role("link", name="Rate this check").click()
    expect_heading(page, "Rate the change")
    problems += page_problems(page, "rating a check")
    page.get_by_role("button", name="Save my ratings").click()  # nothing chosen
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Choose how far this is true: benefits beyond patients."
    )
    _rate(page, [5, 4, 3, 2, 1, 5, 4, 3, 2, 1])
    expect(page.locator("[data-score]")).to_have_text("Team score: 50.0 out of 100")
    sign_out(page)

    # 3. A team member rates; the team's score and spread combine both.
    sign_in(page, nurse.email)
    page.goto(
        reverse("sustainability:project", kwargs={"slug": trust.slug, "pk": project.pk})
    )
    page.get_by_role("link", name="Check of").first.click()
    page.get_by_role("link", name="Rate this check").click()
    _rate(page, [3, 4, 3, 2, 1, 5, 4, 3, 2, 1])
    # Medians: 4 4 3 2 1 5 4 3 2 1 → (3+3+2+1+0+4+3+2+1+0)/40 = 47.5.
    expect(page.locator("[data-score]")).to_have_text("Team score: 47.5 out of 100")
    factors = page.get_by_role("table", name="The team's ratings by factor")
    expect(factors.get_by_role("row", name="Benefits beyond patients")).to_contain_text(
        "3 to 5"
    )
    expect(
        page.get_by_role("img", name="The team's ratings of each factor")
    ).to_be_visible()
    problems += page_problems(page, "a check's scores")
    sign_out(page)

    # 4. The lead adds a weak factor's suggested action to the plan.
    sign_in(page, lead.email)
    page.goto(
        reverse("sustainability:project", kwargs={"slug": trust.slug, "pk": project.pk})
    )
    page.get_by_role("link", name="Check of").first.click()
    page.get_by_role("button", name="Add to the action plan").first.click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text(
        "Added to the action plan"
    )
    expect(page.locator("#actions + ul")).to_contain_text(
        "Staff involvement and training"
    )

    # 5. The portfolio's sustaining projects by score.
    page.goto(reverse("portfolio:portfolio", kwargs={"slug": trust.slug}))
    page.get_by_role("link", name="Sustaining by score").click()
    expect_heading(page, "Sustaining projects by score")
    expect(page.get_by_role("table")).to_contain_text("47.5")
    problems += page_problems(page, "sustaining projects by score")
    assert not problems, "\n".join(problems)
