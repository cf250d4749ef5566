"""The shared learning library as two trusts of one system walk it in Chromium: the
QI team of one publishes a project from its page, a project lead of the other finds
it by searching, reads it and adopts it, and both ends show the link: the adopted
project says where it came from, and the publication lists the adoption for its
publisher. axe-core (every impact) is checked on each page at 1,280 px and 320 px.
The trusts, their people and their work are invented."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from openqi.library.models import Adoption, Publication
from openqi.organisations.models import Role
from tests.browser.helpers import (
    DESKTOP,
    HEIGHT,
    expect_heading,
    page_problems,
    resize,
    sign_in,
    sign_out,
)
from tests.factories import make_member, make_organisation
from tests.library.helpers import make_diagram, make_measure, make_project

pytestmark = pytest.mark.browser


def test_publish_find_adopt_and_see_both_ends(
    page: Page, transactional_db: None
) -> None:
    system = make_organisation(name="Fernleigh and Moor Care System", kind="system")
    source_trust = make_organisation(
        name="Fernleigh Valley NHS Trust", slug="fernleigh", system=system
    )
    adopter_trust = make_organisation(
        name="Moorgate Community NHS Trust", slug="moorgate", system=system
    )
    publisher = make_member(source_trust, Role.QI_TEAM, full_name="Idris Wenlock")
    adopter = make_member(
        adopter_trust, Role.PROJECT_LEAD, full_name="Petra Ollerenshaw"
    )
    project = make_project(source_trust, title="Falls prevention on Larch ward")
    make_diagram(project)
    make_measure(source_trust, project)
    problems: list[str] = []
    resize(page, DESKTOP, HEIGHT)

    # 1. Publish the project from its page, with its measure and data.
    sign_in(page, publisher.email)
    page.goto(
        reverse("projects:detail", kwargs={"slug": source_trust.slug, "pk": project.pk})
    )
    page.get_by_role("link", name="Publish this project to the library").click()
    expect_heading(page, "Publish to the library")
    page.get_by_label("Summary").fill(
        "Bay tagging and lying and standing blood pressure cut falls with harm."
    )
    page.get_by_label("Topic").select_option(label="Patient safety")
    page.get_by_label("Setting").select_option(label="Acute hospital wards")
    page.get_by_label("Include the definitions of the project's measures").check()
    page.get_by_label("Include the measures' aggregate data", exact=False).check()
    page.get_by_label("Our system", exact=False).check()
    problems += page_problems(page, "the publish form")
    page.get_by_role("button", name="Publish").click()
    expect_heading(page, "Falls prevention on Larch ward")
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text(
        "published to the library"
    )
    expect(page.get_by_text("No organisation has adopted this yet.")).to_be_visible()
    problems += page_problems(page, "the publication, as its publisher")
    sign_out(page)

    # 2. The other trust finds it by searching, and reads it.
    sign_in(page, adopter.email)
    page.goto(reverse("library:search", kwargs={"slug": adopter_trust.slug}))
    expect_heading(page, "Shared learning library")
    page.get_by_label("Search the library").fill("bay tagging")
    page.get_by_label("Topic").select_option(label="Patient safety")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="1 result")).to_be_visible()
    problems += page_problems(page, "the library's search results")
    page.get_by_role("link", name="Falls prevention on Larch ward").click()
    expect_heading(page, "Falls prevention on Larch ward")
    expect(page.get_by_role("heading", name="Driver diagram")).to_be_visible()
    problems += page_problems(page, "the publication, as a reader")

    # 3. Adopt it: a new project of the adopter's own, saying where it came from.
    page.get_by_role("link", name="Adopt this").click()
    expect_heading(page, "Adopt Falls prevention on Larch ward")
    problems += page_problems(page, "the adopt page")
    page.get_by_role("button", name="Adopt").click()
    expect_heading(page, "Falls prevention on Larch ward")
    origin = page.locator("[data-library-origin]")
    expect(origin).to_contain_text("Adopted from Falls prevention on Larch ward")
    expect(origin).to_contain_text("Fernleigh Valley NHS Trust")
    problems += page_problems(page, "the adopted project")
    adoption = Adoption.objects.get()
    assert adoption.project is not None
    assert adoption.project.organisation == adopter_trust
    sign_out(page)

    # 4. The publisher sees the adoption on the publication.
    sign_in(page, publisher.email)
    publication = Publication.objects.get()
    page.goto(
        reverse(
            "library:publication",
            kwargs={"slug": source_trust.slug, "pk": publication.pk},
        )
    )
    adopted_by = page.get_by_role("table", name="Organisations that adopted it")
    expect(adopted_by).to_contain_text("Moorgate Community NHS Trust")
    expect(adopted_by).to_contain_text("Project: Falls prevention on Larch ward")
    problems += page_problems(page, "the publication with its adoption")
    assert not problems, "\n".join(problems)
