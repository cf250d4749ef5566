"""Spread as a project lead walks it in Chromium: open the changes spreading from
the portfolio, pick a proven change idea no other team has adopted, adopt it into
their own project under one of its drivers, and see both ends of the link: the
adopting project's driver diagram says where the idea came from, the idea's
spread page counts the team and its unit. axe-core (every impact) is checked on
each page at 1,280 px and at 320 px. The trust, its people and its data are
invented."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from openqi.improvement.models import DriverNode
from openqi.organisations.models import Role
from tests.browser.helpers import (
    DESKTOP,
    HEIGHT,
    expect_heading,
    page_problems,
    resize,
    sign_in,
)
from tests.factories import make_member, make_organisation, make_unit
from tests.improvement.routes_spread import make_proven, make_team_project

pytestmark = pytest.mark.browser


def test_adopt_a_proven_idea_and_see_both_ends(
    page: Page, transactional_db: None
) -> None:
    trust = make_organisation(name="Fernleigh Valley NHS Trust", slug="fernleigh")
    medicine = make_unit(trust, name="Medicine")
    surgery = make_unit(trust, name="Surgery")
    lead = make_member(trust, Role.PROJECT_LEAD, full_name="Tamsin Quarrendon")
    source, nodes = make_team_project(trust, "Fewer falls on Larch ward", medicine)
    idea = nodes["idea"]
    make_proven(idea)
    target, target_nodes = make_team_project(
        trust, "Safer nights on Rowan ward", surgery, lead=lead
    )
    problems: list[str] = []
    resize(page, DESKTOP, HEIGHT)
    sign_in(page, lead.email)

    # 1. From the portfolio to the changes spreading: the idea is a candidate.
    page.goto(reverse("portfolio:portfolio", kwargs={"slug": trust.slug}))
    page.get_by_role("link", name="Changes spreading").click()
    expect_heading(page, "Changes spreading")
    candidates = page.get_by_role(
        "table", name="Proven change ideas no other team has adopted"
    )
    expect(candidates).to_contain_text(idea.text)
    expect(candidates).to_contain_text("Fewer falls on Larch ward")
    problems += page_problems(page, "changes spreading")

    # 2. Adopt it: the project, then the driver.
    candidates.get_by_role("link", name=f"Adopt {idea.text}").click()
    expect_heading(page, idea.text)
    problems += page_problems(page, "adopt: choose the project")
    page.get_by_label("The project that adopts it").select_option(label=target.title)
    page.get_by_role("button", name="Continue").click()
    secondary = target_nodes["secondary"]
    page.get_by_label("Put it under this driver").select_option(
        label=f"Secondary driver: {secondary.text}"
    )
    problems += page_problems(page, "adopt: choose the driver")
    page.get_by_role("button", name="Adopt it").click()

    # 3. The adopting project's driver diagram links back to the source.
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text(
        f"Safer nights on Rowan ward adopted “{idea.text}” from Fewer falls on Larch ward."
    )
    adopted = DriverNode.objects.get(project=target, adopted_from=idea)
    item = page.locator(f"#node-{adopted.pk}")
    expect(item).to_contain_text("Adopted from Fewer falls on Larch ward")
    problems += page_problems(page, "the adopting project's driver diagram")
    item.get_by_role("link", name="Fewer falls on Larch ward").click()

    # 4. The source's diagram counts the spread; its spread page lists the team.
    source_item = page.locator(f"#node-{idea.pk}")
    expect(source_item).to_contain_text("Proven here; adopted by 1 team in 1 unit.")
    source_item.get_by_role("link", name=f"Spread of {idea.text}").click()
    expect(page.locator("[data-spread-summary]")).to_have_text(
        "Proven in Fewer falls on Larch ward; adopted by 1 team in 1 unit."
    )
    adopters = page.get_by_role("table", name="Projects that adopted it")
    expect(adopters).to_contain_text("Safer nights on Rowan ward")
    expect(adopters).to_contain_text("Surgery")
    problems += page_problems(page, "the idea's spread")

    # 5. Now it is spreading, no longer a candidate.
    page.goto(reverse("improvement:spread", kwargs={"slug": trust.slug}))
    spreading = page.get_by_role(
        "table", name="Proven change ideas adopted by other teams, most teams first"
    )
    expect(spreading).to_contain_text(idea.text)
    expect(
        page.get_by_role("heading", name="Proven, not adopted elsewhere (0)")
    ).to_be_visible()
    assert source.pk != target.pk
    assert not problems, "\n".join(problems)
