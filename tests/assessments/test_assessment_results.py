"""Results: scores by section, category and group, suppression of small groups,
the spread of answers, the change since the previous round and the heatmap.

Scores are worked by hand from round_helpers.DEFINITION (every item 0–100):

- answers A: l1 4 → 75, l2 2 reversed → 75, so lead 75; t1 partly → 50; k1 5 → 100.
- answers B: l1 2 → 25, l2 4 reversed → 25, so lead 25; t1 no → 0; k1 3 → 50.
"""

from __future__ import annotations

import datetime
import re

from django.utils import timezone

from openqi.assessments import services
from openqi.assessments.services import MIN_RESPONSES
from tests.assessments.round_helpers import make_instrument, make_responses, make_round
from tests.base import BaseTestCase

A = {"l1": 4, "l2": 2, "t1": "partly", "k1": 5}
B = {"l1": 2, "l2": 4, "t1": "no", "k1": 3}


def cell_text(page: str, table_id: str, group: str, section: str) -> str:
    """The text of one heatmap cell, tags stripped."""
    table = page[page.index(f'id="{table_id}"') :]
    table = table[: table.index("</table>")]
    row = table[table.index(f'data-group="{group}"') :]
    row = row[: row.index("</tr>")]
    cell = row[row.index(f'data-section="{section}">') :]
    cell = cell[len(f'data-section="{section}">') : cell.index("</td>")]
    return " ".join(re.sub(r"<[^>]+>", " ", cell).split())


class ThresholdTests(BaseTestCase):
    def test_the_threshold_is_five(self) -> None:
        self.assertEqual(MIN_RESPONSES, 5)


class ResultsTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.instrument = make_instrument()
        cls.assessment_round = make_round(
            cls.org, cls.instrument, title="Spring pulse", status="closed"
        )
        make_responses(cls.assessment_round, A, 5, unit=cls.team, staff_group="nursing")
        make_responses(
            cls.assessment_round, B, 6, unit=cls.division, staff_group="medical"
        )
        cls.url = f"/organisations/northfield/assessments/rounds/{cls.assessment_round.pk}/results/"

    def test_section_and_category_scores_from_hand_made_responses(self) -> None:
        results = services.results_for(self.assessment_round)
        self.assertEqual(results.overall.n, 11)
        # lead: (5 × 75 + 6 × 25) / 11 = 47.7; time: (5 × 50 + 6 × 0) / 11 = 22.7;
        # team: (5 × 100 + 6 × 50) / 11 = 72.7; each rounded as shown.
        self.assertEqual(results.overall.cells["lead"].score, 48)
        self.assertEqual(results.overall.cells["time"].score, 23)
        self.assertEqual(results.overall.cells["team"].score, 73)
        self.assertEqual(results.overall.cells["time"].band.label, "Low")
        self.assertEqual(
            results.categories,
            [
                ("enabler:leadership", "Leadership and governance (enabler)"),
                ("barrier:timing", "Timing (barrier)"),
            ],
        )
        self.assertEqual(results.overall.categories["enabler:leadership"].score, 48)

    def test_heatmap_values_per_unit(self) -> None:
        self.sign_in(self.editor)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        team, division = str(self.team.pk), str(self.division.pk)
        self.assertEqual(cell_text(page, "heatmap-units", team, "lead"), "75 Strong")
        self.assertEqual(
            cell_text(page, "heatmap-units", team, "time"), "50 Developing"
        )
        self.assertEqual(cell_text(page, "heatmap-units", team, "team"), "100 Strong")
        self.assertEqual(cell_text(page, "heatmap-units", division, "lead"), "25 Low")
        self.assertEqual(cell_text(page, "heatmap-units", division, "time"), "0 Low")
        self.assertIn("openqi-heatmap__cell--tone-5", page)
        self.assertIn("openqi-heatmap__cell--tone-1", page)
        self.assertEqual(
            cell_text(page, "heatmap-staff-groups", "nursing", "lead"), "75 Strong"
        )
        self.assertIn("Scores by unit and section", page)

    def test_spread_of_answers_per_item(self) -> None:
        self.sign_in(self.viewer)
        page = self.client.get(self.url).content.decode()
        spread = page[page.index('data-item="l1"') :]
        spread = spread[: spread.index("</tr>")]
        self.assertIn("Agree: <strong>5</strong>", spread)
        self.assertIn("Disagree: <strong>6</strong>", spread)
        self.assertIn("Strongly agree: <strong>0</strong>", spread)

    def test_viewer_reads_but_gets_no_action_button(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("Suggested actions", page)
        self.assertNotIn("Add to the action plan", page)

    def test_outsider_gets_404(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_weakest_sections_below_the_middle_band_become_suggestions(self) -> None:
        results = services.results_for(self.assessment_round)
        # time (23) is Low; lead (48) is in the middle band; team (73) is Strong.
        self.assertEqual([s.section.key for s in results.suggestions], ["time"])
        suggestion = results.suggestions[0]
        self.assertEqual(suggestion.category, "leadership")
        self.assertEqual(suggestion.text, services.BARRIER_ACTIONS["timing"])
        self.sign_in(self.editor)
        page = self.client.get(self.url).content.decode()
        self.assertIn("Add to the action plan", page)
        self.assertIn('name="section" value="time"', page)

    def test_at_most_three_suggestions_lowest_first(self) -> None:
        weak = make_round(self.org, self.instrument, title="Weak", status="closed")
        make_responses(weak, {"l1": 1, "l2": 5, "t1": "no", "k1": 2}, 5)
        keys = [s.section.key for s in services.results_for(weak).suggestions]
        self.assertEqual(keys, ["lead", "time", "team"])


class SuppressionTests(BaseTestCase):
    """No score or spread for any group of fewer than five responses, and no way
    to work one out from a total."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.assessment_round = make_round(
            cls.org, title="Spring pulse", status="closed"
        )
        make_responses(cls.assessment_round, A, 5, unit=cls.team)
        make_responses(cls.assessment_round, B, 6, unit=cls.division)
        make_responses(cls.assessment_round, A, 3, unit=cls.directorate)
        cls.url = f"/organisations/northfield/assessments/rounds/{cls.assessment_round.pk}/results/"

    def test_a_small_unit_and_its_complement_are_suppressed(self) -> None:
        self.sign_in(self.editor)
        page = self.client.get(self.url).content.decode()
        for unit, reason in (
            # The directorate's 3 are too few; the team's 5 are hidden only so
            # that the directorate's cannot be worked out from the total.
            (self.directorate, "fewer than 5 responses"),
            (
                self.team,
                "hidden so that the group of fewer than 5 cannot be worked out",
            ),
        ):
            for section in ("lead", "time", "team"):
                self.assertEqual(
                    cell_text(page, "heatmap-units", str(unit.pk), section), reason
                )
        self.assertEqual(
            cell_text(page, "heatmap-units", str(self.division.pk), "lead"), "25 Low"
        )

    def test_suppressed_rows_carry_no_score(self) -> None:
        results = services.results_for(self.assessment_round)
        rows = {row.key: row for row in results.by_unit}
        for key in (str(self.directorate.pk), str(self.team.pk)):
            self.assertTrue(rows[key].is_suppressed)
            for cell in [*rows[key].cells.values(), *rows[key].categories.values()]:
                self.assertIsNone(cell.score)
                self.assertIsNone(cell.band)
                self.assertTrue(cell.is_suppressed)

    def test_a_group_hidden_only_to_protect_a_smaller_one_says_so(self) -> None:
        results = services.results_for(self.assessment_round)
        rows = {row.key: row for row in results.by_unit}
        small, complement = rows[str(self.directorate.pk)], rows[str(self.team.pk)]
        self.assertEqual(small.suppression, services.FEW_RESPONSES)
        self.assertFalse(small.is_complementary)
        self.assertEqual(complement.suppression, services.COMPLEMENTARY)
        self.assertTrue(complement.is_complementary)
        for cell in complement.cells.values():
            self.assertEqual(cell.suppression, services.COMPLEMENTARY)
            self.assertIsNone(cell.score)
        for cell in small.cells.values():
            self.assertEqual(cell.suppression, services.FEW_RESPONSES)
        self.assertEqual(rows[str(self.division.pk)].suppression, "")

    def test_a_column_hidden_to_protect_a_smaller_cell_says_so(self) -> None:
        sparse = make_round(self.org, title="Sparse", status="closed")
        skipped = {key: value for key, value in A.items() if key != "k1"}
        make_responses(sparse, A, 6, unit=self.team)
        make_responses(sparse, A, 3, unit=self.division)
        make_responses(sparse, skipped, 5, unit=self.division)
        self.sign_in(self.viewer)
        url = f"/organisations/northfield/assessments/rounds/{sparse.pk}/results/"
        page = self.client.get(url).content.decode()
        self.assertEqual(
            cell_text(page, "heatmap-units", str(self.division.pk), "team"),
            "fewer than 5 responses",
        )
        self.assertEqual(
            cell_text(page, "heatmap-units", str(self.team.pk), "team"),
            "hidden so that the group of fewer than 5 cannot be worked out",
        )
        self.assertEqual(
            cell_text(page, "heatmap-units", str(self.team.pk), "lead"), "75 Strong"
        )

    def test_the_total_and_shown_groups_cannot_give_away_a_hidden_one(self) -> None:
        results = services.results_for(self.assessment_round)
        shown = [row for row in results.by_unit if not row.is_suppressed]
        hidden = [row for row in results.by_unit if row.is_suppressed]
        self.assertNotEqual(len(hidden), 1)
        # Even knowing the total and every shown group, the hidden ones pool together.
        self.assertGreaterEqual(sum(row.n for row in hidden), MIN_RESPONSES)
        self.assertEqual(
            sum(row.n for row in shown) + sum(row.n for row in hidden),
            results.overall.n,
        )

    def test_a_section_few_answered_is_suppressed_in_that_column(self) -> None:
        sparse = make_round(self.org, title="Sparse", status="closed")
        skipped = {key: value for key, value in A.items() if key != "k1"}
        make_responses(sparse, A, 6, unit=self.team)
        make_responses(sparse, A, 3, unit=self.division)
        # Five in the division skip the teamwork question: 3 of its 8 score it.
        make_responses(sparse, skipped, 5, unit=self.division)
        units = {row.key: row for row in services.results_for(sparse).by_unit}
        team, division = units[str(self.team.pk)], units[str(self.division.pk)]
        self.assertFalse(division.is_suppressed)
        self.assertEqual(division.cells["lead"].score, 75)
        self.assertTrue(division.cells["team"].is_suppressed)
        self.assertIsNone(division.cells["team"].score)
        # The total of the column is shown, so the team's cell goes too.
        self.assertTrue(team.cells["team"].is_suppressed)
        self.assertEqual(team.cells["lead"].score, 75)

    def test_a_group_nesting_another_with_few_more_is_hidden(self) -> None:
        nested = make_round(self.org, title="Nested", status="closed")
        make_responses(nested, A, 5, unit=self.team, staff_group="nursing")
        make_responses(nested, B, 6, unit=self.division, staff_group="medical")
        make_responses(nested, A, 3, unit=self.directorate, staff_group="medical")
        results = services.results_for(nested)
        # Medical (9) less the division (6) would describe the directorate's 3:
        # the division, the smallest result that ends it, is hidden.
        units = {row.key: row for row in results.by_unit}
        staff = {row.key: row for row in results.by_staff_group}
        self.assertEqual(units[str(self.division.pk)].suppression, "complementary")
        # Medical lead: (6 × 25 + 3 × 75) / 9 = 41.7, shown as 42.
        self.assertEqual(staff["medical"].cells["lead"].score, 42)
        self.assertEqual(staff["nursing"].cells["lead"].score, 75)

    def test_a_round_of_fewer_than_five_shows_nothing(self) -> None:
        small = make_round(self.org, title="Small round", status="closed")
        make_responses(small, A, MIN_RESPONSES - 1, unit=self.team)
        self.sign_in(self.editor)
        url = f"/organisations/northfield/assessments/rounds/{small.pk}/results/"
        page = self.client.get(url).content.decode()
        self.assertIn("fewer than 5 responses", page)
        for hidden in ("Strong", "Developing", "<strong>75</strong>", "Agree: "):
            self.assertNotIn(hidden, page)
        results = services.results_for(small)
        self.assertTrue(results.overall.is_suppressed)
        self.assertEqual(results.suggestions, [])
        for spreads in results.spreads.values():
            for spread in spreads:
                self.assertTrue(spread.is_suppressed)
                self.assertEqual(spread.counts, [])

    def test_five_responses_are_shown(self) -> None:
        five = make_round(self.org, title="Five", status="closed")
        make_responses(five, A, MIN_RESPONSES, unit=self.team)
        results = services.results_for(five)
        self.assertEqual(results.overall.cells["lead"].score, 75)
        self.assertEqual(results.by_unit[0].cells["lead"].score, 75)


class ChangeSincePreviousRoundTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.instrument = make_instrument()
        now = timezone.now()
        cls.first = make_round(
            cls.org, cls.instrument, title="Autumn 2025", status="closed"
        )
        make_responses(cls.first, B, 5)
        cls.ignored_open = make_round(cls.org, cls.instrument, title="Winter test")
        make_responses(cls.ignored_open, A, 5)
        cls.other = make_round(
            cls.org,
            make_instrument(key="other"),
            title="Other instrument",
            status="closed",
        )
        make_responses(cls.other, A, 5)
        cls.current = make_round(
            cls.org, cls.instrument, title="Spring 2026", status="closed"
        )
        make_responses(cls.current, A, 5)
        for days, assessment_round in enumerate(
            [cls.first, cls.ignored_open, cls.other, cls.current]
        ):
            assessment_round.created_at = now - datetime.timedelta(days=30 - days)
            assessment_round.save()

    def test_change_is_against_the_previous_closed_round_of_the_instrument(
        self,
    ) -> None:
        results = services.results_for(self.current)
        self.assertEqual(results.previous, self.first)
        self.assertEqual(results.change, {"lead": 50, "time": 50, "team": 50})
        self.assertEqual(results.category_change["enabler:leadership"], 50)
        self.sign_in(self.viewer)
        url = f"/organisations/northfield/assessments/rounds/{self.current.pk}/results/"
        page = self.client.get(url).content.decode()
        self.assertIn("Since Autumn 2025", page)
        self.assertIn("up 50", page)

    def test_the_first_round_has_no_change(self) -> None:
        results = services.results_for(self.first)
        self.assertIsNone(results.previous)
        self.assertEqual(results.change, {})

    def test_no_change_is_shown_against_a_suppressed_round(self) -> None:
        thin = make_round(self.org, self.instrument, title="Thin", status="closed")
        make_responses(thin, B, 4)
        thin.created_at = timezone.now() - datetime.timedelta(days=28)
        thin.save()
        results = services.results_for(self.current)
        self.assertEqual(results.previous, thin)
        self.assertEqual(results.change, {"lead": None, "time": None, "team": None})

    def test_change_is_not_measured_against_a_round_over_other_units(self) -> None:
        ward = make_round(
            self.org,
            self.instrument,
            title="Ward only",
            status="closed",
            units=[self.team],
        )
        make_responses(ward, B, 5, unit=self.team)
        ward.created_at = timezone.now() - datetime.timedelta(days=27)
        ward.save()
        # The current round covers the whole organisation: Autumn 2025 did too.
        self.assertEqual(services.results_for(self.current).previous, self.first)
        # A later round of the ward alone compares only with the ward round.
        later = make_round(
            self.org,
            self.instrument,
            title="Ward again",
            units=[self.team],
            status="closed",
        )
        make_responses(later, A, 5, unit=self.team)
        results = services.results_for(later)
        self.assertEqual(results.previous, ward)
        self.assertEqual(results.change["lead"], 50)

    def test_with_no_comparable_round_the_page_says_so(self) -> None:
        directorate_round = make_round(
            self.org,
            self.instrument,
            title="Emergency care pulse",
            units=[self.directorate],
            status="closed",
        )
        make_responses(directorate_round, A, 5, unit=self.directorate)
        results = services.results_for(directorate_round)
        self.assertIsNone(results.previous)
        self.assertEqual(results.change, {})
        self.sign_in(self.viewer)
        url = f"/organisations/northfield/assessments/rounds/{directorate_round.pk}/results/"
        page = self.client.get(url).content.decode()
        self.assertIn("There is no comparable earlier round", page)
        self.assertNotIn("Since Autumn 2025", page)
        self.assertNotIn("data-change", page)

    def test_the_note_names_the_round_compared_against(self) -> None:
        self.sign_in(self.viewer)
        url = f"/organisations/northfield/assessments/rounds/{self.current.pk}/results/"
        page = self.client.get(url).content.decode()
        self.assertIn("of this instrument over the same units", page)
        self.assertNotIn("There is no comparable earlier round", page)


#: Lead scores 37.5 (l1 2 → 25, l2 3 reversed → 50) and 50 (l1 3, l2 3).
LEAD_37_5 = {"l1": 2, "l2": 3, "t1": "partly", "k1": 3}
LEAD_50 = {"l1": 3, "l2": 3, "t1": "partly", "k1": 3}


class ShownScoreBandTests(BaseTestCase):
    """A score's band is the band of the score as shown, so a score shown as 40
    is never in the band below 40 (round_helpers: Low 0–40, Developing 40–70)."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.assessment_round = make_round(cls.org, title="Boundary", status="closed")
        # Lead: (5 × 37.5 + 50) / 6 = 39.58…, shown as 40.
        make_responses(cls.assessment_round, LEAD_37_5, 5, unit=cls.team)
        make_responses(cls.assessment_round, LEAD_50, 1, unit=cls.team)
        cls.url = f"/organisations/northfield/assessments/rounds/{cls.assessment_round.pk}/results/"

    def test_a_score_shown_as_40_is_in_the_band_from_40(self) -> None:
        cell = services.results_for(self.assessment_round).overall.cells["lead"]
        self.assertEqual(cell.score, 40)
        self.assertEqual(cell.band.label, "Developing")

    def test_the_page_shows_the_score_with_its_own_band_everywhere(self) -> None:
        self.sign_in(self.viewer)
        page = self.client.get(self.url).content.decode()
        self.assertEqual(
            cell_text(page, "heatmap-units", str(self.team.pk), "lead"),
            "40 Developing",
        )
        row = page[page.index('data-section="lead"') :]
        row = row[: row.index("</tr>")]
        self.assertIn("<strong>40</strong>", row)
        self.assertIn("Developing", row)
        self.assertNotIn("Low", row)

    def test_a_score_shown_as_40_is_not_a_weak_area(self) -> None:
        suggestions = services.results_for(self.assessment_round).suggestions
        self.assertNotIn("lead", [s.section.key for s in suggestions])

    def test_halves_round_up_as_shown(self) -> None:
        from openqi.assessments.scoring import shown_score

        self.assertEqual(
            [shown_score(x) for x in (39.49, 39.5, 39.96, 40.5, 0.5, 100)],
            [39, 40, 40, 41, 1, 100],
        )
