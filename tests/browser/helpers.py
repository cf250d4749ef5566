"""What a person does in the browser, in a few plain steps, and the axe-core scan."""

from __future__ import annotations

import functools

from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD

#: Findings of axe-core below "serious": reported after the run, not failures.
AXE_FINDINGS: list[str] = []
FAILING_IMPACTS = ("serious", "critical")
#: Every impact axe-core gives: the crawl of every page allows none.
ALL_IMPACTS = ("minor", "moderate", "serious", "critical")


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto(reverse("accounts:sign_in"))
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()


def switch_organisation(page: Page, name: str) -> None:
    page.get_by_label("Switch organisation").select_option(label=name)
    page.get_by_role("button", name="Switch", exact=True).click()


def expect_nhs_styles(page: Page) -> None:
    """The NHS.UK stylesheet loaded and applies (Frutiger, the NHS blue header)."""
    for href in page.locator("link[rel=stylesheet]").evaluate_all(
        "ls => ls.map(l => l.href)"
    ):
        assert page.request.get(href).ok, f"stylesheet {href} did not load"
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Frutiger" in font, (
        f"the NHS.UK styles are not applied (font-family: {font})"
    )


def expect_accessible(page: Page, label: str) -> None:
    """Run axe-core on the page; fail on serious or critical violations."""
    failing = axe_violations(page, label, FAILING_IMPACTS)
    assert not failing, "axe-core found serious or critical violations:\n" + "\n".join(
        failing
    )


def axe_violations(
    page: Page, label: str, impacts: tuple[str, ...] = FAILING_IMPACTS
) -> list[str]:
    """axe-core's violations on the page of these impacts, one line each (those
    of other impacts go to :data:`AXE_FINDINGS`, reported after the run)."""
    # Through the DevTools protocol, not add_script_tag: the <script> that adds is
    # inline code, which the Content-Security-Policy refuses.
    page.evaluate(_axe_script())
    # The header's script lays out its navigation (the items that do not fit go under
    # "More") once it runs and the fonts are in: axe reads colours only after that,
    # or an item still overflowing the header is judged against the page behind it.
    page.wait_for_function(
        """() => {
          const header = document.querySelector('[data-module="nhsuk-header"]');
          const scripted = document.body.classList.contains("nhsuk-frontend-supported");
          return !header || !scripted || header.hasAttribute("data-nhsuk-header-init");
        }"""
    )
    page.evaluate(
        """async () => {
          await document.fonts.ready;
          await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
        }"""
    )
    violations = page.evaluate("async () => (await axe.run(document)).violations")
    failing = []
    for violation in violations:
        targets = "; ".join(
            " ".join(map(str, n["target"])) for n in violation["nodes"][:3]
        )
        line = f"{label}: [{violation['impact']}] {violation['id']}: {violation['help']} ({targets})"
        if violation["impact"] in impacts:
            failing.append(line)
        else:
            AXE_FINDINGS.append(line)
    return failing


@functools.cache
def _axe_script() -> str:
    axe = (settings.NODE_MODULES / "axe-core" / "axe.min.js").read_text(
        encoding="utf-8"
    )
    return f"() => {{\n{axe}\n}}"


def expect_heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_contain_text(text)
