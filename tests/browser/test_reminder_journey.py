"""The reminders page and the unsubscribe link in the browser: choosing, and
stopping reminders from the link without signing in; axe-core finds nothing on
any of their states (the page crawl sees only their first look)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from openqi.organisations.models import Role
from openqi.reminders import services
from tests.browser.helpers import ALL_IMPACTS, axe_violations, sign_in
from tests.factories import PASSWORD, make_member, make_organisation

pytestmark = pytest.mark.browser


def test_choose_reminders_then_stop_them_from_the_link(page: Page) -> None:
    trust = make_organisation(name="Harrowgate Fields NHS Foundation Trust")
    person = make_member(trust, Role.MEMBER, full_name="Morgan Ashcombe")
    problems: list[str] = []

    sign_in(page, person.email, PASSWORD)
    page.goto(reverse("accounts:profile"))
    page.get_by_role("link", name="Choose how often you get it").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your reminders")
    expect(page.get_by_label("Once a week, on Mondays")).to_be_checked()
    page.get_by_label("Every day").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("every day when something needs you")).to_be_visible()
    expect(page.get_by_label("Every day")).to_be_checked()
    problems += axe_violations(page, "reminders page, saved", ALL_IMPACTS)
    page.get_by_role("button", name="Sign out").click()

    link = reverse(
        "reminders:unsubscribe", kwargs={"token": services.unsubscribe_token(person)}
    )
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Stop reminder e-mails?")
    problems += axe_violations(page, "unsubscribe, asking", ALL_IMPACTS)
    page.get_by_role("button", name="Stop reminder e-mails").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "No more reminder e-mails"
    )
    problems += axe_violations(page, "unsubscribe, done", ALL_IMPACTS)
    assert services.frequency_of(person) == "none"

    response = page.goto(link[:-5] + "x/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("This link does not work")
    problems += axe_violations(page, "unsubscribe, a broken link", ALL_IMPACTS)
    assert not problems, "\n".join(problems)


def test_the_link_works_without_javascript(page_without_javascript: Page) -> None:
    page = page_without_javascript
    trust = make_organisation(name="Harrowgate Fields NHS Foundation Trust")
    person = make_member(trust, Role.MEMBER, full_name="Morgan Ashcombe")
    page.goto(
        reverse(
            "reminders:unsubscribe",
            kwargs={"token": services.unsubscribe_token(person)},
        )
    )
    page.get_by_role("button", name="Stop reminder e-mails").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "No more reminder e-mails"
    )
    assert services.frequency_of(person) == "none"
