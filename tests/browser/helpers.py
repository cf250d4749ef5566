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

#: The reflow width (WCAG 2.2, 1.4.10: 320 CSS px, 1,280 px at 400% zoom), a
#: phone held upright, and a desktop window.
REFLOW, PHONE, DESKTOP = 320, 390, 1280
HEIGHT = 844

#: The page's width, and what widens it: the deepest elements that reach past
#: the viewport (by their box, or by text that does not wrap) while none of
#: their children do, widest first, each with the table, drawing or figure it
#: sits in. Content inside a box that scrolls or clips sideways cannot widen
#: the page, so it is left out.
MEASURE = """() => {
  const limit = window.innerWidth + 0.5;
  const clips = el => getComputedStyle(el).overflowX !== "visible";
  const reach = el => {
    const box = el.getBoundingClientRect();
    return clips(el) ? box.right : Math.max(box.right, box.left + el.scrollWidth);
  };
  const describe = el => {
    let name = el.tagName.toLowerCase();
    if (el.id) name += "#" + el.id;
    for (const c of el.classList) name += "." + c;
    const text = (el.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 50);
    return text ? `${name} "${text}"` : name;
  };
  const causes = [];
  const walk = el => {
    if (reach(el) <= limit) return false;
    let childReaches = false;
    if (!clips(el)) for (const child of el.children) childReaches = walk(child) || childReaches;
    if (!childReaches) causes.push(el);
    return true;
  };
  walk(document.body);
  causes.sort((a, b) => reach(b) - reach(a));
  const seen = new Set();
  const named = [];
  for (const el of causes) {
    const within = el.parentElement && el.parentElement.closest("table, svg, figure, pre, dl, form");
    const name = `${describe(el)} reaching ${Math.round(reach(el))} px` + (within ? ` in ${describe(within)}` : "");
    if (!seen.has(name)) { seen.add(name); named.push(name); }
  }
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    offenders: named.slice(0, 3),
  };
}"""


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto(reverse("accounts:sign_in"))
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()


def resize(page: Page, width: int, height: int = HEIGHT) -> None:
    """Set the window's size and wait until the page has laid itself out for it.

    The browser fires ``resize`` at the next rendering update, and the NHS.UK
    header then folds its navigation into "More"; measuring before that sees the
    old header (a race that made a 320 px check read 795 px). Two animation
    frames after the new size is in place, the resize steps have run."""
    page.set_viewport_size({"width": width, "height": height})
    page.wait_for_function("w => window.innerWidth === w", arg=width)
    page.evaluate(
        "() => new Promise(done => requestAnimationFrame("
        "() => requestAnimationFrame(() => done(null))))"
    )


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


def scrolls_sideways(page: Page, what: str) -> str | None:
    """How far the page in view is wider than the window, and why, or None."""
    found = page.evaluate(MEASURE)
    if found["scrollWidth"] <= found["innerWidth"]:
        return None
    causes = "; ".join(found["offenders"]) or "no single element found"
    return (
        f"{what} is {found['scrollWidth']} px wide at "
        f"{found['innerWidth']} px: {causes}"
    )


def page_problems(page: Page, what: str) -> list[str]:
    """axe-core's findings of every impact at 1,280 px and at 320 px, and any
    sideways scrolling at 320 px; the window is left at 1,280 px."""
    problems = []
    for width in (DESKTOP, REFLOW):
        resize(page, width, HEIGHT)
        problems += axe_violations(page, f"{what} at {width} px", ALL_IMPACTS)
    if problem := scrolls_sideways(page, what):
        problems.append(problem)
    resize(page, DESKTOP, HEIGHT)
    return problems
