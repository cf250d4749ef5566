"""The home page in the browser: an administrator who owns measures signs in,
lands on the organisation's home, sees what needs them (data overdue, a
measure showing a concern, with its sparkline), follows an item to where it is
dealt with, and the page is clean to axe."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from openqi.measures.models import Measure
from openqi.organisations.models import Organisation, Role
from tests.browser.helpers import axe_violations, resize, sign_in
from tests.factories import make_member, make_organisation
from tests.measures.helpers import add_points


@pytest.fixture
def trust(transactional_db: None) -> Organisation:
    trust = make_organisation(name="Hollins Moor Hospitals NHS Trust")
    admin = make_member(
        trust,
        Role.ADMIN,
        full_name="Ines Administrator",
        email="ines@hollins.example.org",
    )
    falls = Measure.objects.create(
        organisation=trust, name="Falls with harm", owner=admin, improvement="decrease"
    )
    add_points(
        falls,
        [10, 11, 9, 10, 12, 10, 9, 11, 10, 10, 11, 9, 10, 60],
        start=datetime.date(2023, 1, 1),
    )
    return trust


def test_the_home_page_says_what_needs_the_person(
    page: Page, trust: Organisation
) -> None:
    sign_in(page, "ines@hollins.example.org")
    home = reverse("reports:home", kwargs={"slug": trust.slug})
    expect(page).to_have_url(re.compile(re.escape(home) + "$"))
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", name="What needs you")).to_be_visible()
    expect(
        main.get_by_role(
            "heading",
            name=re.compile(
                "Measures showing a concern|Concerns and measures failing their target"
            ),
        )
    ).to_have_count(2)
    expect(
        main.get_by_role("heading", name=re.compile(r"Data to enter \(1\)"))
    ).to_be_visible()
    sparkline = main.get_by_role(
        "img",
        name=re.compile(
            r"^Falls with harm: last 14 points, latest 60 .*special cause concern"
        ),
    )
    expect(sparkline.first).to_be_visible()
    assert axe_violations(page, "home page") == []
    # At the reflow width (WCAG 1.4.10) the page does not scroll sideways.
    resize(page, 320)
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert widths[0] <= widths[1], widths
    assert axe_violations(page, "home page at 320 px") == []
    resize(page, 1280)

    # Overdue first: the data item leads to where the next point is entered.
    main.get_by_role("list", name=re.compile("Data to enter")).get_by_role(
        "link", name="Falls with harm"
    ).click()
    add = reverse(
        "measures:add_point",
        kwargs={"slug": trust.slug, "pk": Measure.objects.get().pk},
    )
    expect(page).to_have_url(re.compile(re.escape(add) + "$"))
    expect(page.get_by_role("button", name="Save", exact=True)).to_be_visible()
