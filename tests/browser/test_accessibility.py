"""axe-core (from the npm registry, in node_modules) on the main pages: no
serious or critical violations. Moderate and minor ones are listed after the run."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from openqi.organisations.models import Membership, Organisation, Role
from tests.browser.helpers import expect_accessible, expect_nhs_styles, resize, sign_in
from tests.factories import make_member, make_organisation, make_unit


def _organisation_with_data() -> tuple[Organisation, str]:
    """An organisation with units, members, an invitation and some audit events;
    returns it and the e-mail of an administrator who also belongs to a second one."""
    trust = make_organisation(name="Harrowgate Fields NHS Foundation Trust")
    other = make_organisation(
        name="Kestrel Bay Integrated Care System", kind=Organisation.Kind.SYSTEM
    )
    division = make_unit(trust, name="Surgery")
    directorate = make_unit(trust, name="Theatres and Anaesthesia", parent=division)
    make_unit(trust, name="Day Surgery Unit", parent=directorate)
    admin = make_member(trust, Role.ADMIN, full_name="Morgan Ashcombe")
    Membership.objects.create(user=admin, organisation=other, role=Role.VIEWER)
    for role, name in [(Role.QI_TEAM, "Jude Penrose"), (Role.VIEWER, "Casey Whitlow")]:
        make_member(trust, role, full_name=name)
    return trust, admin.email


def _pages(slug: str) -> dict[str, str]:
    return {
        "home": reverse("core:home"),
        "organisation": reverse("organisations:detail", kwargs={"slug": slug}),
        "units": reverse("organisations:units", kwargs={"slug": slug}),
        "members": reverse("organisations:members", kwargs={"slug": slug}),
        "invitations": reverse("organisations:invitations", kwargs={"slug": slug}),
        "audit log": reverse("audit:log", kwargs={"slug": slug}),
        "profile": reverse("accounts:profile"),
        "API tokens": reverse("accounts:tokens"),
        "accessibility statement": reverse("core:accessibility"),
        "page not found": "/organisations/no-such-organisation/",
    }


SIGNED_IN_PAGES = list(_pages("slug"))


def test_sign_in_page_is_accessible(page: Page, transactional_db: None) -> None:
    page.goto(reverse("accounts:sign_in"))
    expect_nhs_styles(page)
    expect_accessible(page, "sign in")


def test_accessibility_statement_is_accessible_signed_out(
    page: Page, transactional_db: None
) -> None:
    """Public, and read at any width: axe at full width and at 320 px (a 1280 px
    screen at 400% zoom), where nothing scrolls the page sideways."""
    page.goto(reverse("accounts:sign_in"))
    page.get_by_role("contentinfo").get_by_role(
        "link", name="Accessibility statement"
    ).click()
    expect(page).to_have_url(re.compile(re.escape(reverse("core:accessibility")) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Accessibility statement for OpenQI"
    )
    expect_nhs_styles(page)
    expect_accessible(page, "accessibility statement")
    resize(page, 320, 720)
    expect_accessible(page, "accessibility statement at 320 px")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px at 320 px"


def test_sign_in_page_with_errors_is_accessible(
    page: Page, transactional_db: None
) -> None:
    page.goto(reverse("accounts:sign_in"))
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    expect_accessible(page, "sign in, with errors")


@pytest.mark.parametrize("name", SIGNED_IN_PAGES)
def test_page_is_accessible(page: Page, name: str) -> None:
    trust, email = _organisation_with_data()
    sign_in(page, email)
    url = _pages(trust.slug)[name]

    response = page.goto(url)

    assert response is not None
    assert response.status == (404 if name == "page not found" else 200), url
    expect_nhs_styles(page)
    expect_accessible(page, name)
