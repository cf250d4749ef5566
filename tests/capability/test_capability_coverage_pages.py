"""The capability page (coverage against targets) and the overview's headline
numbers, as a viewer sees them; the query count whatever the rows; the trend
charts' marks at 3:1 against their background; the journey's step 4 and the
readiness results' skills category linking to it."""

from __future__ import annotations

import copy
import datetime
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from openqi.capability import coverage
from openqi.capability.charts import trend_svg
from openqi.capability.models import Audience, Completion, Target
from openqi.journey import services as journey
from openqi.organisations.models import StaffRecord
from tests.assessments.round_helpers import (
    DEFINITION,
    make_instrument,
    make_responses,
    make_round,
)
from tests.base import BaseTestCase
from tests.capability.helpers import make_level, make_staff, make_target
from tests.factories import make_unit
from tests.spc.test_chart_contrast import (
    MINIMUM,
    background_of,
    classes,
    contrast,
    marks,
    paint,
    parse,
)

BASE = "/organisations/northfield/capability/"
PAGE = BASE + "coverage/"
NURSING = StaffRecord.StaffGroup.NURSING


class CoverageData(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        today = timezone.localdate()
        cls.awareness = make_level(cls.org, name="Improvement awareness", position=1)
        cls.board = make_level(
            cls.org, name="Board development", position=2, audience=Audience.BOARD
        )
        cls.board_unit = make_unit(cls.org, name="Trust board")
        people = [
            make_staff(cls.org, unit=cls.team, staff_group=NURSING) for _ in range(4)
        ]
        people += [make_staff(cls.org, unit=cls.board_unit) for _ in range(2)]
        for person in people[:3]:
            Completion.objects.create(
                level=cls.awareness,
                staff_record=person,
                unit=person.unit,
                staff_group=person.staff_group,
                completed_on=today - datetime.timedelta(days=40),
            )
        cls.target = make_target(
            cls.org,
            level=cls.awareness,
            value=Decimal("80"),
            starts_on=today - datetime.timedelta(days=100),
            due_on=today + datetime.timedelta(days=400),
        )


class CoveragePageTests(CoverageData):
    def test_a_viewer_sees_the_heatmap_gaps_trend_and_board(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.get(PAGE)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("Coverage against targets", page)
        # The organisation: 3 of 6 staff, 80% needs 5: behind, 2 more needed.
        heatmap = page[page.index('id="heatmap"') : page.index('id="gaps-heading"')]
        self.assertIn("Emergency department", heatmap)
        self.assertIn("50%", heatmap)
        self.assertIn("3 of 6", heatmap)
        self.assertIn("Behind: 2 more needed", heatmap)
        self.assertIn("75%", heatmap)  # the department: 3 of 4, needs 4: close
        self.assertIn("Close: 1 more needed", heatmap)
        self.assertIn("openqi-coverage__cell--behind", heatmap)
        self.assertIn("openqi-coverage__unit--depth-3", heatmap)
        self.assertIn("Far behind: under 50%", page)  # the legend
        gaps = page[page.index('id="gaps"') : page.index('id="board-heading"')]
        self.assertIn("80% of staff", gaps)
        self.assertIn('data-forecast="on_track"', gaps)
        self.assertIn("before the due date", gaps)
        self.assertIn("No board-level target is set", page)
        self.assertIn("<svg", page)
        self.assertIn("<title id=", page)
        self.assertIn("The trend as a table", page)
        self.assertNotIn("Add a target", page)  # a viewer changes nothing

    def test_a_board_target_shows_the_board(self) -> None:
        make_target(
            self.org, level=self.board, unit=self.board_unit, value=Decimal("100")
        )
        self.sign_in(self.viewer)
        page = self.client.get(PAGE).content.decode()
        board = page[
            page.index('id="board-heading"') : page.index('id="trend-heading"')
        ]
        self.assertIn("Trust board", board)
        self.assertIn("Not at this rate: nobody reached", board)

    def test_the_staff_group_filter(self) -> None:
        self.sign_in(self.viewer)
        page = self.client.get(PAGE, {"group": NURSING}).content.decode()
        self.assertIn("nursing and midwifery only", page)
        self.assertIn("3 of 4", page)
        self.assertIn("No target is set for nursing and midwifery", page)
        page = self.client.get(PAGE, {"group": "astronauts"})
        self.assertEqual(page.status_code, 200)
        self.assertIn("Choose a staff group from the list", page.content.decode())

    def test_the_qi_team_is_offered_targets(self) -> None:
        Target.objects.all().delete()
        self.sign_in(self.qi_lead)
        page = self.client.get(PAGE).content.decode()
        self.assertIn("No targets are set yet.", page)
        self.assertIn("Add a target", page)

    def test_the_overview_links_it_first_with_the_headline(self) -> None:
        self.sign_in(self.viewer)
        page = self.client.get(BASE).content.decode()
        self.assertIn(f'href="{PAGE}"', page)
        self.assertLess(page.index(f'href="{PAGE}"'), page.index("Framework"))
        self.assertIn(
            "0 of 1 capability target met, 1 more on track; "
            "Improvement awareness: 50% of staff against 80%.",
            page,
        )
        self.assertIn("Coverage at a glance", page)

    def test_an_outsider_gets_nothing(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(PAGE).status_code, 404)

    def test_queries_do_not_grow_with_the_rows(self) -> None:
        self.sign_in(self.viewer)

        def count() -> int:
            with CaptureQueriesContext(connection) as captured:
                self.assertEqual(self.client.get(PAGE).status_code, 200)
            return len(captured)

        few = count()
        today = timezone.localdate()
        for i in range(20):
            unit = make_unit(self.org, name=f"Division {i}")
            person = make_staff(self.org, unit=unit)
            Completion.objects.create(
                level=self.board, staff_record=person, completed_on=today
            )
            make_target(self.org, level=self.board, unit=unit)
        many = count()
        open("/tmp/cov-page.html", "w").write(self.client.get(PAGE).content.decode())
        self.assertEqual(few, many)
        # The session, the person and their memberships; the coverage's five.
        self.assertEqual(many, 8)


class JourneyAndReadinessTests(CoverageData):
    def test_step_four_reads_coverage_against_targets(self) -> None:
        _, skills = journey.skills_evidence(self.org)
        self.assertEqual(skills.label, "Improvement skills against targets")
        self.assertIs(skills.is_met, True)  # on track
        self.assertEqual(
            skills.sentence,
            "0 of 1 capability target met, 1 more on track; "
            "Improvement awareness: 50% of staff against 80%.",
        )

    def test_a_target_behind_is_not_met(self) -> None:
        make_target(self.org, level=self.board, unit=self.board_unit)
        _, skills = journey.skills_evidence(self.org)
        self.assertIs(skills.is_met, False)
        self.assertTrue(skills.sentence.startswith("0 of 2 capability targets met"))

    def test_the_readiness_results_skills_category_links_here(self) -> None:
        definition = copy.deepcopy(DEFINITION)
        definition["sections"][0]["tag"] = {"enabler": "skills"}
        instrument = make_instrument(key="skills-test", definition=definition)
        closed = make_round(self.org, instrument, status="closed")
        make_responses(closed, {"l1": 4, "l2": 2, "t1": "no", "k1": 3}, 5)
        self.sign_in(self.viewer)
        url = f"/organisations/northfield/assessments/rounds/{closed.pk}/results/"
        page = self.client.get(url).content.decode()
        row = page[page.index('data-category="enabler:skills"') :]
        row = row[: row.index("</tr>")]
        self.assertIn("Skills and workforce", row)
        self.assertIn(f'href="{PAGE}"', row)


def _chart(need: int | None) -> str:
    months = tuple(datetime.date(2023 + m // 12, m % 12 + 1, 1) for m in range(36))
    points = tuple(min(m * 3, 80) for m in range(36))
    level = coverage.LevelInfo(1, "Awareness & more", "all_staff", 1)
    goal = (
        coverage.Goal(1, "80% of staff", datetime.date(2027, 3, 31), need, 10, "close")
        if need is not None
        else None
    )
    return str(trend_svg(level, months, points, coverage.Cell(1, 120, 80, goal), "t1"))


def test_chart_marks_have_3_to_1_against_the_background() -> None:
    root = parse(_chart(96))
    background = background_of(root)
    seen: set[str] = set()
    failures = []
    for element, up in marks(root):
        seen |= classes(element)
        what, colour = paint(element, up, background)
        ratio = contrast(colour, background)
        if ratio < MINIMUM:
            failures.append(f"{element.get('class')}: {what} is {ratio:.2f}:1")
    assert not failures, "\n".join(failures)
    expected = {"data-line", "point", "target-line", "axis", "tick", "legend-line"}
    assert expected <= seen


def test_chart_has_a_title_and_desc_and_escapes_names() -> None:
    svg = _chart(None)
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    title = root.find(f"{ns}title")
    desc = root.find(f"{ns}desc")
    assert title is not None and title.text is not None
    assert title.text.startswith("Awareness & more: people at this level")
    assert desc is not None and "0 people in January 2023" in (desc.text or "")
    assert "target-line" not in svg
    assert re.search(r'aria-labelledby="t1-title t1-desc"', svg)
