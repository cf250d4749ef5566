"""Passkeys in Chromium: a person adds one, then signs in with it after the
password and on its own, under the Content-Security-Policy with no violation.

Chromium's virtual authenticator (DevTools protocol, WebAuthn domain) stands in
for a phone or security key: a platform authenticator that keeps passkeys
(resident keys) and always verifies the person. The live server is on
http://localhost, which browsers and the fido2 library accept for passkeys
without HTTPS (an IP address such as 127.0.0.1 would not be).
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse
from playwright.sync_api import Page, expect

from openqi.accounts.models import User
from openqi.organisations.models import Role
from tests.browser.helpers import expect_accessible, expect_heading, sign_in, sign_out
from tests.browser.test_csp_in_the_browser import LISTEN_FOR_VIOLATIONS
from tests.factories import PASSWORD, make_member, make_organisation


@pytest.fixture
def demo_user(transactional_db: None) -> User:
    trust = make_organisation(name="Wrenfield Hospitals NHS Trust")
    return make_member(trust, Role.MEMBER, full_name="Ines Marlowe")


@pytest.fixture
def with_passkeys(page: Page) -> Iterator[tuple[Page, list[str]]]:
    """The page with a virtual authenticator, and the policy violations reported."""
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    page.add_init_script(LISTEN_FOR_VIOLATIONS)
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable", {"enableUI": False})
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    yield page, violations
    devtools.detach()


def test_a_person_adds_a_passkey_and_signs_in_with_it(
    with_passkeys: tuple[Page, list[str]], demo_user: User, live_server: object
) -> None:
    page, violations = with_passkeys
    assert urlsplit(str(live_server)).hostname == "localhost"

    # Add a passkey: confirm the password, name it, let the authenticator make it.
    sign_in(page, demo_user.email)
    page.goto(reverse("accounts:profile"))
    page.get_by_role("link", name="Manage your passkeys").click()
    expect_heading(page, "Your passkeys")
    page.get_by_role("link", name="Add a passkey").click()
    expect_heading(page, "Confirm it is you")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect_heading(page, "Add a passkey")
    expect_accessible(page, "add a passkey")
    page.get_by_label("Name").fill("Work laptop")
    page.get_by_label("Also use it to sign in without a password").check()
    page.get_by_role("button", name="Add a passkey").click()
    # The first passkey comes with recovery codes, shown once.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Recovery codes")
    passkey = Authenticator.objects.get(
        user=demo_user, type=Authenticator.Type.WEBAUTHN
    )
    assert passkey.wrap().name == "Work laptop"
    assert passkey.wrap().is_passwordless is True
    page.goto(reverse("mfa_list_webauthn"))
    expect(page.locator("main")).to_contain_text("Work laptop")
    expect_accessible(page, "your passkeys")
    page.goto(reverse("accounts:profile"))
    expect(page.locator("main")).to_contain_text("1 added")

    # The passkey as the second factor, after the password.
    sign_out(page)
    sign_in(page, demo_user.email)
    expect_heading(page, "Use your passkey")
    expect_accessible(page, "use your passkey")
    page.get_by_role("button", name="Use your passkey").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    # The passkey on its own: "Use a passkey" on the sign-in page.
    sign_out(page)
    page.goto(reverse("accounts:sign_in"))
    expect_accessible(page, "sign in with a passkey")
    page.get_by_role("button", name="Use a passkey").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    passkey.refresh_from_db()
    assert passkey.last_used_at is not None

    assert violations + page.evaluate("window.__cspViolations || []") == []
