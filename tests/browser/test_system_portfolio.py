"""The system's portfolio as its administrator and a member's administrator walk it
in Chromium: the system administrator sees the members' published and shared work
and their capability with small counts suppressed; a member's administrator turns
sharing off on its own page, and the system's view no longer shows it. axe-core
(every impact) is checked on each page at 1,280 px and at 320 px. The system, its
trusts and their people are invented."""

from __future__ import annotations

import importlib
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    DESKTOP,
    HEIGHT,
    expect_heading,
    page_problems,
    resize,
    sign_in,
    sign_out,
)
from tests.system.helpers import SystemCast

pytestmark = pytest.mark.browser


def _publish(cast: Any) -> str | None:
    """Publish Northmoor's project to its system through the library, if the
    library can (its services are built alongside); the title, or None."""
    try:
        library = importlib.import_module("openqi.library.services")
        models = importlib.import_module("openqi.library.models")
        library.publish(
            cast.north,
            by=cast.north_admin,
            kind=models.Kind.PROJECT,
            project=cast.north_project,
            title="Hip fracture theatre within 36 hours",
            summary="Theatre within 36 hours for nine in ten patients.",
            topic=models.Topic.values[0],
            setting=models.Setting.values[0],
            audience=models.Audience.SYSTEM,
        )
    except (ImportError, AttributeError, TypeError):
        return None
    return "Hip fracture theatre within 36 hours"


def test_the_system_sees_what_members_share_until_they_stop(
    page: Page, transactional_db: None
) -> None:
    cast = SimpleNamespace()
    SystemCast.build(cast)
    published = _publish(cast)
    problems: list[str] = []
    resize(page, DESKTOP, HEIGHT)
    portfolio = reverse("system:portfolio", kwargs={"slug": cast.system.slug})

    # 1. The system's administrator: the members' work, counts suppressed.
    sign_in(page, cast.system_admin.email)
    page.goto(portfolio)
    expect_heading(page, "System portfolio")
    members = page.locator("#sharing-members")
    expect(members).to_contain_text("Northmoor NHS Trust")
    expect(members).to_contain_text("Southmoor NHS Trust")
    expect(members).not_to_contain_text("Westmoor")
    if published:
        expect(page.locator("#published-work")).to_contain_text(published)
    expect(page.locator("#by-status")).to_contain_text("Northmoor NHS Trust")
    capability = page.locator("#capability-table")
    # Southmoor's 3 at awareness is suppressed, and Northmoor's 12 with it.
    expect(capability.get_by_role("row", name="Southmoor NHS Trust")).to_contain_text(
        "suppressed"
    )
    expect(capability.get_by_role("row", name="Northmoor NHS Trust")).to_contain_text(
        "suppressed"
    )
    expect(capability).not_to_contain_text("12")
    problems += page_problems(page, "the system portfolio")
    page.get_by_role("link", name="All 3 shared projects, with filters").click()
    expect_heading(page, "Shared projects")
    expect(page.locator("main")).to_contain_text("Virtual ward for frailty")
    problems += page_problems(page, "the shared projects")
    sign_out(page)

    # 2. Northmoor's administrator turns sharing off on Northmoor's own page.
    sign_in(page, cast.north_admin.email)
    page.goto(reverse("system:sharing", kwargs={"slug": cast.north.slug}))
    expect_heading(page, "Sharing with Moorland-Ics Integrated Care System")
    problems += page_problems(page, "a member's sharing page")
    page.get_by_label("Our project portfolio").uncheck()
    page.get_by_label("Our improvement capability, as counts").uncheck()
    page.get_by_role("button", name="Save sharing").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text(
        "shares nothing"
    )
    expect(page.locator("#shared-now")).to_have_text("Shared now: nothing.")
    sign_out(page)

    # 3. The system's view changes at once.
    sign_in(page, cast.system_admin.email)
    page.goto(portfolio)
    expect(members).to_contain_text("Southmoor NHS Trust")
    expect(members).not_to_contain_text("Northmoor")
    expect(page.locator("#by-status")).not_to_contain_text("Northmoor")
    problems += page_problems(page, "the system portfolio after a member stops sharing")

    assert not problems, "\n".join(problems)
