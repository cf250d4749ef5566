"""The main journeys, as a person walks them in Chromium: sign in, switch
organisation, see only your own data, sign out. Each test makes its own data."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from openqi.accounts.models import User
from openqi.organisations.models import Membership, Organisation, Role
from tests.browser.helpers import (
    expect_heading,
    expect_nhs_styles,
    sign_in,
    sign_out,
    switch_organisation,
)
from tests.factories import make_member, make_organisation, make_unit


@dataclass
class TwoTrusts:
    ashby: Organisation
    brookmere: Organisation
    #: An administrator of Ashby Vale and a viewer in Brookmere.
    person: User
    #: A member of Brookmere only.
    outsider: User


@pytest.fixture
def trusts(transactional_db: None) -> TwoTrusts:
    ashby = make_organisation(name="Ashby Vale Hospitals NHS Trust")
    brookmere = make_organisation(name="Brookmere Community Health NHS Trust")
    make_unit(ashby, name="Cardiology and Stroke")
    make_unit(brookmere, name="Podiatry and Foot Health")
    person = make_member(ashby, Role.ADMIN, full_name="Rowan Fieldfare")
    Membership.objects.create(user=person, organisation=brookmere, role=Role.VIEWER)
    outsider = make_member(brookmere, Role.MEMBER, full_name="Tamsin Brook")
    return TwoTrusts(ashby, brookmere, person, outsider)


def test_wrong_password_shows_an_error_and_signs_no_one_in(
    page: Page, trusts: TwoTrusts
) -> None:
    sign_in(page, trusts.outsider.email, password="not-the-password")

    expect(page).to_have_title("Error: Sign in – OpenQI")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("not right")
    page.goto(reverse("organisations:detail", kwargs={"slug": trusts.brookmere.slug}))
    assert page.url.split("?")[0].endswith(reverse("accounts:sign_in"))


def test_signing_in_lands_on_your_organisation(page: Page, trusts: TwoTrusts) -> None:
    sign_in(page, trusts.outsider.email)

    home = reverse("reports:home", kwargs={"slug": trusts.brookmere.slug})
    expect(page).to_have_url(re.compile(re.escape(home) + "$"))
    expect_heading(page, trusts.brookmere.name)
    expect_nhs_styles(page)


def test_switching_organisation_shows_each_organisations_own_data(
    page: Page, trusts: TwoTrusts
) -> None:
    sign_in(page, trusts.person.email)
    expect_heading(page, "Your organisations")

    switch_organisation(page, trusts.ashby.name)
    expect_heading(page, trusts.ashby.name)
    page.get_by_role("main").get_by_role("link", name="Units", exact=True).click()
    expect(page.locator("main")).to_contain_text("Cardiology and Stroke")
    expect(page.locator("main")).not_to_contain_text("Podiatry and Foot Health")

    switch_organisation(page, trusts.brookmere.name)
    expect_heading(page, trusts.brookmere.name)
    page.get_by_role("main").get_by_role("link", name="Units", exact=True).click()
    expect(page.locator("main")).to_contain_text("Podiatry and Foot Health")
    expect(page.locator("main")).not_to_contain_text("Cardiology and Stroke")

    # The switch is remembered: home now goes straight to Brookmere.
    page.goto(reverse("core:home"))
    expect_heading(page, trusts.brookmere.name)


def test_an_outsider_typing_another_organisations_address_gets_page_not_found(
    page: Page, trusts: TwoTrusts
) -> None:
    sign_in(page, trusts.outsider.email)

    for name in (
        "reports:home",
        "organisations:detail",
        "organisations:units",
        "organisations:members",
    ):
        response = page.goto(reverse(name, kwargs={"slug": trusts.ashby.slug}))
        assert response is not None and response.status == 404, name
        expect_heading(page, "Page not found")
        expect(page.locator("body")).not_to_contain_text(trusts.ashby.name)
        expect(page.locator("body")).not_to_contain_text("Cardiology and Stroke")
    expect_nhs_styles(page)


def test_signing_out_ends_the_session(page: Page, trusts: TwoTrusts) -> None:
    sign_in(page, trusts.outsider.email)
    expect_heading(page, trusts.brookmere.name)

    sign_out(page)

    expect_heading(page, "Sign in")
    expect(page.locator("body")).to_contain_text("You have signed out")
    page.goto(reverse("organisations:detail", kwargs={"slug": trusts.brookmere.slug}))
    assert page.url.split("?")[0].endswith(reverse("accounts:sign_in"))
