"""The improvement journeys, as a person walks them in Chromium: start a
project with an aim, draw its driver diagram, plan a PDSA cycle on a change idea; add
a measure, see a bad file rejected with its row errors and nothing saved, import a
year of data and read the chart and its signals. The axe-core scan runs on each main
page on the way, and on the portfolio pages. Each test makes its own data."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

import pytest
from django.urls import reverse
from playwright.sync_api import Locator, Page, expect

from openqi.accounts.models import User
from openqi.improvement.models import DriverNode, PDSACycle
from openqi.measures.models import DataPoint, Measure
from openqi.organisations.models import Organisation, Role, Unit
from openqi.projects.models import Project
from tests.browser.helpers import (
    expect_accessible,
    expect_heading,
    expect_nhs_styles,
    sign_in,
)
from tests.factories import make_member, make_organisation, make_unit


@dataclass
class Ward:
    trust: Organisation
    team: Unit
    #: An editor (project lead) of the trust.
    lead: User


@pytest.fixture
def ward(transactional_db: None) -> Ward:
    trust = make_organisation(name="Fenwick Moor Hospitals NHS Trust")
    division = make_unit(trust, name="Medicine")
    directorate = make_unit(trust, name="Older people's care", parent=division)
    team = make_unit(trust, name="Larch ward", parent=directorate)
    lead = make_member(trust, Role.PROJECT_LEAD, full_name="Perpetua Lowther")
    make_member(trust, Role.MEMBER, full_name="Anwen Carraway")
    return Ward(trust, team, lead)


def _url(name: str, **kwargs: object) -> str:
    return reverse(name, kwargs=kwargs)


def _fill_date(page: Page, legend: str, day: datetime.date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def _file_input(page: Page) -> Locator:
    # With JavaScript, NHS.UK's file upload puts a drop zone button in front of
    # the input, and the label names the button.
    return page.locator("input[type=file][name=file]")


def _weeks_csv(rows: list[tuple[str, str]]) -> bytes:
    return ("period,value\n" + "".join(f"{p},{v}\n" for p, v in rows)).encode()


#: A year of weekly falls: about 20 a week, then 8 weeks of about 12 (a shift down).
FIRST_MONDAY = datetime.date(2025, 1, 6)
YEAR = [
    (
        (FIRST_MONDAY + datetime.timedelta(weeks=i)).isoformat(),
        str(
            (20, 22, 19, 21, 18, 23, 20, 21, 19, 22, 20)[i % 11]
            if i < 44
            else 12 + i % 3
        ),
    )
    for i in range(52)
]


def test_start_a_project_draw_its_driver_diagram_and_plan_a_pdsa_cycle(
    page: Page, ward: Ward
) -> None:
    slug = ward.trust.slug
    sign_in(page, ward.lead.email)

    page.goto(_url("projects:create", slug=slug))
    expect_heading(page, "Start a project")
    page.get_by_label("Project title").fill("Fewer falls at night on Larch ward")
    page.get_by_label("The problem").fill(
        "Most falls on Larch ward happen between midnight and six in the morning, "
        "when patients walk to the toilet alone."
    )
    page.get_by_label("What we will improve").fill(
        "Reduce falls at night on Larch ward"
    )
    page.get_by_label("By how much").fill("by half, from 8 to 4 a month")
    _fill_date(page, "By when", datetime.date(2027, 3, 31))
    page.get_by_label("Unit", exact=True).select_option(label="Larch ward")
    page.get_by_label("Model for Improvement").check()
    page.get_by_label("Project lead").select_option(label="Perpetua Lowther")
    page.get_by_role("button", name="Create project").click()

    expect_heading(page, "Fewer falls at night on Larch ward")
    main = page.locator("main")
    expect(main).to_contain_text(
        "Reduce falls at night on Larch ward by half, from 8 to 4 a month by 31 March 2027."
    )
    project = Project.objects.get(title="Fewer falls at night on Larch ward")
    assert project.organisation == ward.trust
    assert project.lead == ward.lead
    expect_nhs_styles(page)
    expect_accessible(page, "project detail")

    page.get_by_role("link", name="Driver diagram").click()
    expect_heading(page, "Driver diagram")
    page.get_by_role("link", name="Add a primary driver under the aim").click()
    page.get_by_label("Text").fill("Help is close at hand at night")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(main).to_contain_text("Help is close at hand at night")

    page.get_by_role(
        "link",
        name="Add a secondary driver or change idea under Help is close at hand at night",
    ).click()
    page.get_by_label("Secondary driver").check()
    page.get_by_label("Text").fill("Patients at risk are seen all the time")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(main).to_contain_text("Patients at risk are seen all the time")

    page.get_by_role(
        "link", name="Add a change idea under Patients at risk are seen all the time"
    ).click()
    page.get_by_label("Text").fill("Bay nursing for patients at high risk")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(main).to_contain_text("Bay nursing for patients at high risk")
    expect(main.locator("svg").first).to_be_visible()
    kinds = list(
        DriverNode.objects.filter(project=project)
        .order_by("pk")
        .values_list("kind", "parent__kind")
    )
    assert kinds == [
        ("primary", None),
        ("secondary", "primary"),
        ("change_idea", "secondary"),
    ]
    expect_accessible(page, "driver diagram")

    page.get_by_role("link", name="PDSA cycles").first.click()
    page.get_by_role("link", name="Plan a cycle").click()
    page.get_by_label("Change idea to test").select_option(
        label="Bay nursing for patients at high risk"
    )
    page.get_by_label("Name of the test").fill("A nurse in the high-risk bay, one week")
    page.get_by_label("Plan: what will you test").fill(
        "For one week a nurse stays in the high-risk bay from 11 pm to 6 am; the "
        "night sister records every fall."
    )
    page.get_by_label("Prediction: what do you expect").fill("No falls in that bay.")
    page.get_by_role("button", name="Save the plan").click()

    expect(main).to_contain_text("A nurse in the high-risk bay, one week")
    cycle = PDSACycle.objects.get(project=project)
    assert cycle.change_idea.text == "Bay nursing for patients at high risk"
    page.goto(_url("improvement:cycles", slug=slug, pk=project.pk))
    expect(main).to_contain_text("Bay nursing for patients at high risk")
    expect(
        main.get_by_role("link", name="A nurse in the high-risk bay, one week")
    ).to_be_visible()
    expect_accessible(page, "PDSA cycles")


def test_add_a_measure_reject_a_bad_file_import_a_year_and_read_the_signals(
    page: Page, ward: Ward
) -> None:
    slug = ward.trust.slug
    project = Project.objects.create(
        organisation=ward.trust,
        unit=ward.team,
        title="Fewer falls at night on Larch ward",
        aim_what="Reduce falls at night on Larch ward",
        lead=ward.lead,
        status=Project.Status.ACTIVE,
    )
    sign_in(page, ward.lead.email)

    page.goto(_url("measures:list", slug=slug))
    expect_accessible(page, "measures list")
    page.get_by_role("link", name="Add a measure").click()
    page.get_by_label("Name").fill("Falls on Larch ward")
    page.get_by_label("Operational definition").fill(
        "Falls of inpatients on Larch ward reported on the incident system, by week."
    )
    page.get_by_label("Count of events").check()
    page.get_by_label("How often it is measured").select_option(label="Weekly")
    page.get_by_label("Lower is better").check()
    page.get_by_label("Owning unit").select_option(label="Larch ward")
    page.get_by_role("button", name="Add measure").click()

    main = page.locator("main")
    expect_heading(page, "Falls on Larch ward")
    measure = Measure.objects.get(organisation=ward.trust, name="Falls on Larch ward")
    assert (measure.kind, measure.frequency, measure.improvement) == (
        "count",
        "weekly",
        "decrease",
    )

    # Link it to the project as its outcome measure.
    page.goto(_url("projects:detail", slug=slug, pk=project.pk))
    page.get_by_text("Link a measure").click()
    page.get_by_label("Search the measures by name").fill("larch")
    page.get_by_label("Falls on Larch ward").check()
    page.get_by_label("Outcome").check()
    page.get_by_role("button", name="Link measure").click()
    expect(main.get_by_role("link", name="Falls on Larch ward")).to_be_visible()
    assert project.measure_links.get().role == "outcome"

    # A bad file: its row errors are shown and nothing is saved.
    page.goto(_url("measures:detail", slug=slug, pk=measure.pk))
    page.get_by_role("link", name="Import from a file").click()
    _file_input(page).set_input_files(
        {
            "name": "falls-with-errors.csv",
            "mimeType": "text/csv",
            "buffer": _weeks_csv(
                [
                    ("2025-01-06", "20"),
                    ("the sixth of Jan", "21"),
                    ("2025-01-20", "lots"),
                ]
            ),
        }
    )
    page.get_by_role("button", name="Upload and check").click()
    expect_heading(page, "The file has errors")
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("2 rows of 3 have errors, so nothing can be saved")
    errors = page.get_by_role("table", name="Errors", exact=True)
    expect(errors.locator("tbody tr")).to_have_count(2)
    expect(errors).to_contain_text('Row 3 period "the sixth of Jan" is not a date')
    expect(errors).to_contain_text('Row 4 value "lots" is not a number')
    expect(page.get_by_role("button", name=re.compile("^Save"))).to_have_count(0)
    assert not DataPoint.objects.filter(measure=measure).exists()
    expect_accessible(page, "import preview, with errors")

    # A good file: a year of weeks, previewed, then saved all at once.
    page.get_by_role("link", name="Upload a mended file").click()
    _file_input(page).set_input_files(
        {"name": "falls-2025.csv", "mimeType": "text/csv", "buffer": _weeks_csv(YEAR)}
    )
    page.get_by_role("button", name="Upload and check").click()
    expect_heading(page, "Check the import")
    expect(main).to_contain_text("52 rows checked: 52 new")
    assert not DataPoint.objects.filter(measure=measure).exists()
    expect_accessible(page, "import preview")
    page.get_by_role("button", name="Save 52 periods").click()

    expect_heading(page, "Falls on Larch ward")
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text(
        "Imported falls-2025.csv: 52 new"
    )
    assert DataPoint.objects.filter(measure=measure).count() == 52

    # The chart and its signals, in words.
    chart = page.get_by_role("region", name="Chart")
    expect(
        chart.get_by_role("img", name=re.compile("^Falls on Larch ward"))
    ).to_be_visible()
    expect(
        chart.get_by_role(
            "img", name=re.compile("^Variation: Special cause improvement")
        )
    ).to_be_visible()
    signals = chart.get_by_role("heading", name="Signals").locator(
        "xpath=following-sibling::ul[1]"
    )
    expect(signals).to_contain_text("below the mean")
    expect(signals).to_contain_text("special cause improvement")
    expect_accessible(page, "measure detail")


#: Each portfolio page, and what it must show of the data below.
PORTFOLIO_PAGES = {
    "projects:list": "Fewer falls at night on Larch ward",
    "portfolio:portfolio": "Fewer falls at night on Larch ward",
    "portfolio:matrix": "Zero avoidable harm",
    "measures:overview": "Falls at night on Larch ward",
    "strategy:priorities": "Zero avoidable harm",
}


@pytest.mark.parametrize("route", PORTFOLIO_PAGES)
def test_portfolio_page_is_accessible(page: Page, ward: Ward, route: str) -> None:
    _portfolio(ward)
    sign_in(page, ward.lead.email)

    response = page.goto(_url(route, slug=ward.trust.slug))

    assert response is not None and response.status == 200, route
    expect(page.locator("main")).to_contain_text(PORTFOLIO_PAGES[route])
    expect_nhs_styles(page)
    expect_accessible(page, route)


def _portfolio(ward: Ward) -> None:
    """A priority, a project working towards it and its measure with a year of data."""
    from openqi.projects.models import ProgressRating, ProjectMeasure
    from openqi.strategy.models import StrategicPriority

    priority = StrategicPriority.objects.create(
        organisation=ward.trust,
        title="Zero avoidable harm",
        period_start=datetime.date(2025, 4, 1),
    )
    project = Project.objects.create(
        organisation=ward.trust,
        unit=ward.team,
        title="Fewer falls at night on Larch ward",
        aim_what="Reduce falls at night on Larch ward",
        aim_how_much="by half",
        lead=ward.lead,
        status=Project.Status.ACTIVE,
    )
    project.priorities.add(priority)
    ProgressRating.objects.create(
        project=project,
        score="2.5",
        rated_by=ProgressRating.RatedBy.TEAM,
        rated_on=datetime.date(2025, 11, 3),
        rater=ward.lead,
    )
    measure = Measure.objects.create(
        organisation=ward.trust,
        unit=ward.team,
        name="Falls at night on Larch ward",
        kind=Measure.Kind.COUNT,
        frequency=Measure.Frequency.WEEKLY,
        improvement=Measure.Improvement.DECREASE,
    )
    DataPoint.objects.bulk_create(
        DataPoint(
            measure=measure, period=datetime.date.fromisoformat(p), value=float(v)
        )
        for p, v in YEAR
    )
    ProjectMeasure.objects.create(project=project, measure=measure)
