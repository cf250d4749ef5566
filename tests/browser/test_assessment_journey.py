"""The assessment, journey and barrier journeys, as people walk them in Chromium: a member of staff
answers a survey through an anonymous link without signing in, sees the thank-you
page and cannot use the link again; an administrator reads the results (a small
unit suppressed) and turns the weakest area into an action on the plan; the QI
team moves a roadmap step forward. The axe-core scan runs on each main page on the
way. Each test makes its own data."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from openqi.accounts.models import User
from openqi.assessments import services
from openqi.assessments.models import ActionItem, AssessmentRound, ResponseLink
from openqi.journey.models import JourneyStep
from openqi.organisations.models import Organisation, Role, Unit
from tests.api.routes_assessments_journey_barriers import (
    add_responses,
    make_instrument,
    make_round,
)
from tests.browser.helpers import (
    expect_accessible,
    expect_heading,
    expect_nhs_styles,
    sign_in,
)
from tests.factories import make_member, make_organisation, make_unit

#: High on speaking up, low on time to improve (so time is the gap).
STRONG_SAFETY_WEAK_TIME = {"s1": 5, "s2": 1, "t1": 1, "t2": 2}


@dataclass
class Trust:
    trust: Organisation
    ward: Unit
    pharmacy: Unit
    #: An administrator of the trust.
    admin: User


@pytest.fixture
def trust(transactional_db: None) -> Trust:
    trust = make_organisation(name="Harrowgate Vale Hospitals NHS Trust")
    division = make_unit(trust, name="Medicine")
    directorate = make_unit(trust, name="Acute care", parent=division)
    ward = make_unit(trust, name="Kestrel ward", parent=directorate)
    pharmacy = make_unit(trust, name="Pharmacy", parent=directorate)
    admin = make_member(trust, Role.ADMIN, full_name="Ottoline Brackenbury")
    return Trust(trust, ward, pharmacy, admin)


def test_answer_a_survey_through_an_anonymous_link_once_only(
    page: Page, trust: Trust
) -> None:
    assessment_round = make_round(
        trust.trust, title="Kestrel ward pulse", status=AssessmentRound.Status.OPEN
    )
    [token] = services.create_links(
        assessment_round,
        count=1,
        unit=trust.ward,
        staff_group="nursing",
        respondent_group="staff",
    )
    url = reverse("survey:answer", kwargs={"token": token})

    page.goto(url)  # nobody signs in
    expect_heading(page, "Ward team pulse")
    expect(page.locator("main")).to_contain_text("Your answers are anonymous")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    expect_nhs_styles(page)
    expect_accessible(page, "survey")

    for question, answer in (
        ("I can raise a concern without fear.", "Agree"),
        ("Mistakes are held against people here.", "Disagree"),
        ("We have protected time to test changes.", "Strongly disagree"),
    ):
        page.get_by_role("group", name=question).get_by_label(
            answer, exact=True
        ).check()
    page.get_by_role("button", name="Send my answers").click()

    expect_heading(page, "Thank you")
    expect_accessible(page, "survey thank-you")
    response = assessment_round.responses.get()
    assert {k: str(v) for k, v in response.answers.items()} == {
        "s1": "4",
        "s2": "2",
        "t1": "1",
    }
    assert response.unit == trust.ward
    assert response.respondent_group == "staff"
    assert ResponseLink.objects.get(round=assessment_round).used_at is not None

    page.goto(url)
    expect_heading(page, "This link has been used")
    expect(page.get_by_role("button", name="Send my answers")).to_have_count(0)
    assert assessment_round.responses.count() == 1


def test_an_administrator_reads_the_results_and_turns_a_gap_into_an_action(
    page: Page, trust: Trust
) -> None:
    instrument = make_instrument(trust.trust)
    assessment_round = make_round(
        trust.trust,
        instrument=instrument,
        title="Kestrel ward pulse, spring",
        status=AssessmentRound.Status.CLOSED,
        opened_on=datetime.date(2026, 3, 2),
        closed_on=datetime.date(2026, 3, 20),
    )
    # Pharmacy's two are suppressed, and so is the next smallest unit (Heron ward),
    # so that Pharmacy's scores cannot be worked out from the total.
    heron = make_unit(trust.trust, name="Heron ward", parent=trust.ward.parent)
    add_responses(assessment_round, [STRONG_SAFETY_WEAK_TIME] * 7, unit=trust.ward)
    add_responses(assessment_round, [STRONG_SAFETY_WEAK_TIME] * 6, unit=heron)
    add_responses(assessment_round, [STRONG_SAFETY_WEAK_TIME] * 2, unit=trust.pharmacy)
    slug = trust.trust.slug
    sign_in(page, trust.admin.email)

    page.goto(
        reverse("assessments:results", kwargs={"slug": slug, "pk": assessment_round.pk})
    )
    expect_heading(page, "Results")
    main = page.locator("main")
    expect(main).to_contain_text("15 responses")
    units = page.locator("#heatmap-units")
    expect(units.locator("tr", has_text="Kestrel ward")).not_to_contain_text(
        "fewer than 5 responses"
    )
    expect(units.locator("tr", has_text="Pharmacy")).to_contain_text(
        "fewer than 5 responses"
    )
    expect_nhs_styles(page)
    expect_accessible(page, "assessment results")

    gap = page.locator("#suggestion-time")
    expect(gap).to_contain_text("Time to improve")
    gap.get_by_role("button", name=re.compile("Add to the action plan")).click()

    expect_heading(page, "Add an action")
    expect(page.get_by_label("Action", exact=True)).to_have_value(
        re.compile("time to improve", re.IGNORECASE)
    )
    page.get_by_label("Action", exact=True).fill(
        "Protected time to test changes on Kestrel ward"
    )
    page.get_by_label("Owner").select_option(label="Ottoline Brackenbury")
    group = page.get_by_role("group", name="Due date")
    group.get_by_label("Day").fill("30")
    group.get_by_label("Month").fill("9")
    group.get_by_label("Year").fill("2026")
    expect_accessible(page, "action form")
    page.get_by_role("button", name="Add to the action plan").click()

    expect(page.locator("main")).to_contain_text(
        "Protected time to test changes on Kestrel ward"
    )
    action = ActionItem.objects.get(organisation=trust.trust)
    assert action.round == assessment_round
    assert action.section_key == "time"
    assert action.category == "infrastructure"
    assert action.owner == trust.admin
    assert action.due_date == datetime.date(2026, 9, 30)


def test_the_qi_team_moves_a_roadmap_step_forward(page: Page, trust: Trust) -> None:
    slug = trust.trust.slug
    sign_in(page, trust.admin.email)

    page.goto(reverse("journey:overview", kwargs={"slug": slug}))
    expect_heading(page, "journey")
    expect_nhs_styles(page)
    expect_accessible(page, "journey overview")
    page.get_by_role("link", name="Step 1: Assessing readiness").click()

    expect_heading(page, "Assessing readiness")
    expect(page.locator("main")).to_contain_text("Not started")
    expect_accessible(page, "journey step")
    page.get_by_role("button", name="Move this step to in progress").click()

    expect_heading(page, "Assessing readiness")
    expect(page.locator("main")).to_contain_text("Step 1 is now in progress")
    step = JourneyStep.objects.get(organisation=trust.trust, number=1)
    assert step.status == JourneyStep.Status.IN_PROGRESS

    page.get_by_role("button", name="Move this step to established").click()
    expect(page.locator("main")).to_contain_text("Step 1 is now established")
    step.refresh_from_db()
    assert step.status == JourneyStep.Status.ESTABLISHED
    expect(page.get_by_role("button", name=re.compile("Move this step"))).to_have_count(
        0
    )
