"""Capability building as the QI team walks it in Chromium: import the staff
list, see a learning-management export with a bad row refused (the row, what is
wrong and how to fix it; nothing saved), import the mended export, then read
the coverage page: the heatmap's cells, the gaps largest first and when each
target will be met. axe-core (every impact) and sideways scrolling are checked
on the import preview with its error, the coverage page and learning by doing,
at 1,280 px and at 320 px. The trust, its people and its data are invented."""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from openqi.accounts.models import User
from openqi.capability import services
from openqi.capability.models import (
    CapabilityLevel,
    Completion,
    HeldImport,
    Programme,
    Target,
)
from openqi.organisations.models import Organisation, Role, StaffRecord, Unit
from openqi.projects.models import Project
from tests.browser.helpers import (
    DESKTOP,
    HEIGHT,
    expect_heading,
    page_problems,
    resize,
    sign_in,
)
from tests.factories import make_member, make_organisation, make_unit

#: Each level of the built-in framework has a programme by this name.
PROGRAMMES = {
    "Improvement awareness": "Quality improvement e-learning",
    "Improvement practitioner": "Practitioner programme",
    "Improvement project lead": "Leading improvement",
    "Improvement coach": "Coaching for improvement",
}


@dataclass
class Trust:
    trust: Organisation
    ashby: Unit
    brindle: Unit
    levels: dict[str, CapabilityLevel]
    #: A QI-team member, who imports.
    qi: User
    today: datetime.date
    due: datetime.date


@pytest.fixture
def trust(transactional_db: None) -> Trust:
    trust = make_organisation(name="Hollowmere Community Health NHS Trust")
    division = make_unit(trust, name="Community care")
    ashby = make_unit(trust, name="Ashby district nurses", parent=division)
    brindle = make_unit(trust, name="Brindle therapy team", parent=division)
    levels = {level.name: level for level in services.install_builtin_framework(trust)}
    for position, level in enumerate(levels.values()):
        Programme.objects.create(
            organisation=trust,
            level=level,
            name=PROGRAMMES.get(level.name, f"{level.name} programme {position}"),
        )
    qi = make_member(trust, Role.QI_TEAM, full_name="Oriel Fenwright")
    today = timezone.localdate()
    due = today + datetime.timedelta(days=730)
    start = today - datetime.timedelta(days=365)
    for name, kind, value, unit in (
        ("Improvement awareness", Target.Kind.SHARE, Decimal("80"), None),
        ("Improvement practitioner", Target.Kind.SHARE, Decimal("50"), ashby),
        ("Improvement project lead", Target.Kind.RATIO, Decimal("2"), None),
    ):
        Target.objects.create(
            organisation=trust,
            level=levels[name],
            kind=kind,
            value=value,
            unit=unit,
            starts_on=start,
            due_on=due,
        )
    return Trust(trust, ashby, brindle, levels, qi, today, due)


def _url(name: str, **kwargs: object) -> str:
    return reverse(name, kwargs=kwargs)


def _file_input(page: Page) -> Locator:
    return page.locator("input[type=file][name=file]")


def _csv(rows: Sequence[Sequence[str]]) -> bytes:
    return "".join(",".join(row) + "\r\n" for row in rows).encode()


#: Ten people: six district nurses at Ashby, four therapists at Brindle.
STAFF = [
    ("Employee Number", "Email", "Unit", "Staff Group"),
    *[
        (
            f"3100{n}",
            f"ashby.nurse{n}@hollowmere.example.nhs.uk",
            "Ashby district nurses",
            "Nursing and midwifery registered",
        )
        for n in range(1, 7)
    ],
    *[
        (
            f"3200{n}",
            f"brindle.therapist{n}@hollowmere.example.nhs.uk",
            "Brindle therapy team",
            "Allied health professionals",
        )
        for n in range(1, 5)
    ],
]


def _completions(today: datetime.date, bad: bool) -> list[tuple[str, ...]]:
    """An export as learning systems give it: awareness for four nurses and one
    therapist (found by e-mail address only), practitioner for two nurses, the
    project-lead course for one therapist; with ``bad``, its fourth data row
    (row 5 of the sheet) is dated a year ahead."""

    def day(days_ago: int) -> str:
        return f"{today - datetime.timedelta(days=days_ago):%d/%m/%Y}"

    awareness = PROGRAMMES["Improvement awareness"]
    practitioner = PROGRAMMES["Improvement practitioner"]
    rows: list[tuple[str, ...]] = [
        ("Employee Number", "Email", "Course Title", "Completion Date"),
        ("31001", "", awareness, day(200)),
        ("31002", "", awareness, day(150)),
        ("31003", "", awareness, day(90)),
        (
            "31004",
            "",
            awareness,
            f"{today + datetime.timedelta(days=366):%d/%m/%Y}" if bad else day(30),
        ),
        ("", "brindle.therapist1@hollowmere.example.nhs.uk", awareness, day(60)),
        ("31001", "", practitioner, day(100)),
        ("31002", "", practitioner, day(20)),
        ("32002", "", PROGRAMMES["Improvement project lead"], day(45)),
    ]
    return rows


def _expected_by(today: datetime.date, gap: int, recent: int) -> datetime.date:
    """When the forecast says a target is met: the gap at the rate of the last
    twelve months (people a month), in days."""
    return today + datetime.timedelta(days=math.ceil(gap / (recent / 12) * 365.25 / 12))


def _long(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def test_import_staff_and_completions_then_read_the_coverage(
    page: Page, trust: Trust
) -> None:
    slug = trust.trust.slug
    today = trust.today
    main = page.locator("main")
    problems: list[str] = []
    resize(page, DESKTOP, HEIGHT)
    sign_in(page, trust.qi.email)

    # 1. The staff list.
    page.goto(_url("capability:overview", slug=slug))
    page.get_by_role("link", name="Import staff list").click()
    expect_heading(page, "Import a staff list")
    _file_input(page).set_input_files(
        {"name": "staff-list.csv", "mimeType": "text/csv", "buffer": _csv(STAFF)}
    )
    page.get_by_role("button", name="Upload and check").click()
    expect_heading(page, "Check the staff list")
    new_staff = page.get_by_role("table", name="New staff records")
    expect(new_staff.locator("tbody tr")).to_have_count(10)
    expect(new_staff).to_contain_text("Ashby district nurses")
    expect(new_staff).to_contain_text("Allied health professional")
    assert not StaffRecord.objects.filter(organisation=trust.trust).exists()
    page.get_by_role("button", name="Save the staff list").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text(
        "Imported staff-list.csv: 10 new"
    )
    records = StaffRecord.objects.filter(organisation=trust.trust)
    assert records.filter(unit=trust.ashby, staff_group="nursing").count() == 6
    assert records.filter(unit=trust.brindle, staff_group="ahp").count() == 4

    # 2. The learning-management export with a date a year ahead: the row, what
    # is wrong and how to fix it; no way to save; nothing saved.
    page.goto(_url("capability:overview", slug=slug))
    page.get_by_role("link", name="Import completions").click()
    expect_heading(page, "Import completions")
    _file_input(page).set_input_files(
        {
            "name": "lms-export.csv",
            "mimeType": "text/csv",
            "buffer": _csv(_completions(today, bad=True)),
        }
    )
    page.get_by_role("button", name="Upload and check").click()
    expect_heading(page, "The file has errors")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "1 row of 8 has errors, so nothing can be saved"
    )
    errors = page.get_by_role("table", name="Errors", exact=True)
    expect(errors.locator("tbody tr")).to_have_count(1)
    cells = errors.locator("tbody tr").first.locator("td")
    expect(cells.nth(0)).to_have_text("5")
    expect(cells.nth(1)).to_have_text("Completion date")
    future = today + datetime.timedelta(days=366)
    expect(cells.nth(2)).to_have_text(
        f'"{future:%d/%m/%Y}" is after today ({_long(today)}): a completion cannot '
        "be in the future; check the year, or import it once it has happened."
    )
    expect(page.get_by_role("button", name=re.compile("^Record"))).to_have_count(0)
    preview_url = page.url
    problems += page_problems(page, "the completions preview with an error")

    # Posting anyway is refused, and still nothing is saved.
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(
        preview_url,
        form={"csrfmiddlewaretoken": token},
        headers={"Referer": preview_url},
    )
    assert response.ok
    assert (
        "The file has rows with errors, so nothing can be saved: fix them in the "
        "file and upload it again." in response.text()
    )
    assert not Completion.objects.filter(level__organisation=trust.trust).exists()
    assert HeldImport.objects.filter(organisation=trust.trust).count() == 1

    # 3. The mended file: eight new completions, then saved.
    page.get_by_role("link", name="Upload the fixed file").first.click()
    expect_heading(page, "Import completions")
    _file_input(page).set_input_files(
        {
            "name": "lms-export-fixed.csv",
            "mimeType": "text/csv",
            "buffer": _csv(_completions(today, bad=False)),
        }
    )
    page.get_by_role("button", name="Upload and check").click()
    expect_heading(page, "Check the completions")
    new = page.get_by_role("table", name="New completions")
    expect(new.locator("tbody tr")).to_have_count(8)
    therapist = new.locator("tbody tr").filter(has_text="32001")
    expect(therapist).to_contain_text("Improvement awareness")
    expect(new.locator("tbody tr").filter(has_text="32002")).to_contain_text(
        "Improvement project lead"
    )
    assert not Completion.objects.filter(level__organisation=trust.trust).exists()
    page.get_by_role("button", name="Record 8 completions").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text(
        "Imported lms-export-fixed.csv"
    )
    saved = Completion.objects.filter(level__organisation=trust.trust)
    assert saved.count() == 8
    awareness = trust.levels["Improvement awareness"]
    assert set(
        saved.filter(level=awareness).values_list("staff_record__reference", flat=True)
    ) == {"31001", "31002", "31003", "31004", "32001"}

    # 4. The coverage page.
    page.goto(_url("capability:overview", slug=slug))
    page.get_by_role("link", name="Coverage against targets").first.click()
    expect_heading(page, "Coverage against targets")
    expect(page.locator("#coverage-headline")).to_contain_text("0 of 3 targets met")
    heatmap = page.get_by_role(
        "table", name=re.compile("^Coverage against target by unit and level")
    )
    # Ashby × awareness, by hand: 4 of its 6 nurses; the trust's 80% asks for
    # ceil(4.8) = 5, so 1 more (4 of 5: close).
    ashby_row = heatmap.locator(f'tr[data-unit="{trust.ashby.pk}"]')
    ashby_awareness = ashby_row.locator(f'td[data-level="{awareness.pk}"]')
    expect(ashby_awareness).to_have_text(
        re.compile(r"^\s*67%\s*4 of 6\s*Close: 1 more needed\s*$")
    )
    expect(ashby_awareness).to_have_attribute("data-band", "close")
    # Brindle × awareness: 1 of 4 (the therapist matched by e-mail address),
    # 4 needed, so 3 more (far behind).
    expect(
        heatmap.locator(f'tr[data-unit="{trust.brindle.pk}"]').locator(
            f'td[data-level="{awareness.pk}"]'
        )
    ).to_have_text(re.compile(r"^\s*25%\s*1 of 4\s*Far behind: 3 more needed\s*$"))
    # The trust × practitioner: no target of its own (Ashby's is only Ashby's).
    practitioner = trust.levels["Improvement practitioner"]
    expect(
        heatmap.locator('tr[data-unit="organisation"]').locator(
            f'td[data-level="{practitioner.pk}"]'
        )
    ).to_have_text(re.compile(r"^\s*20%\s*2 of 10\s*No target\s*$"))
    # Ashby × practitioner: 2 of 6 against its own 50% (3 needed: 2 of 3 is
    # behind).
    expect(ashby_row.locator(f'td[data-level="{practitioner.pk}"]')).to_have_text(
        re.compile(r"^\s*33%\s*2 of 6\s*Behind: 1 more needed\s*$")
    )

    # The gaps, largest first: project lead (one per 2 of 10 staff: 5 needed, 1
    # has it, gap 4), awareness (8 of 10 needed, 5 have it, gap 3), practitioner
    # at Ashby (3 needed, 2 have it, gap 1).
    gaps = page.get_by_role("table", name=re.compile("^Targets by gap, largest first"))
    rows = gaps.locator("tbody tr")
    expect(rows).to_have_count(3)
    expected = [
        ("Improvement project lead", "The whole organisation", "5", "4", 4, 1),
        ("Improvement awareness", "The whole organisation", "8", "3", 3, 5),
        ("Improvement practitioner", "Ashby district nurses", "3", "1", 1, 2),
    ]
    for i, (level, unit, need, gap, n_gap, recent) in enumerate(expected):
        cells = rows.nth(i).locator("td")
        expect(cells.nth(0)).to_have_text(level)
        expect(cells.nth(1)).to_have_text(unit)
        expect(cells.nth(5)).to_have_text(need)
        expect(cells.nth(6)).to_have_text(gap)
        # The forecast: the gap at the rate of the last twelve months.
        by = _expected_by(today, n_gap, recent)
        if by <= trust.due:
            words = f"By {by:%B %Y}, before the due date ({_long(trust.due)})"
        else:
            words = f"Not at this rate: by {by:%B %Y}, after the due date ({_long(trust.due)})"
        expect(cells.nth(7)).to_have_text(words)
    # One per 2 staff at one person a year takes four years, after the due date
    # two years off; the others are on track.
    expect(rows.nth(0).locator("td").nth(7)).to_have_attribute("data-forecast", "late")
    expect(rows.nth(1).locator("td").nth(7)).to_have_attribute(
        "data-forecast", "on_track"
    )
    # The trend, drawn and as a table: the trust's five aware people by now.
    expect(page.get_by_role("heading", name="The trend of each level")).to_be_visible()
    trend = page.locator("#trend-table")
    last_month = trend.locator("tbody tr").last
    expect(last_month.locator("th")).to_have_text(f"{today:%B %Y}")
    expect(last_month.locator("td").first).to_have_text("5")
    problems += page_problems(page, "the coverage page")

    # 5. Learning by doing, with a project led by the therapist trained to lead.
    lead = make_member(
        trust.trust,
        Role.PROJECT_LEAD,
        full_name="Tamsin Ollerby",
        email="brindle.therapist2@hollowmere.example.nhs.uk",
    )
    Project.objects.create(
        organisation=trust.trust,
        unit=trust.brindle,
        title="Home exercise plans within a week of referral",
        aim_what="Give every patient referred to Brindle a home exercise plan",
        lead=lead,
        status=Project.Status.ACTIVE,
    )
    page.goto(_url("capability:overview", slug=slug))
    page.get_by_role("link", name="Learning by doing").click()
    expect_heading(page, "Learning by doing")
    expect(main).to_contain_text("Home exercise plans within a week of referral")
    problems += page_problems(page, "learning by doing")

    assert not problems, "\n".join(problems)
