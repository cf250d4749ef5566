"""OpenQI's scoring of a sustainability check, on a worked example by hand."""

from __future__ import annotations

import pytest

from openqi.sustainability.builtin import FACTOR_KEYS, FACTORS, GROUPS
from openqi.sustainability.scoring import check_score

# Three people rate the ten factors (in the order of FACTORS).
A = [5, 4, 3, 2, 1, 5, 4, 3, 2, 1]
B = [4, 4, 3, 3, 2, 5, 5, 3, 1, 1]
C = [3, 5, 4, 2, 2, 4, 5, 2, 1, 2]


def _by_factor(*people: list[int]) -> dict[str, list[int]]:
    return {key: [p[i] for p in people] for i, key in enumerate(FACTOR_KEYS)}


def test_ten_factors_in_three_groups_each_with_question_hint_and_action() -> None:
    assert len(FACTORS) == 10
    assert [sum(f.group == g for f in FACTORS) for g in GROUPS] == [4, 4, 2]
    assert all(f.question.endswith("?") and f.hint and f.action for f in FACTORS)


def test_worked_example_scores_fifty_out_of_a_hundred() -> None:
    # Medians by hand: 4 4 3 2 2 5 5 3 1 1; (median − 1) / 4 sums to
    # (3+3+2+1+1+4+4+2+0+0) / 4 = 5 over ten factors, a mean of 0.5: 50 out of 100.
    result = check_score(_by_factor(A, B, C), raters=3)
    assert [f.median for f in result.factors] == [4, 4, 3, 2, 2, 5, 5, 3, 1, 1]
    assert result.score == 50.0
    assert result.raters == 3


def test_spread_is_the_range_of_ratings() -> None:
    result = check_score(_by_factor(A, B, C))
    benefits = result.factors[0]
    assert (benefits.lowest, benefits.highest, benefits.spread) == (3, 5, 2)
    assert [f.spread for f in result.factors] == [2, 1, 1, 1, 1, 1, 1, 1, 1, 1]
    assert check_score({"fit": [3, 3]}).factors[8].spread == 0


def test_median_of_an_even_number_of_ratings_is_the_midpoint() -> None:
    assert check_score({"fit": [2, 5]}).factors[8].median == 3.5


def test_weakest_are_the_lowest_medians_then_the_lowest_rating() -> None:
    # fit and infrastructure have median 1; of the two with median 2,
    # involvement (ratings 1, 2, 2) is weaker than monitoring (2, 3, 2).
    weakest = check_score(_by_factor(A, B, C)).weakest
    assert [f.key for f in weakest] == ["fit", "infrastructure", "involvement"]


def test_all_top_ratings_score_a_hundred_with_no_weakest() -> None:
    result = check_score(_by_factor([5] * 10))
    assert result.score == 100.0
    assert result.weakest == ()
    assert check_score(_by_factor([1] * 10)).score == 0.0


def test_unrated_factors_leave_the_score_to_those_rated() -> None:
    result = check_score({"benefits": [3]})
    assert result.score == 50.0
    assert result.factors[1].median is None
    assert check_score({}).score is None


def test_rating_off_the_scale_is_refused_with_the_factor_named() -> None:
    with pytest.raises(
        ValueError, match="Credible evidence must be from 1 to 5; got 6"
    ):
        check_score({"evidence": [6]})
