"""The import's pure functions: periods, numbers, columns, row checks and the diff."""

from __future__ import annotations

import datetime

import pytest

from openqi.measures.importing import (
    Row,
    check_rows,
    classify,
    match_columns,
    missing_columns,
    next_period,
    parse_number,
    parse_period,
    period_start,
    period_words,
    value_problems,
)

D = datetime.date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-01", D(2024, 3, 1)),
        ("2024-03-15 00:00:00", D(2024, 3, 15)),
        ("2024-03", D(2024, 3, 1)),
        ("01/03/2024", D(2024, 3, 1)),
        ("1/3/24", D(2024, 3, 1)),
        ("15-03-2024", D(2024, 3, 15)),
        ("Mar 2024", D(2024, 3, 1)),
        ("March 2024", D(2024, 3, 1)),
        ("mar-24", D(2024, 3, 1)),
        ("1 March 2024", D(2024, 3, 1)),
        ("01-Mar-2024", D(2024, 3, 1)),
        ("Sept 2024", D(2024, 9, 1)),
        ("2024 Q2", D(2024, 4, 1)),
        ("Q4 2023", D(2023, 10, 1)),
    ],
)
def test_periods_are_read_in_iso_day_first_and_month_name_forms(text, expected):
    assert parse_period(text) == expected


@pytest.mark.parametrize(
    ("cell", "words"),
    [
        ("", "the period is empty"),
        (None, "the period is empty"),
        ("next week", "is not a date we can read"),
        ("31/02/2024", "is not a real date"),
        ("03/15/2024", "read day first"),
        (45352.0, "the number 45352, not a date"),
    ],
)
def test_bad_periods_say_how_to_write_them(cell, words):
    with pytest.raises(ValueError, match=words) as error:
        parse_period(cell)
    assert "2024" in str(error.value) or "check the day" in str(error.value)


def test_period_start_for_each_frequency():
    day = D(2024, 5, 16)  # a Thursday
    assert period_start(day, "daily") == day
    assert period_start(day, "weekly") == D(2024, 5, 13)
    assert period_start(day, "monthly") == D(2024, 5, 1)
    assert period_start(day, "quarterly") == D(2024, 4, 1)


@pytest.mark.parametrize(
    ("latest", "frequency", "expected"),
    [
        (D(2024, 2, 28), "daily", D(2024, 2, 29)),
        (D(2024, 12, 31), "daily", D(2025, 1, 1)),
        (D(2024, 5, 13), "weekly", D(2024, 5, 20)),
        (D(2024, 12, 30), "weekly", D(2025, 1, 6)),
        (D(2024, 5, 1), "monthly", D(2024, 6, 1)),
        (D(2024, 12, 1), "monthly", D(2025, 1, 1)),
        (D(2024, 4, 1), "quarterly", D(2024, 7, 1)),
        (D(2024, 10, 1), "quarterly", D(2025, 1, 1)),
    ],
)
def test_next_period_for_each_frequency(latest, frequency, expected):
    assert next_period(latest, frequency) == expected


def test_next_week_starts_on_a_monday_even_from_a_midweek_date():
    assert next_period(D(2024, 5, 16), "weekly") == D(2024, 5, 20)
    assert next_period(D(2024, 5, 16), "weekly").weekday() == 0


def test_period_words():
    assert period_words(D(2024, 3, 1), "monthly") == "March 2024"
    assert period_words(D(2024, 3, 4), "weekly") == "week of 4 March 2024"
    assert period_words(D(2024, 1, 1), "quarterly") == "January to March 2024"
    assert period_words(D(2024, 3, 4), "daily") == "4 March 2024"


def test_numbers_and_their_fixes():
    assert parse_number("12") == 12.0
    assert parse_number(" 3.5 ") == 3.5
    assert parse_number(7.0) == 7.0
    assert parse_number("") is None
    assert parse_number(None) is None
    with pytest.raises(ValueError, match="thousands separators"):
        parse_number("1,234")
    with pytest.raises(ValueError, match="% sign"):
        parse_number("95%")
    with pytest.raises(ValueError, match="give a number"):
        parse_number("twelve")
    with pytest.raises(ValueError, match="give a number"):
        parse_number("nan")


def test_columns_are_matched_without_regard_to_case():
    mapping = match_columns(["Period", "VALUE", "Denominator", "Notes"])
    assert mapping == {
        "period": "Period",
        "value": "VALUE",
        "denominator": "Denominator",
    }
    assert missing_columns(mapping, has_denominator=True) == []


def test_columns_with_other_names_are_missing():
    mapping = match_columns(["When", "Attendances"])
    assert missing_columns(mapping, has_denominator=False) == ["period", "value"]
    assert missing_columns(match_columns(["month", "count"]), has_denominator=True) == [
        "denominator"
    ]


def test_value_problems():
    assert value_problems("count", 3, None) == []
    assert value_problems("continuous", -3, None) == []
    assert value_problems("count", -1, None)[0][0] == "value"
    assert value_problems("time_between", 0, None)[0][0] == "value"
    assert value_problems("proportion", None, None) == []
    assert "0 is not above zero" in value_problems("proportion", 3, 0)[0][1]
    assert "empty" in value_problems("rate", 3, None)[0][1]
    assert "more than its denominator" in value_problems("proportion", 12, 10)[0][1]
    assert value_problems("rate", 12, 10) == []


def check(records, kind="count", frequency="monthly"):
    return check_rows(records, kind=kind, frequency=frequency)


def test_good_rows_come_back_at_the_start_of_their_period():
    checked = check([(2, "15/03/2024", "12", None), (3, "Apr 2024", 14.0, None)])
    assert checked.errors == ()
    assert checked.rows == (
        Row(2, D(2024, 3, 1), 12.0, None),
        Row(3, D(2024, 4, 1), 14.0, None),
    )


def test_every_bad_row_gets_an_error_and_none_is_dropped():
    records = [
        (2, "2024-01-01", "12", None),
        (3, "2024-02-01", "twelve", None),
        (4, "garbage", "3", None),
        (5, "2024-01-20", "4", None),
        (6, "2024-05-01", "", None),
    ]
    checked = check(records)
    assert [r.number for r in checked.rows] == [2, 6]
    assert [(e.number, e.column) for e in checked.errors] == [
        (3, "value"),
        (4, "period"),
        (5, "period"),
    ]
    assert "also on row 2" in checked.errors[2].message
    assert checked.rows[1].value is None  # an empty value is a missing period
    good = {r.number for r in checked.rows}
    bad = {e.number for e in checked.errors}
    assert good | bad == {n for n, *_ in records} and not good & bad


def test_denominator_zero_is_an_error_for_a_proportion():
    checked = check([(2, "2024-01-01", "3", "0")], kind="proportion")
    assert checked.rows == ()
    assert checked.errors[0].column == "denominator"
    assert "above zero" in checked.errors[0].message


def test_duplicates_are_found_across_chunks():
    first = check([(2, "2024-01-01", "1", None)])
    second = check_rows(
        [(3, "Jan 2024", "2", None)],
        kind="count",
        frequency="monthly",
        seen=first.periods,
    )
    assert second.errors[0].number == 3
    assert "also on row 2" in second.errors[0].message


def test_classify_new_changed_unchanged():
    rows = [
        Row(2, D(2024, 1, 1), 5.0, None),
        Row(3, D(2024, 2, 1), 6.0, None),
        Row(4, D(2024, 3, 1), 7.0, None),
    ]
    existing = {D(2024, 1, 1): (5.0, None), D(2024, 2, 1): (4.0, None)}
    changes = classify(rows, existing)
    assert [c.status for c in changes] == ["unchanged", "changed", "new"]
    assert changes[1].old_value == 4.0
