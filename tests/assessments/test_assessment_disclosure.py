"""No published result gives away a group of fewer than five, however the
published numbers are added and taken away (the differencing attack).

The attack here is built independently of openqi.assessments.disclosure: from
the raw responses it writes every published number as a linear function of
the respondents' item scores (a mean times its count is a sum; a section score
is the mean of the items answered), then asks NumPy whether any combination of
the published numbers involves only the answers of fewer than five people:
rank(M) > rank(M without their columns), or, for one target, whether least
squares solves it exactly.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openqi.assessments import disclosure, scoring, services
from openqi.assessments.definition import parse_definition
from openqi.assessments.models import Response
from tests.assessments.round_helpers import DEFINITION, make_responses, make_round
from tests.base import BaseTestCase
from tests.factories import make_unit

K = services.MIN_RESPONSES
SPEC = parse_definition(DEFINITION)
BREAKDOWNS = {
    "unit": lambda r: str(r.unit_id or ""),
    "staff_group": lambda r: r.staff_group,
    "respondent_group": lambda r: r.respondent_group,
}

Coordinate = tuple[int, str]


def _column_weights(response: Response, kind: str, key: str) -> dict[str, float] | None:
    """The weight of each item score in this response's score for a section or
    category; None when it has no such score."""
    group = response.respondent_group
    sections = scoring.section_scores(SPEC, response.answers, group)
    scored = [
        s
        for s in SPEC.sections
        if sections[s.key] is not None
        and (s.key == key if kind == "section" else services.category_of(s) == key)
    ]
    if not scored:
        return None
    weights: dict[str, float] = {}
    for section in scored:
        answered = [
            item.key
            for item in section.items
            if item.is_asked_of(group)
            and scoring.item_score(SPEC, item.key, response.answers.get(item.key))
            is not None
        ]
        for item in answered:
            weights[item] = weights.get(item, 0.0) + 1 / len(answered) / len(scored)
    return weights


def published_functions(
    responses: list[Response],
    overall: Any,
    breakdowns: Mapping[str, Iterable[Any]],
    spreads: Mapping[str, list[Any]],
) -> list[dict[Coordinate, float]]:
    """Every number shown, as weights over (respondent, item) scores."""
    rows: list[tuple[Any, list[int]]] = [(overall, list(range(len(responses))))]
    for name, found in breakdowns.items():
        key_of = BREAKDOWNS[name]
        for row in found:
            members = [i for i, r in enumerate(responses) if key_of(r) == row.key]
            assert len(members) == row.n, (name, row.key)
            rows.append((row, members))
    functions = []
    for row, members in rows:
        for kind, cells in (("section", row.cells), ("category", row.categories)):
            for key, cell in cells.items():
                if cell.score is None:
                    continue
                function: dict[Coordinate, float] = {}
                for i in members:
                    for item, w in (
                        _column_weights(responses[i], kind, key) or {}
                    ).items():
                        function[(i, item)] = w
                assert len({i for i, _ in function}) == cell.n
                assert cell.n >= K
                functions.append(function)
    for item_spreads in spreads.values():
        for spread in item_spreads:
            if spread.is_suppressed or not spread.counts:
                continue
            functions.append(
                {
                    (i, spread.key): 1.0
                    for i, r in enumerate(responses)
                    if spread.key in r.answers
                    and SPEC.item(spread.key).is_asked_of(r.respondent_group)
                    and r.answers[spread.key] not in (None, "")
                }
            )
    return functions


def as_matrix(
    functions: list[dict[Coordinate, float]],
) -> tuple[np.ndarray, list[Coordinate]]:
    columns = sorted({c for f in functions for c in f})
    index = {c: j for j, c in enumerate(columns)}
    matrix = np.zeros((len(functions), len(columns)))
    for row, function in enumerate(functions):
        for coordinate, weight in function.items():
            matrix[row, index[coordinate]] = weight
    return matrix, columns


def small_groups_exposed(
    functions: list[dict[Coordinate, float]], people: int
) -> list[tuple[int, ...]]:
    """Every set of fewer than K respondents about whom some combination of the
    published numbers says something (checked on the largest such sets: if a
    set is exposed, so is every set holding it)."""
    if not functions:
        return []
    matrix, columns = as_matrix(functions)
    full = np.linalg.matrix_rank(matrix)
    owner = np.array([i for i, _ in columns])
    exposed = []
    for group in itertools.combinations(range(people), min(K - 1, people)):
        outside = ~np.isin(owner, group)
        if np.linalg.matrix_rank(matrix[:, outside]) < full:
            exposed.append(group)
    return exposed


def solves_exactly(
    functions: list[dict[Coordinate, float]], target: dict[Coordinate, float]
) -> tuple[bool, np.ndarray]:
    """Whether a combination of the published numbers equals ``target`` (least
    squares with no residual), and the combination."""
    matrix, columns = as_matrix(functions)
    index = {c: j for j, c in enumerate(columns)}
    wanted = np.zeros(len(columns))
    for coordinate, weight in target.items():
        if coordinate not in index:
            return False, np.zeros(len(functions))
        wanted[index[coordinate]] = weight
    combination, *_ = np.linalg.lstsq(matrix.T, wanted, rcond=None)
    return bool(np.allclose(matrix.T @ combination, wanted, atol=1e-9)), combination


#: Leadership answers scoring 75, 25 and 50: l1 4, l2 2 reversed; l1 2, l2 4; l1 3, l2 3.
HIGH = {"l1": 4, "l2": 2, "t1": "partly", "k1": 5}
LOW = {"l1": 2, "l2": 4, "t1": "no", "k1": 3}
LONE = {"l1": 1, "l2": 5, "t1": "yes", "k1": 1}


class NorthSouthExampleTests(BaseTestCase):
    """The probe's example: North has 5 nursing, 5 medical and 1 AHP response,
    South 5 AHP and 5 admin. North less nursing less medical is the lone AHP."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.north = make_unit(cls.org, name="North")
        cls.south = make_unit(cls.org, name="South")
        cls.assessment_round = make_round(
            cls.org, title="Staff survey", status="closed"
        )
        for unit, staff_group, count, answers in (
            (cls.north, "nursing", 5, HIGH),
            (cls.north, "medical", 5, LOW),
            (cls.north, "ahp", 1, LONE),
            (cls.south, "ahp", 5, HIGH),
            (cls.south, "admin", 5, LOW),
        ):
            make_responses(
                cls.assessment_round,
                answers,
                count,
                unit=unit,
                staff_group=staff_group,
            )
        cls.responses = list(cls.assessment_round.responses.order_by("pk"))
        cls.lone = next(
            i
            for i, r in enumerate(cls.responses)
            if r.unit_id == cls.north.pk and r.staff_group == "ahp"
        )

    def functions(self) -> list[dict[Coordinate, float]]:
        results = services.results_for(self.assessment_round)
        return published_functions(
            self.responses,
            results.overall,
            {
                "unit": results.by_unit,
                "staff_group": results.by_staff_group,
                "respondent_group": results.by_respondent_group,
            },
            results.spreads,
        )

    def test_the_attack_works_when_only_small_groups_are_hidden(self) -> None:
        # Publish every group of five or more, as before: the lone AHP's
        # leadership score (l1 1 → 0, l2 5 reversed → 0) falls out.
        lead = {"l1": 0.5, "l2": 0.5}
        functions = []
        for members in (
            range(21),  # all
            range(11),  # North
            range(11, 21),  # South
            range(5),  # nursing
            range(5, 10),  # medical
            [10, *range(11, 16)],  # AHP (6)
            range(16, 21),  # admin
        ):
            functions.append(
                {
                    (self.lone if i == 10 else i, item): w
                    for i in members
                    for item, w in lead.items()
                }
            )
        target = {(self.lone, item): w for item, w in lead.items()}
        is_solved, _ = solves_exactly(functions, target)
        self.assertTrue(is_solved)
        self.assertTrue(small_groups_exposed(functions, 21))

    def test_no_published_number_gives_the_lone_ahp_away(self) -> None:
        functions = self.functions()
        self.assertEqual(small_groups_exposed(functions, len(self.responses)), [])
        for items in (["l1", "l2"], ["l1"], ["l2"], ["t1"], ["k1"]):
            target = {(self.lone, item): 1.0 for item in items}
            self.assertFalse(solves_exactly(functions, target)[0], items)

    def test_the_smallest_groups_that_end_the_attack_are_hidden_and_say_so(
        self,
    ) -> None:
        results = services.results_for(self.assessment_round)
        staff = {row.key: row for row in results.by_staff_group}
        units = {row.key: row for row in results.by_unit}
        hidden = {
            key
            for key, row in [*staff.items(), *units.items()]
            if row.cells["lead"].is_suppressed
        }
        self.assertTrue(hidden)
        for key in hidden:
            row = staff.get(key) or units[key]
            self.assertEqual(row.cells["lead"].suppression, services.COMPLEMENTARY)
            self.assertIsNone(row.cells["lead"].score)
        self.assertFalse(results.overall.is_suppressed)
        self.assertEqual(results.overall.cells["lead"].n, 21)

    def test_the_page_and_the_api_show_only_what_passed(self) -> None:
        self.sign_in(self.viewer)
        url = (
            f"/organisations/northfield/assessments/rounds/"
            f"{self.assessment_round.pk}/results/"
        )
        page = self.client.get(url).content.decode()
        self.assertIn(
            "hidden so that the group of fewer than 5 cannot be worked out", page
        )
        api = self.client.get(
            f"/api/v1/organisations/northfield/rounds/{self.assessment_round.pk}/results"
        )
        self.assertEqual(api.status_code, 200)
        body = api.json()
        shown = [
            (row["key"], key)
            for name in ("by_unit", "by_staff_group", "by_respondent_group")
            for row in body[name]
            for key, cell in row["sections"].items()
            if cell["score"] is not None
        ]
        results = services.results_for(self.assessment_round)
        expected = [
            (row.key, key)
            for rows in (
                results.by_unit,
                results.by_staff_group,
                results.by_respondent_group,
            )
            for row in rows
            for key, cell in row.cells.items()
            if cell.score is not None
        ]
        self.assertEqual(shown, expected)


class OpenRoundTests(BaseTestCase):
    def test_an_open_round_shows_no_results_and_says_when_it_will(self) -> None:
        open_round = make_round(self.org, title="Spring pulse")
        make_responses(open_round, HIGH, 12, unit=self.team)
        self.sign_in(self.editor)
        url = f"/organisations/northfield/assessments/rounds/{open_round.pk}/results/"
        before = self.client.get(url).content.decode()
        self.assertIn("The results will be available when the round closes.", before)
        self.assertIn("12 responses so far", before)
        for score in ("<strong>75</strong>", "Strong", "Agree: "):
            self.assertNotIn(score, before)
        with self.assertRaises(services.ResultsNotAvailable):
            services.results_for(open_round)

    def test_a_draft_round_says_it_has_not_opened(self) -> None:
        draft = make_round(self.org, title="Autumn pulse", status="draft")
        self.sign_in(self.viewer)
        url = f"/organisations/northfield/assessments/rounds/{draft.pk}/results/"
        page = self.client.get(url).content.decode()
        self.assertIn("has not opened yet", page)
        self.assertIn("available when the round closes", page)

    def test_the_round_page_offers_results_only_once_closed(self) -> None:
        open_round = make_round(self.org, title="Spring pulse")
        closed = make_round(self.org, title="Winter pulse", status="closed")
        self.sign_in(self.viewer)
        base = "/organisations/northfield/assessments/rounds"
        self.assertNotIn(
            "See the results",
            self.client.get(f"{base}/{open_round.pk}/").content.decode(),
        )
        self.assertIn(
            "See the results", self.client.get(f"{base}/{closed.pk}/").content.decode()
        )


class DisclosureCheckTests(BaseTestCase):
    """openqi.assessments.disclosure on hand-made tables of one variable."""

    @staticmethod
    def cell(key: str, members: Iterable[int], tier: int = 0) -> disclosure.Published:
        return disclosure.Published(key, {(i, "x"): 1.0 for i in members}, tier)

    def test_a_total_less_the_other_groups_is_a_disclosure(self) -> None:
        cells = [self.cell("all", range(9), 2), self.cell("a", range(6))]
        self.assertEqual(disclosure.disclosed_group(cells, K), frozenset(range(6, 9)))
        self.assertEqual(disclosure.secondary_suppression(cells, K), {"a"})

    def test_two_small_groups_pooling_five_or_more_are_not_a_disclosure(self) -> None:
        cells = [self.cell("all", range(16), 2), self.cell("a", range(10))]
        self.assertIsNone(disclosure.disclosed_group(cells, K))
        self.assertEqual(disclosure.secondary_suppression(cells, K), set())

    def test_the_same_number_published_twice_is_hidden_everywhere(self) -> None:
        cells = [
            self.cell("all", range(9), 2),
            self.cell("unit not given", range(9)),
            self.cell("a", range(6)),
            self.cell("staff group a", range(6)),
        ]
        self.assertEqual(
            disclosure.secondary_suppression(cells, K), {"a", "staff group a"}
        )

    def test_a_difference_across_three_breakdowns_is_found(self) -> None:
        # North (0–10) less nursing (0–4) less medical (5–9) is person 10.
        cells = [
            self.cell("all", range(21), 2),
            self.cell("north", range(11)),
            self.cell("south", range(11, 21)),
            self.cell("nursing", range(5)),
            self.cell("medical", range(5, 10)),
            self.cell("ahp", [10, *range(11, 16)]),
            self.cell("admin", range(16, 21)),
        ]
        self.assertEqual(disclosure.disclosed_group(cells, K), frozenset({10}))
        hidden = disclosure.secondary_suppression(cells, K)
        self.assertNotIn("all", hidden)
        shown = [c for c in cells if c.key not in hidden]
        self.assertIsNone(disclosure.disclosed_group(shown, K))


ANSWERS = {
    "l1": st.sampled_from([None, 1, 2, 3, 4, 5]),
    "l2": st.sampled_from([None, 1, 2, 3, 4, 5]),
    "t1": st.sampled_from([None, "yes", "partly", "no"]),
    "k1": st.sampled_from([None, 1, 3, 5]),
}


def _response(fields: dict[str, Any]) -> Response:
    answers = {k: v for k, v in fields["answers"].items() if v is not None}
    return Response(
        unit_id=fields["unit"],
        staff_group=fields["staff_group"],
        respondent_group=fields["respondent_group"],
        answers=answers,
    )


RESPONSE = st.fixed_dictionaries(
    {
        "unit": st.sampled_from([None, 1, 2, 3]),
        "staff_group": st.sampled_from(["", "nursing", "medical", "ahp"]),
        "respondent_group": st.sampled_from(["staff", "staff", "board"]),
        "answers": st.fixed_dictionaries(ANSWERS),
    }
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(RESPONSE, min_size=1, max_size=15))
def test_no_random_round_gives_a_small_group_away(drawn: list[dict[str, Any]]) -> None:
    """Random units, staff groups, respondent groups and skipped answers: no
    database needed, the published tables are built from unsaved responses."""
    responses = [_response(fields) for fields in drawn]
    tables = services.published_tables(SPEC, responses)
    functions = published_functions(
        responses,
        tables.overall,
        {name: rows.values() for name, rows in tables.breakdowns.items()},
        tables.spreads,
    )
    assert small_groups_exposed(functions, len(responses)) == []
