"""The driver diagram editor, the units list and the list filters walked with the
keyboard alone (Tab, Shift+Tab, Enter, Space, arrow keys: no mouse), in Chromium.

After every htmx swap focus must be somewhere useful (WCAG 2.4.3): the moved
item's button, the form's first field, the confirmation, the item added, the link
that opened a form after Cancel; never lost to <body>. A filter leaves focus on the
control the person is using. What changed is read out by the page's one live
region, outside everything htmx swaps (WCAG 4.1.3): every text it takes is
recorded, so a message the same as the last one must be heard again.
Without JavaScript the same forms post and redirect as before."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from openqi.accounts.models import User
from openqi.improvement.models import DriverNode
from openqi.measures.models import Measure
from openqi.organisations.models import Organisation, Role, Unit
from openqi.projects.models import Project
from tests.browser.helpers import sign_in
from tests.factories import make_member, make_organisation, make_unit

#: Runs before the page's scripts (through the DevTools protocol, which the
#: Content-Security-Policy does not govern): records every text the live region
#: takes, so the tests hear what a screen reader would be told.
RECORD_THE_LIVE_REGION = """
window.__said = [];
document.addEventListener("DOMContentLoaded", () => {
  const region = document.getElementById("openqi-status");
  if (!region) return;
  new MutationObserver(() => window.__said.push(region.textContent)).observe(
    region, {childList: true, characterData: true, subtree: true}
  );
});
"""

#: What has focus, in words, for a failure message.
DESCRIBE_FOCUS = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return "<body> (focus lost)";
  const label = e.labels && e.labels.length ? e.labels[0].textContent : "";
  const words = (label || e.textContent || "").replace(/\\s+/g, " ").trim().slice(0, 80);
  return `<${e.tagName.toLowerCase()}${e.id ? " id=" + e.id : ""}> ${words}`;
}"""

#: The focused element's text (its label for a field), spaces collapsed.
FOCUSED_WORDS = """(e) => {
  const label = e.labels && e.labels.length ? e.labels[0].textContent : "";
  return (label || e.textContent || "").replace(/\\s+/g, " ").trim();
}"""


@dataclass
class Trust:
    trust: Organisation
    admin: User
    directorate: Unit
    project: Project


@pytest.fixture
def trust(transactional_db: None) -> Trust:
    trust = make_organisation(name="Hollins Moor Hospitals NHS Trust")
    division = make_unit(trust, name="Surgery")
    directorate = make_unit(trust, name="Theatres", parent=division)
    admin = make_member(trust, Role.ADMIN, full_name="Priya Hartley")
    project = Project.objects.create(
        organisation=trust,
        unit=directorate,
        title="Theatre lists start on time",
        aim_what="Start 90% of morning lists on time",
        lead=admin,
        status=Project.Status.ACTIVE,
    )
    for title in ("Fewer cancelled operations", "Day surgery first"):
        Project.objects.create(
            organisation=trust,
            unit=directorate,
            title=title,
            aim_what="Fewer cancellations",
            lead=admin,
            status=Project.Status.IDEA
            if title.startswith("Fewer")
            else Project.Status.ACTIVE,
        )
    for name, kind in (
        ("Operations cancelled on the day", Measure.Kind.COUNT),
        ("Late starts", Measure.Kind.COUNT),
        ("Lists starting on time", Measure.Kind.PROPORTION),
    ):
        Measure.objects.create(
            organisation=trust,
            unit=directorate,
            name=name,
            kind=kind,
            frequency=Measure.Frequency.WEEKLY,
            improvement=Measure.Improvement.DECREASE,
        )
    return Trust(trust, admin, directorate, project)


@pytest.fixture
def listening(page: Page, trust: Trust) -> Page:
    """Signed in as the administrator, with the live region recorded."""
    page.add_init_script(RECORD_THE_LIVE_REGION)
    sign_in(page, trust.admin.email)
    return page


# ------------------------------------------------------------------ helpers


def tab_to(page: Page, test: str, what: str, *, back: bool = False) -> None:
    """Press Tab (Shift+Tab with ``back``) until the focused element ``e`` passes
    ``test`` (a JavaScript expression over ``e`` and its ``words``)."""
    key = "Shift+Tab" if back else "Tab"
    check = f"""() => {{
      const e = document.activeElement;
      if (!e || e === document.body) return false;
      const words = ({FOCUSED_WORDS})(e);
      return !!({test});
    }}"""
    for _ in range(250):
        page.keyboard.press(key)
        if page.evaluate(check):
            return
    raise AssertionError(f"{key} never reached {what}")


def expect_focus(page: Page, test: str, what: str) -> None:
    """Focus comes to an element ``e`` that passes ``test`` (not <body>)."""
    check = f"""() => {{
      const e = document.activeElement;
      if (!e || e === document.body || !e.isConnected) return false;
      const words = ({FOCUSED_WORDS})(e);
      return !!({test});
    }}"""
    try:
        page.wait_for_function(check, timeout=5_000)
    except PlaywrightTimeoutError:
        raise AssertionError(
            f"focus should be on {what}, but is on {page.evaluate(DESCRIBE_FOCUS)}"
        ) from None


def said(page: Page) -> list[str]:
    """Every non-empty text the live region has taken, in order."""
    return [text for text in page.evaluate("window.__said") if text.strip()]


def expect_said(page: Page, text: str, before: int) -> None:
    """The live region reads ``text`` out: a new announcement since ``before``."""
    expect(page.locator("#openqi-status")).to_have_text(text)
    page.wait_for_function(
        "n => window.__said.filter((t) => t.trim()).length > n", arg=before
    )
    assert said(page)[-1] == text, said(page)


#: htmx is loaded and nothing is being requested, swapped or settled.
HTMX_IDLE = """() => !!window.htmx && !document.querySelector(
  ".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added"
)"""


def press_and_swap(page: Page, key: str) -> None:
    """Press ``key`` and wait for the htmx answer it asks for, and for its swap
    to settle (so the next key never lands on content about to be replaced)."""
    page.wait_for_function(HTMX_IDLE)
    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true"):
        page.keyboard.press(key)
    page.wait_for_function(HTMX_IDLE)


def node_pk(trust: Trust, text: str) -> int:
    return DriverNode.objects.get(project=trust.project, text=text).pk


def node_focus(pk: int) -> str:
    """The test for the node ``pk`` itself (its kind, text and actions)."""
    return f"e.matches('#node-{pk} > .openqi-driver-outline__node')"


def in_node(pk: int, words: str) -> str:
    return f"e.closest('#node-{pk}') && words.startsWith({words!r})"


# ------------------------------------------------------------------ the layout


def test_the_live_region_is_one_and_outside_what_htmx_swaps(
    listening: Page, trust: Trust
) -> None:
    page = listening
    slug = trust.trust.slug
    for path in (
        reverse("improvement:drivers", kwargs={"slug": slug, "pk": trust.project.pk}),
        reverse("projects:list", kwargs={"slug": slug}),
        reverse("portfolio:portfolio", kwargs={"slug": slug}),
        reverse("organisations:units", kwargs={"slug": slug}),
    ):
        page.goto(path)
        region = page.locator("#openqi-status")
        expect(region).to_have_attribute("role", "status")
        expect(region).to_have_attribute("aria-live", "polite")
        assert page.locator("main #openqi-status").count() == 0, path
        # No other live region: the swapped blocks carry announcements, not regions.
        assert page.locator("main [aria-live], main [role=status]").count() == 0, path


# ------------------------------------------------------ the driver diagram


def test_the_driver_diagram_editor_by_keyboard(listening: Page, trust: Trust) -> None:
    page = listening
    slug = trust.trust.slug
    page.goto(
        reverse("improvement:drivers", kwargs={"slug": slug, "pk": trust.project.pk})
    )
    aim_link = "e.tagName === 'A' && words === 'Add a primary driver under the aim'"

    # Add: the form's first field takes focus.
    tab_to(page, aim_link, "the aim's add link")
    press_and_swap(page, "Enter")
    expect_focus(page, "e.matches('#driver-form textarea[name=text]')", "the text")

    # Sent empty: the error summary takes focus.
    tab_to(page, "e.tagName === 'BUTTON' && words === 'Add'", "the Add button")
    press_and_swap(page, "Enter")
    expect_focus(page, "e.matches('.nhsuk-error-summary')", "the error summary")

    # Then written and added: the new driver takes focus, and it is announced.
    tab_to(page, "e.matches('#driver-form textarea[name=text]')", "the text")
    page.keyboard.type("Patients arrive ready for theatre")
    page.keyboard.press("Tab")
    expect_focus(page, "words === 'Add'", "the Add button")
    before = len(said(page))
    press_and_swap(page, "Enter")
    first = node_pk(trust, "Patients arrive ready for theatre")
    expect_focus(page, node_focus(first), "the driver added")
    expect_said(page, "Primary driver added.", before)

    # A second one: the same message is heard again.
    tab_to(page, aim_link, "the aim's add link", back=True)
    press_and_swap(page, "Enter")
    expect_focus(page, "e.matches('#driver-form textarea[name=text]')", "the text")
    page.keyboard.type("Lists start on time")
    tab_to(page, "e.tagName === 'BUTTON' && words === 'Add'", "the Add button")
    before = len(said(page))
    press_and_swap(page, "Enter")
    second = node_pk(trust, "Lists start on time")
    expect_focus(page, node_focus(second), "the second driver added")
    expect_said(page, "Primary driver added.", before)
    assert said(page).count("Primary driver added.") == 2

    # Move up (Space): at the top it has only "Move down", which takes focus.
    tab_to(page, in_node(second, "Move up"), "the second driver's Move up")
    before = len(said(page))
    press_and_swap(page, "Space")
    expect_focus(page, in_node(second, "Move down"), "the moved driver's Move down")
    expect_said(page, "Primary driver moved up.", before)
    assert list(
        DriverNode.objects.filter(project=trust.project).values_list("pk", flat=True)
    ) == [second, first]

    # And back down (Enter): focus follows it to its "Move up".
    before = len(said(page))
    press_and_swap(page, "Enter")
    expect_focus(page, in_node(second, "Move up"), "the moved driver's Move up")
    expect_said(page, "Primary driver moved down.", before)

    # Change, then Cancel: the field, then back to the link that opened it.
    change = "e.tagName === 'A' && words === 'Change Patients arrive ready for theatre'"
    tab_to(page, change, "the first driver's Change link", back=True)
    press_and_swap(page, "Enter")
    expect_focus(page, "e.matches('#driver-form textarea[name=text]')", "the text")
    tab_to(page, "e.tagName === 'A' && words === 'Cancel'", "Cancel")
    press_and_swap(page, "Enter")
    expect_focus(page, change, "the Change link that opened the form")

    # Add under a driver: a choice of kind comes first, and takes focus.
    tab_to(
        page,
        "words === 'Add a secondary driver or change idea under "
        "Patients arrive ready for theatre'",
        "the first driver's add link",
        back=True,
    )
    press_and_swap(page, "Enter")
    expect_focus(page, "e.type === 'radio'", "the first choice of kind")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect_focus(page, "e.matches('#driver-form textarea[name=text]')", "the text")
    page.keyboard.type("Pre-assessment the week before")
    tab_to(page, "e.tagName === 'BUTTON' && words === 'Add'", "the Add button")
    before = len(said(page))
    press_and_swap(page, "Enter")
    secondary = node_pk(trust, "Pre-assessment the week before")
    expect_focus(page, node_focus(secondary), "the secondary driver added")
    expect_said(page, "Secondary driver added.", before)

    # Delete: the question takes focus; once deleted, the driver it sat under.
    tab_to(
        page,
        "words === 'Delete Pre-assessment the week before'",
        "the secondary driver's Delete link",
    )
    press_and_swap(page, "Enter")
    expect_focus(page, "e.matches('.openqi-driver-outline__confirm')", "the question")
    tab_to(page, "words === 'Yes, delete it'", "Yes, delete it")
    before = len(said(page))
    press_and_swap(page, "Enter")
    expect_focus(page, node_focus(first), "the driver it sat under")
    expect_said(page, "Secondary driver deleted.", before)
    assert not DriverNode.objects.filter(pk=secondary).exists()

    # A primary driver deleted: the outline's heading.
    tab_to(page, "words === 'Delete Lists start on time'", "its Delete link")
    press_and_swap(page, "Enter")
    expect_focus(page, "e.matches('.openqi-driver-outline__confirm')", "the question")
    tab_to(page, "words === 'Yes, delete it'", "Yes, delete it")
    before = len(said(page))
    press_and_swap(page, "Enter")
    expect_focus(page, "e.tagName === 'H2' && words === 'Outline'", "the outline")
    expect_said(page, "Primary driver deleted.", before)


# ------------------------------------------------------------------ units


def test_the_units_list_by_keyboard(listening: Page, trust: Trust) -> None:
    page = listening
    page.goto(reverse("organisations:units", kwargs={"slug": trust.trust.slug}))
    change = "e.tagName === 'A' && words === 'Change Theatres'"

    tab_to(page, change, "the directorate's Change link")
    press_and_swap(page, "Enter")
    expect_focus(page, "e.matches('#unit-form input[name=name]')", "the name")
    tab_to(page, "e.tagName === 'A' && words === 'Cancel'", "Cancel")
    press_and_swap(page, "Enter")
    expect_focus(page, change, "the Change link that opened the form")

    press_and_swap(page, "Enter")
    expect_focus(page, "e.matches('#unit-form input[name=name]')", "the name")
    page.keyboard.press("Control+A")
    page.keyboard.type("Theatres and recovery")
    tab_to(page, "words === 'Save changes'", "Save changes")
    before = len(said(page))
    press_and_swap(page, "Enter")
    expect_focus(
        page, "e.tagName === 'H3' && words === 'Theatres and recovery'", "the unit"
    )
    expect_said(page, "Theatres and recovery saved.", before)


# ------------------------------------------------------------------ filters


def _history_length(page: Page) -> int:
    return int(page.evaluate("history.length"))


def test_the_projects_filter_by_keyboard(listening: Page, trust: Trust) -> None:
    page = listening
    path = reverse("projects:list", kwargs={"slug": trust.trust.slug})
    page.goto(path)
    history = _history_length(page)

    tab_to(page, "e.id === 'id_status'", "the status filter")
    before = len(said(page))
    press_and_swap(page, "ArrowDown")  # Idea
    expect_said(page, "1 project matches the filters.", before)
    expect_focus(page, "e.id === 'id_status'", "the status filter, still")
    expect(page.locator("#project-list")).to_contain_text("Fewer cancelled operations")

    before = len(said(page))
    press_and_swap(page, "ArrowDown")  # Active
    expect_said(page, "2 projects match the filters.", before)
    expect_focus(page, "e.id === 'id_status'", "the status filter, still")
    expect(page.locator("#project-list")).not_to_contain_text("Fewer cancelled")

    # The address says what is shown (to share it); the arrow keys added no
    # history entries, so Back leaves the list.
    expect(page).to_have_url(re.compile(r"status=active"))
    assert _history_length(page) == history


def test_the_portfolio_filter_by_keyboard(listening: Page, trust: Trust) -> None:
    page = listening
    page.goto(reverse("portfolio:portfolio", kwargs={"slug": trust.trust.slug}))
    history = _history_length(page)

    tab_to(page, "e.tagName === 'SELECT' && words === 'Status'", "the status filter")
    press_and_swap(page, "ArrowDown")  # Idea
    before = len(said(page))
    press_and_swap(page, "ArrowDown")  # Active
    expect_said(page, "2 projects match the filters", before)
    expect_focus(page, "e.tagName === 'SELECT' && words === 'Status'", "the filter")
    expect(page).to_have_url(re.compile(r"status=active"))
    assert _history_length(page) == history


def test_the_measures_filter_by_keyboard(listening: Page, trust: Trust) -> None:
    page = listening
    page.goto(reverse("measures:list", kwargs={"slug": trust.trust.slug}))

    tab_to(page, "e.id === 'id_kind'", "the kind filter")
    page.keyboard.press("ArrowDown")  # Count of events: sent with the button
    tab_to(page, "e.tagName === 'BUTTON' && words === 'Filter'", "the Filter button")
    before = len(said(page))
    press_and_swap(page, "Enter")
    expect_said(page, "2 measures match the filters.", before)
    expect_focus(page, "words === 'Filter'", "the Filter button, still")
    expect(page.locator("#measures")).not_to_contain_text("Lists starting on time")


# ------------------------------------------------------ without JavaScript


def test_the_driver_editor_works_without_javascript(
    page_without_javascript: Page, trust: Trust
) -> None:
    page = page_without_javascript
    sign_in(page, trust.admin.email)
    drivers = reverse(
        "improvement:drivers", kwargs={"slug": trust.trust.slug, "pk": trust.project.pk}
    )
    page.goto(drivers)
    for text in ("Patients arrive ready for theatre", "Lists start on time"):
        page.get_by_role("link", name="Add a primary driver under the aim").click()
        page.get_by_label("Text").fill(text)
        page.get_by_role("button", name="Add", exact=True).click()
        expect(page.locator("main")).to_contain_text("Primary driver added.")

    page.get_by_role("button", name="Move up Lists start on time").click()
    expect(page.locator("main")).to_contain_text("Primary driver moved up.")
    assert list(
        DriverNode.objects.filter(project=trust.project).values_list("text", flat=True)
    ) == ["Lists start on time", "Patients arrive ready for theatre"]

    page.get_by_role("link", name="Delete Lists start on time").click()
    page.get_by_role("button", name="Yes, delete it").click()
    expect(page.locator("main")).to_contain_text("Primary driver deleted.")
    assert DriverNode.objects.filter(project=trust.project).count() == 1


def test_the_filters_work_without_javascript(
    page_without_javascript: Page, trust: Trust
) -> None:
    page = page_without_javascript
    sign_in(page, trust.admin.email)
    page.goto(reverse("measures:list", kwargs={"slug": trust.trust.slug}))
    page.get_by_label("Kind").select_option(label="Count of events")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#measures")).to_contain_text("2 measures match the filters.")

    page.goto(reverse("projects:list", kwargs={"slug": trust.trust.slug}))
    page.get_by_label("Status").select_option(label="Idea")
    page.get_by_role("button", name="Filter projects").click()
    expect(page.locator("#project-list")).to_contain_text(
        "1 project matches the filters."
    )
    expect(page).to_have_url(re.compile(r"status=idea"))
