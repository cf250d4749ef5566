"""Adding and changing units in Chromium, with JavaScript (htmx) on: from the
units list, where htmx swaps the list in place, and from the add and change
pages opened directly, where the form posts and redirects as usual."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from openqi.accounts.models import User
from openqi.organisations.models import Organisation, Role, Unit
from tests.browser.helpers import expect_heading, sign_in
from tests.factories import make_member, make_organisation, make_unit


@dataclass
class Trust:
    trust: Organisation
    admin: User
    division: Unit
    directorate: Unit


@pytest.fixture
def trust(transactional_db: None) -> Trust:
    trust = make_organisation(name="Ashby Vale Hospitals NHS Trust")
    division = make_unit(trust, name="Medicine")
    directorate = make_unit(trust, name="Acute care", parent=division)
    admin = make_member(trust, Role.ADMIN, full_name="Rowan Fieldfare")
    return Trust(trust, admin, division, directorate)


def test_a_unit_added_from_its_own_page_is_saved(page: Page, trust: Trust) -> None:
    sign_in(page, trust.admin.email)
    units = reverse("organisations:units", kwargs={"slug": trust.trust.slug})
    page.goto(reverse("organisations:unit_create", kwargs={"slug": trust.trust.slug}))
    expect_heading(page, "Add a unit")

    page.get_by_label("Name").fill("Kestrel ward")
    page.get_by_label("Level").select_option(label="Team")
    page.get_by_label("Sits under").select_option(label="Acute care (directorate)")
    page.get_by_role("button", name="Add unit").click()

    page.wait_for_url(f"**{units}")
    expect(page.locator("main")).to_contain_text("Kestrel ward added.")
    assert Unit.objects.filter(name="Kestrel ward", parent=trust.directorate).exists()


def test_a_unit_changed_from_its_own_page_is_saved(page: Page, trust: Trust) -> None:
    sign_in(page, trust.admin.email)
    slug = trust.trust.slug
    page.goto(
        reverse(
            "organisations:unit_edit", kwargs={"slug": slug, "pk": trust.directorate.pk}
        )
    )
    expect_heading(page, "Change Acute care")

    page.get_by_label("Name").fill("Acute and emergency care")
    page.get_by_role("button", name="Save changes").click()

    page.wait_for_url(f"**{reverse('organisations:units', kwargs={'slug': slug})}")
    expect(page.locator("main")).to_contain_text("Acute and emergency care saved.")
    trust.directorate.refresh_from_db()
    assert trust.directorate.name == "Acute and emergency care"


def test_a_unit_added_from_the_list_is_swapped_in_by_htmx(
    page: Page, trust: Trust
) -> None:
    sign_in(page, trust.admin.email)
    units = reverse("organisations:units", kwargs={"slug": trust.trust.slug})
    page.goto(units)
    form = page.locator("#unit-form")

    form.get_by_label("Name").fill("Heron ward")
    form.get_by_label("Level").select_option(label="Team")
    form.get_by_label("Sits under").select_option(label="Acute care (directorate)")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        form.get_by_role("button", name="Add unit").click()
    assert posted.value.request.headers.get("hx-request") == "true"

    expect(page.locator("#units")).to_contain_text("Heron ward added.")
    expect(page.locator("#units")).to_contain_text("Heron ward")
    assert page.url.endswith(units)
    assert Unit.objects.filter(name="Heron ward").exists()
