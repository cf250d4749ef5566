"""The one checker of a series' rows: the same refusals, in the same words, everywhere.

The command line, the web import, the API and the chart functions all use
:mod:`openqi.spc.inputs`; the messages read "row N, field: what is wrong; the fix".
"""

from __future__ import annotations

import math

import pytest

from openqi.spc.inputs import (
    CHART_KINDS,
    KINDS,
    Problem,
    RowError,
    check_series,
    parse_number,
    value_problems,
)


def test_every_chart_has_a_known_kind() -> None:
    assert set(CHART_KINDS.values()) <= set(KINDS)


@pytest.mark.parametrize(
    ("kind", "value", "denominator", "field", "words"),
    [
        ("count", -1, None, "value", "-1 is below zero; a count cannot be negative"),
        ("cases_between", -2, None, "value", "a count cannot be negative"),
        ("time_between", 0, None, "value", "0 is not above zero; a time between"),
        ("rate", -1, 10, "value", "a count cannot be negative"),
        ("proportion", 3, 0, "denominator", "0 is not above zero; a denominator must"),
        ("rate", 3, -5, "denominator", "-5 is not above zero"),
        ("rate", 3, None, "denominator", "empty but value is 3; give the denominator"),
        ("proportion", 12, 10, "value", "12 is more than its denominator 10"),
    ],
)
def test_each_problem_names_its_field_what_is_wrong_and_the_fix(
    kind: str, value: float, denominator: float | None, field: str, words: str
) -> None:
    problems = value_problems(kind, value, denominator)
    assert len(problems) == 1
    assert problems[0].field == field
    assert words in problems[0].message
    assert ";" in problems[0].message  # what is wrong; the fix


@pytest.mark.parametrize(
    ("kind", "value", "denominator"),
    [
        ("continuous", -3, None),
        ("count", 0, None),
        ("rate", 12, 10),
        ("proportion", 10, 10),
        ("proportion", None, None),  # a missing period
        ("proportion", math.nan, math.nan),
        ("count", None, None),
    ],
)
def test_good_and_missing_rows_have_no_problem(
    kind: str, value: float | None, denominator: float | None
) -> None:
    assert value_problems(kind, value, denominator) == []


def test_a_required_row_refuses_empty_cells() -> None:
    problems = value_problems("rate", None, None, required=True)
    assert [p.field for p in problems] == ["value", "denominator"]
    assert all(p.message.startswith("empty;") for p in problems)


def test_fields_take_the_callers_names() -> None:
    (problem,) = value_problems(
        "proportion", 12, 10, value_field="breaches", denominator_field="attendances"
    )
    assert problem == Problem("breaches", problem.message)
    assert "more than its attendances 10" in problem.message


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="kind must be one of"):
        value_problems("ratio", 1, 1)


def test_check_series_raises_for_the_first_bad_row_with_row_and_field() -> None:
    with pytest.raises(RowError) as caught:
        check_series("proportion", [1, 2, 12, -1], [10, 10, 10, 10], rows=[2, 3, 4, 5])
    error = caught.value
    assert (error.row, error.field) == (4, "value")
    assert str(error).startswith("row 4, value: 12 is more than its denominator 10;")
    assert error.problem == Problem(error.field, error.message)


def test_check_series_takes_a_label_for_the_row() -> None:
    with pytest.raises(RowError, match=r"^row 7 \(period 2024-02\), denominator: 0"):
        check_series(
            "rate",
            [1.0, 2.0],
            [5.0, 0.0],
            label=lambda i: f"row {i + 6} (period 2024-02)",
        )


def test_check_series_passes_good_series_and_missing_values() -> None:
    check_series("proportion", [1, None, 3], [10, None, 10])
    check_series("continuous", [-5.0, 0.0, math.nan])
    check_series("time_between", [0.5, 2.0])


def test_check_series_refuses_a_denominator_for_every_value() -> None:
    with pytest.raises(ValueError, match="one for one"):
        check_series("rate", [1, 2], [3])


def test_numbers_and_their_fixes() -> None:
    assert parse_number(" 12 ") == 12.0
    assert parse_number("") is None
    with pytest.raises(ValueError, match="thousands separators"):
        parse_number("1,234")
    with pytest.raises(ValueError, match="use percentages"):
        parse_number("95%", percent_fix="use percentages")
    for text in ("twelve", "nan", "inf", "1_000"):
        with pytest.raises(
            ValueError, match=f'"{text}" is not a number; give a number'
        ):
            parse_number(text)
