"""Every page works without JavaScript: htmx only speeds things up. With
scripts switched off, a person can still sign in, switch organisation and
sign out."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from openqi.organisations.models import Membership, Role
from tests.browser.helpers import expect_heading, sign_in, sign_out, switch_organisation
from tests.factories import make_member, make_organisation, make_unit


def test_sign_in_switch_and_sign_out_without_javascript(
    page_without_javascript: Page, transactional_db: None
) -> None:
    page = page_without_javascript
    linford = make_organisation(name="Linford Mental Health NHS Trust")
    oakhurst = make_organisation(name="Oakhurst Community Services NHS Trust")
    make_unit(linford, name="Adult Community Mental Health")
    make_unit(oakhurst, name="District Nursing")
    person = make_member(linford, Role.MEMBER, full_name="Sasha Merriweather")
    Membership.objects.create(
        user=person, organisation=oakhurst, role=Role.PROJECT_LEAD
    )

    sign_in(page, person.email, password="wrong-password-here")
    # The layout's inline script marks the body "js-enabled" when scripts run.
    expect(page.locator("body")).not_to_have_class(re.compile(r"\bjs-enabled\b"))
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()

    sign_in(page, person.email)
    expect_heading(page, "Your organisations")

    switch_organisation(page, oakhurst.name)
    expect_heading(page, oakhurst.name)
    page.get_by_role("main").get_by_role("link", name="Units", exact=True).click()
    expect(page.locator("main")).to_contain_text("District Nursing")
    expect(page.locator("main")).not_to_contain_text("Adult Community Mental Health")

    switch_organisation(page, linford.name)
    expect_heading(page, linford.name)

    sign_out(page)
    expect_heading(page, "Sign in")
