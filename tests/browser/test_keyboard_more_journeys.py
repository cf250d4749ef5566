"""The other htmx swaps walked with the keyboard alone, in Chromium: the project
page's timeline and its "Link a measure" picker, the improvement forum's board
report toggle and the new project form's check for similar projects.

As in test_keyboard_journeys.py: after every swap focus is somewhere useful (WCAG
2.4.3), and what changed is read out by the page's one live region, outside what
htmx swaps (WCAG 4.1.3); every text the region takes is recorded."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from openqi.accounts.models import User
from openqi.barriers.models import Barrier
from openqi.measures.models import Measure
from openqi.organisations.models import Organisation, Role
from openqi.projects.models import Project, ProjectMeasure
from tests.barriers.helpers import make_barrier
from tests.browser.helpers import sign_in
from tests.browser.test_keyboard_journeys import (
    HTMX_IDLE,
    RECORD_THE_LIVE_REGION,
    expect_focus,
    expect_said,
    press_and_swap,
    said,
    tab_to,
)
from tests.factories import make_member, make_organisation, make_unit


@dataclass
class Trust:
    trust: Organisation
    admin: User
    project: Project
    barrier: Barrier


@pytest.fixture
def trust(transactional_db: None) -> Trust:
    trust = make_organisation(name="Ashdown Vale Hospitals NHS Trust")
    theatres = make_unit(trust, name="Theatres")
    admin = make_member(trust, Role.ADMIN, full_name="Nadia Okafor")
    project = Project.objects.create(
        organisation=trust,
        unit=theatres,
        title="Theatre lists start on time",
        aim_what="Start 90% of morning lists on time",
        lead=admin,
        status=Project.Status.ACTIVE,
    )
    Project.objects.create(
        organisation=trust,
        unit=theatres,
        title="Fewer cancelled operations",
        aim_what="Fewer cancellations",
        lead=admin,
        status=Project.Status.IDEA,
    )
    for name in (
        "Late starts",
        "Late finishes",
        "Lists starting on time",
        "Operations cancelled on the day",
    ):
        Measure.objects.create(
            organisation=trust,
            unit=theatres,
            name=name,
            kind=Measure.Kind.COUNT,
            frequency=Measure.Frequency.WEEKLY,
            improvement=Measure.Improvement.DECREASE,
        )
    barrier = make_barrier(trust, title="No protected time to test changes")
    return Trust(trust, admin, project, barrier)


@pytest.fixture
def listening(page: Page, trust: Trust) -> Page:
    """Signed in as the administrator, with the live region recorded."""
    page.add_init_script(RECORD_THE_LIVE_REGION)
    sign_in(page, trust.admin.email)
    return page


def _detail(trust: Trust) -> str:
    return reverse(
        "projects:detail", kwargs={"slug": trust.trust.slug, "pk": trust.project.pk}
    )


# ------------------------------------------------------------------ the timeline


def test_the_timeline_by_keyboard(listening: Page, trust: Trust) -> None:
    page = listening
    page.goto(_detail(trust))
    note_field = "e.matches('#timeline-entries textarea[name=text]')"
    add_note = "e.tagName === 'BUTTON' && words === 'Add note'"

    # Sent empty: the field takes focus, with its error.
    tab_to(page, add_note, "the Add note button")
    before = len(said(page))
    press_and_swap(page, "Enter")
    expect_focus(page, note_field, "the note's field")
    expect(page.locator("#timeline-entries .nhsuk-error-message")).to_contain_text(
        "Enter the note."
    )
    assert len(said(page)) == before, said(page)

    # Written and added: the new note takes focus, and it is announced.
    page.keyboard.type("Anaesthetists agreed to start the brief at 07:45.")
    tab_to(page, add_note, "the Add note button")
    press_and_swap(page, "Enter")
    first = trust.project.notes.get()
    expect_focus(page, f"e.id === 'note-{first.pk}'", "the note added")
    expect_said(page, "Note added to the timeline.", before)
    expect(page.locator(f"#note-{first.pk}")).to_contain_text("brief at 07:45")

    # A second one: focus on it (the newest, first), and the message heard again.
    tab_to(page, note_field, "the note's field", back=True)
    page.keyboard.type("The first week: 7 of 10 lists started on time.")
    tab_to(page, add_note, "the Add note button")
    before = len(said(page))
    press_and_swap(page, "Enter")
    second = trust.project.notes.exclude(pk=first.pk).get()
    expect_focus(page, f"e.id === 'note-{second.pk}'", "the second note added")
    expect_said(page, "Note added to the timeline.", before)
    assert said(page).count("Note added to the timeline.") == 2


# ------------------------------------------------------------------ the forum


def test_the_board_report_toggle_by_keyboard(listening: Page, trust: Trust) -> None:
    page = listening
    page.goto(reverse("barriers:forum", kwargs={"slug": trust.trust.slug}))
    title = trust.barrier.title
    escalate = (
        f"e.tagName === 'BUTTON' && words === 'Escalate to the board report: {title}'"
    )
    take_off = (
        f"e.tagName === 'BUTTON' && words === 'Take off the board report: {title}'"
    )
    cell = page.locator(f"#escalate-{trust.barrier.pk}")

    tab_to(page, escalate, "the Escalate button")
    before = len(said(page))
    press_and_swap(page, "Enter")
    expect_focus(page, take_off, "the toggle, now to take it off")
    expect_said(page, f"{title} is flagged for the board report.", before)
    expect(cell).to_contain_text("Escalated to the board report")
    trust.barrier.refresh_from_db()
    assert trust.barrier.escalate_to_board

    # And back (Space): focus stays on the toggle.
    before = len(said(page))
    press_and_swap(page, "Space")
    expect_focus(page, escalate, "the toggle, now to escalate")
    expect_said(page, f"{title} is no longer flagged for the board.", before)
    expect(cell).not_to_contain_text("Escalated to the board report")
    trust.barrier.refresh_from_db()
    assert not trust.barrier.escalate_to_board


# ------------------------------------------------------ the measure picker


def _searched(url: str) -> str | None:
    """What an address searches for (its ``q``), if it does."""
    found = parse_qs(urlsplit(url).query).get("q")
    return found[0] if found else None


def test_the_measure_picker_by_keyboard(listening: Page, trust: Trust) -> None:
    page = listening
    page.goto(_detail(trust))
    search = "e.id === 'id_q'"
    choices = page.locator("#measure-choices")

    # The disclosure opens with Enter; its short list then loads itself.
    tab_to(
        page,
        "e.tagName === 'SUMMARY' && words === 'Link a measure'",
        "the Link a measure disclosure",
    )
    press_and_swap(page, "Enter")
    expect(choices.locator("input[name=measure]")).to_have_count(4)

    # Typing filters the choices: the count is announced, focus stays in the field.
    tab_to(page, search, "the search field")
    before = len(said(page))
    with page.expect_response(lambda r: _searched(r.url) == "late"):
        page.keyboard.type("late")
    page.wait_for_function(HTMX_IDLE)
    expect_said(page, "2 measures match “late”.", before)
    expect_focus(page, search, "the search field, still")
    expect(choices.locator("input[name=measure]")).to_have_count(2)

    before = len(said(page))
    with page.expect_response(lambda r: _searched(r.url) == "late st"):
        page.keyboard.type(" st")
    page.wait_for_function(HTMX_IDLE)
    expect_said(page, "1 measure matches “late st”.", before)
    expect_focus(page, search, "the search field, still")
    expect(choices.locator("input[name=measure]")).to_have_count(1)

    # Linked by keyboard: the measure (Space), its role (an arrow key), the button.
    tab_to(page, "e.name === 'measure' && words === 'Late starts'", "Late starts")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect_focus(page, "e.name === 'role' && e.checked", "the role chosen")
    page.keyboard.press("ArrowDown")
    expect_focus(page, "e.name === 'role' && words === 'Process'", "Process")
    tab_to(page, "e.tagName === 'BUTTON' && words === 'Link measure'", "Link measure")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text(
        "Late starts linked as a process measure."
    )
    link = ProjectMeasure.objects.get(project=trust.project)
    assert (link.measure.name, link.role) == (
        "Late starts",
        ProjectMeasure.Role.PROCESS,
    )


# ------------------------------------------------------ similar projects


def test_similar_projects_are_announced_once(listening: Page, trust: Trust) -> None:
    page = listening
    page.goto(reverse("projects:create", kwargs={"slug": trust.trust.slug}))
    title = "e.id === 'id_title'"
    panel = page.locator("#similar-live")
    one = f"1 similar project already in {trust.trust.name}, listed beside the form."
    two = f"2 similar projects already in {trust.trust.name}, listed beside the form."

    def type_and_check(text: str) -> None:
        """Type ``text`` into the title and wait for the check it sends."""
        page.wait_for_function(HTMX_IDLE)
        with page.expect_response(lambda r: "/similar" in r.url):
            page.keyboard.type(text)
        page.wait_for_function(HTMX_IDLE)

    tab_to(page, title, "the title")
    before = len(said(page))
    type_and_check("Theatre lists")
    expect_said(page, one, before)
    expect_focus(page, title, "the title, still")
    expect(panel).to_contain_text("Theatre lists start on time")

    # More typing, the same finding: the panel is refreshed, nothing is said.
    panel.locator("#similar-projects").evaluate("e => { e.dataset.seen = 'yes'; }")
    type_and_check(" starting promptly")
    expect(panel.locator("#similar-projects")).not_to_have_attribute("data-seen", "yes")
    expect(panel).to_contain_text("Theatre lists start on time")
    expect_focus(page, title, "the title, still")

    # A new finding is said (so the one before would have been heard by now).
    page.keyboard.press("Control+A")
    type_and_check("Fewer cancelled theatre lists")
    expect_said(page, two, before + 1)
    expect(panel).to_contain_text("Fewer cancelled operations")
    assert said(page)[before:] == [one, two], said(page)
