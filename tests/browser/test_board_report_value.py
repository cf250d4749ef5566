"""The programme's return in a published board report, in Chromium: the section,
its chart (with its text alternative) and tables are shown and axe-core finds
nothing wrong. The trust, its people and its data are invented."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from openqi.organisations.models import Role
from tests.browser.helpers import ALL_IMPACTS, axe_violations, sign_in
from tests.factories import make_member, make_organisation
from tests.reports.report_helpers import published_report
from tests.reports.value_report_data import DECEMBER, record_programme

pytestmark = pytest.mark.browser


def test_the_published_report_shows_the_programmes_return(
    page: Page, transactional_db: None
) -> None:
    trust = make_organisation(name="Fernlow Valley Hospitals NHS Trust")
    qi = make_member(trust, Role.QI_TEAM, full_name="Tamsin Oakridge")
    record_programme(trust)
    report = published_report(trust, DECEMBER, by=qi)
    assert report.as_at == datetime.date(2025, 12, 31)

    sign_in(page, qi.email)
    page.goto(reverse("reports:detail", kwargs={"slug": trust.slug, "pk": report.pk}))
    section = page.locator("section[aria-labelledby=value-heading]")
    expect(section).to_contain_text("£200,000 invested and £228,000 of realised")
    expect(section.locator("#value-scenario-central")).to_contain_text("2025/26")
    chart = section.get_by_role(
        "img", name="Cumulative benefits and investment, 2024/25 to 2025/26"
    )
    expect(chart).to_be_visible()
    expect(section).to_contain_text("Staff experience")
    problems = axe_violations(page, "the report's programme return", ALL_IMPACTS)
    assert not problems, "\n".join(problems)
