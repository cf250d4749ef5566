"""From loading an instrument to the guidance on its definition file, in Chromium:
the guidance is a page of the app, not a file in the repository."""

from __future__ import annotations

from django.urls import reverse
from playwright.sync_api import Page, expect

from openqi.organisations.models import Role
from tests.browser.helpers import expect_accessible, expect_heading, sign_in
from tests.factories import make_member, make_organisation


def test_the_load_page_leads_to_the_definition_format(
    page: Page, transactional_db: None
) -> None:
    trust = make_organisation(name="Harrowgate Vale Hospitals NHS Trust")
    admin = make_member(trust, Role.ADMIN, full_name="Ottoline Brackenbury")
    sign_in(page, admin.email)

    page.goto(reverse("assessments:instrument_import", kwargs={"slug": trust.slug}))
    page.get_by_role("link", name="the instrument definition format").click()

    expect_heading(page, "The instrument definition format")
    expect(page.locator("#example-definition")).to_contain_text('"ward-huddle-check"')
    expect_accessible(page, "instrument definition format")
