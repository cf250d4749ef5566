"""Under the Content-Security-Policy, in Chromium, the pages still work: the NHS.UK
frontend starts, and htmx adds a unit, draws the driver diagram and filters the
portfolio, with no violation reported on the way (tests/web/test_content_security_policy.py
checks the header and the HTML of every page)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from openqi.accounts.models import User
from openqi.improvement.models import DriverNode
from openqi.organisations.models import Organisation, Role, Unit
from openqi.projects.models import Project
from tests.browser.helpers import sign_in
from tests.factories import make_member, make_organisation, make_unit

#: Runs before any page script, so it hears every violation (Playwright adds it
#: through the DevTools protocol, which the policy does not govern).
LISTEN_FOR_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline code"}` +
    ` at ${event.sourceFile || event.documentURI}:${event.lineNumber}`
  );
});
"""


@dataclass
class Trust:
    trust: Organisation
    admin: User
    directorate: Unit
    active: Project
    idea: Project


@pytest.fixture
def trust(transactional_db: None) -> Trust:
    trust = make_organisation(name="Wrenfield Hospitals NHS Trust")
    division = make_unit(trust, name="Surgery")
    directorate = make_unit(trust, name="Theatres", parent=division)
    admin = make_member(trust, Role.ADMIN, full_name="Ines Marlowe")
    active, idea = (
        Project.objects.create(
            organisation=trust,
            unit=directorate,
            title=title,
            aim_what="Start lists on time",
            lead=admin,
            status=status,
        )
        for title, status in (
            ("Theatre lists start on time", Project.Status.ACTIVE),
            ("Fewer cancelled operations", Project.Status.IDEA),
        )
    )
    return Trust(trust, admin, directorate, active, idea)


@pytest.fixture
def watched(page: Page) -> Iterator[tuple[Page, list[str]]]:
    """The page, and the policy violations the browser reports while it is used."""
    console: list[str] = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    page.add_init_script(LISTEN_FOR_VIOLATIONS)
    yield page, console


def _violations(page: Page, console: list[str]) -> list[str]:
    return console + page.evaluate("window.__cspViolations || []")


def _hx_response(page: Page, method: str):  # type: ignore[no-untyped-def]
    return page.expect_response(
        lambda r: (
            r.request.method == method and r.request.headers.get("hx-request") == "true"
        )
    )


def test_the_nhs_frontend_and_htmx_work_with_no_policy_violations(
    watched: tuple[Page, list[str]], trust: Trust
) -> None:
    page, console = watched
    slug = trust.trust.slug
    sign_in(page, trust.admin.email)

    # The NHS.UK frontend saw JavaScript and started its components.
    expect(page.locator("body")).to_have_class(re.compile(r"\bjs-enabled\b"))
    expect(page.locator("body")).to_have_class(
        re.compile(r"\bnhsuk-frontend-supported\b")
    )
    expect(page.locator("[data-nhsuk-header-init]")).to_have_count(1)
    assert page.evaluate("typeof htmx") == "object"
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False

    # The unit form: htmx posts it and swaps the list in place.
    page.goto(reverse("organisations:units", kwargs={"slug": slug}))
    form = page.locator("#unit-form")
    form.get_by_label("Name").fill("Recovery")
    form.get_by_label("Level").select_option(label="Team")
    form.get_by_label("Sits under").select_option(label="Theatres (directorate)")
    with _hx_response(page, "POST"):
        form.get_by_role("button", name="Add unit").click()
    expect(page.locator("#units")).to_contain_text("Recovery added.")
    assert Unit.objects.filter(name="Recovery", parent=trust.directorate).exists()

    # The driver diagram editor: htmx opens the form and adds the driver.
    page.goto(
        reverse("improvement:drivers", kwargs={"slug": slug, "pk": trust.active.pk})
    )
    with _hx_response(page, "GET"):
        page.get_by_role("link", name="Add a primary driver under the aim").click()
    page.get_by_label("Text").fill("Patients arrive ready for theatre")
    with _hx_response(page, "POST"):
        page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator("#drivers")).to_contain_text(
        "Patients arrive ready for theatre"
    )
    assert DriverNode.objects.filter(project=trust.active).count() == 1

    # The portfolio filters: htmx fetches the results as a filter changes.
    page.goto(reverse("portfolio:portfolio", kwargs={"slug": slug}))
    results = page.locator("#portfolio-results")
    expect(results).to_contain_text("Fewer cancelled operations")
    with _hx_response(page, "GET"):
        page.get_by_label("Status").select_option(label="Active")
    expect(results).not_to_contain_text("Fewer cancelled operations")
    expect(results).to_contain_text("Theatre lists start on time")

    assert _violations(page, console) == []


def test_the_listener_hears_a_violation(
    watched: tuple[Page, list[str]], trust: Trust
) -> None:
    # Proves the test above can fail: an inline script is refused and reported.
    page, console = watched
    sign_in(page, trust.admin.email)

    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.ran = true'; document.body.append(s); }"
    )

    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.evaluate("window.ran === undefined")
    assert any("script-src" in v for v in _violations(page, console))
