"""Checking a file of data points before it is saved: columns, periods, numbers.

Pure functions over plain cells, with no database: the file is read by
:func:`openqi.tabular.read_table` (CSV or .xlsx), these functions check every
row and say what is wrong with it and how to mend it, and
``imports.commit_import`` saves the result. Row numbers are the ones a
spreadsheet shows (the header is row 1).

Periods are stored as the first day of their period (the day, the Monday of the
week, the 1st of the month or of the quarter), so any day inside a period may be
given: 2024-03-15 in a monthly measure is March 2024.
"""

from __future__ import annotations

import calendar
import datetime
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from openqi.spc import inputs
from openqi.tabular import UncalculatedFormula

__all__ = [
    "COLUMNS",
    "EARLIEST_YEAR",
    "LATEST_YEAR",
    "MAX_MAGNITUDE",
    "Change",
    "CheckedRows",
    "Row",
    "RowError",
    "check_rows",
    "classify",
    "future_problem",
    "match_columns",
    "missing_columns",
    "next_period",
    "parse_number",
    "parse_period",
    "period_start",
    "period_words",
    "value_problems",
]

#: One cell as read from a file: text, a number (Excel keeps its numbers), None,
#: or an Excel formula whose result was never saved.
Cell = str | float | None | UncalculatedFormula

#: The largest size of a value or denominator (a thousand million million): far
#: beyond any count or measurement in healthcare, and well inside the range a
#: float holds exactly enough to chart; anything larger is a mistake in the file.
MAX_MAGNITUDE = 1e15
#: The years a period may fall in: anything outside is a mistyped year.
EARLIEST_YEAR = 1800
LATEST_YEAR = 2199

#: The columns an import understands, and the header names taken for each
#: (compared without regard to case).
COLUMNS: dict[str, tuple[str, ...]] = {
    "period": ("period", "date", "month", "week", "day", "quarter"),
    "value": ("value", "numerator", "count"),
    "denominator": ("denominator",),
}


_MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
}
_MONTHS["sept"] = 9
_ISO = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_ISO_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})")
_NAMED_MONTH = re.compile(
    r"(?:(\d{1,2})(?:st|nd|rd|th)?[\s-]+)?([A-Za-z]+)\.?[\s,-]+(\d{4}|\d{2})"
)
_QUARTER = re.compile(r"(?:(\d{4})[\s-]*Q([1-4])|Q([1-4])[\s-]*(\d{4}))", re.IGNORECASE)
_DATE_FIX = "write it as 2024-03-01, 01/03/2024 or Mar 2024"
_PERCENT_FIX = (
    "write it without the % sign (the measure's multiplier makes percentages)"
)


@dataclass(frozen=True)
class Row:
    """One good row: its number in the file, the period's first day and the numbers."""

    number: int
    period: datetime.date
    value: float | None
    denominator: float | None


@dataclass(frozen=True)
class RowError:
    """What is wrong with one row (``column`` is "period", "value", "denominator" or "")."""

    number: int
    column: str
    message: str


@dataclass(frozen=True)
class CheckedRows:
    """The outcome of checking some rows: the good ones, the errors, and the
    periods seen (good rows or not), which the next chunk needs to spot duplicates."""

    rows: tuple[Row, ...]
    errors: tuple[RowError, ...]
    periods: dict[datetime.date, int]


@dataclass(frozen=True)
class Change:
    """What an import does to one period: ``new``, ``changed`` (from the old
    numbers) or ``unchanged``."""

    row: Row
    status: str
    old_value: float | None = None
    old_denominator: float | None = None


# ---------------------------------------------------------------------------
# Periods


def period_start(day: datetime.date, frequency: str) -> datetime.date:
    """The first day of the period holding ``day``: itself, its Monday, the 1st of
    its month or of its quarter."""
    if frequency == "daily":
        return day
    if frequency == "weekly":
        return day - datetime.timedelta(days=day.weekday())
    if frequency == "monthly":
        return day.replace(day=1)
    if frequency == "quarterly":
        return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    raise ValueError(f"unknown frequency {frequency!r}")


def future_problem(
    period: datetime.date, frequency: str, today: datetime.date
) -> str | None:
    """Why ``period`` cannot have data yet, or None when it can.

    The current period is the one holding ``today`` (its day, week, month or
    quarter); a period after it has not happened, and a typo such as 2030 for
    2023 would otherwise widen the limits without anyone noticing.
    """
    current = period_start(today, frequency)
    if period_start(period, frequency) <= current:
        return None
    return (
        f"{period_words(period_start(period, frequency), frequency)} has not happened "
        f"yet: the latest period that can have data is the current one, "
        f"{period_words(current, frequency)}; check the year"
    )


def next_period(period: datetime.date, frequency: str) -> datetime.date:
    """The first day of the period after the one holding ``period``."""
    start = period_start(period, frequency)
    if frequency == "daily":
        return start + datetime.timedelta(days=1)
    if frequency == "weekly":
        return start + datetime.timedelta(days=7)
    months = 1 if frequency == "monthly" else 3
    month = start.month - 1 + months
    return datetime.date(start.year + month // 12, month % 12 + 1, 1)


def period_words(period: datetime.date, frequency: str) -> str:
    """How a period reads on the page: "4 March 2024", "week of 4 March 2024",
    "March 2024" or "January to March 2024"."""
    day = f"{period.day} {calendar.month_name[period.month]} {period.year}"
    if frequency == "weekly":
        return f"week of {day}"
    if frequency == "monthly":
        return f"{calendar.month_name[period.month]} {period.year}"
    if frequency == "quarterly":
        last = calendar.month_name[min(period.month + 2, 12)]
        return f"{calendar.month_name[period.month]} to {last} {period.year}"
    return day


def period_phrase(period: datetime.date, frequency: str) -> str:
    """The period with the preposition it takes in a sentence: "on 4 March 2024",
    "in the week of 4 March 2024", "in March 2024", "in January to March 2024"."""
    words = period_words(period, frequency)
    if frequency == "daily":
        return f"on {words}"
    if frequency == "weekly":
        return f"in the {words}"
    return f"in {words}"


def _year(text: str) -> int:
    return int(text) + 2000 if len(text) == 2 else int(text)


def parse_period(cell: Cell) -> datetime.date:
    """A date from a cell: ISO (2024-03-01, 2024-03), day first (01/03/2024),
    a month name (Mar 2024, 1 March 2024) or a quarter (2024 Q1).

    A month or quarter gives its first day. Raises ``ValueError`` with a message
    that says how to write it.
    """
    if isinstance(cell, UncalculatedFormula):
        raise ValueError(f"the period {cell.problem()}")
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        raise ValueError(f"the period is empty; {_DATE_FIX}")
    if isinstance(cell, float):
        raise ValueError(
            f"the period is the number {_number_text(cell)}, not a date; {_DATE_FIX}"
        )
    text = cell.strip()
    parts: tuple[int, int, int] | None = None
    if match := _ISO.fullmatch(text):
        parts = (int(match[1]), int(match[2]), int(match[3]))
    elif match := _ISO_MONTH.fullmatch(text):
        parts = (int(match[1]), int(match[2]), 1)
    elif match := _DAY_FIRST.fullmatch(text):
        parts = (_year(match[3]), int(match[2]), int(match[1]))
    elif match := _QUARTER.fullmatch(text):
        year, quarter = (match[1], match[2]) if match[1] else (match[4], match[3])
        parts = (int(year), 3 * (int(quarter) - 1) + 1, 1)
    elif (match := _NAMED_MONTH.fullmatch(text)) and match[2].lower() in _MONTHS:
        parts = (_year(match[3]), _MONTHS[match[2].lower()], int(match[1] or 1))
    if parts is None:
        raise ValueError(f'"{text}" is not a date we can read; {_DATE_FIX}')
    year, month, day = parts
    try:
        date = datetime.date(year, month, day)
    except ValueError:
        hint = " (dates are read day first, as dd/mm/yyyy)" if month > 12 else ""
        raise ValueError(
            f'"{text}" is not a real date{hint}; check the day and the month'
        ) from None
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise ValueError(
            f'"{text}" is in the year {year}; periods run from {EARLIEST_YEAR} to '
            f"{LATEST_YEAR}: check the year"
        )
    return date


# ---------------------------------------------------------------------------
# Numbers


def _number_text(value: float) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def parse_number(cell: Cell) -> float | None:
    """A number from a cell, or None for an empty cell; raises ``ValueError`` with the fix."""
    if cell is None:
        return None
    if isinstance(cell, UncalculatedFormula):
        raise ValueError(cell.problem())
    if isinstance(cell, float):
        if not math.isfinite(cell):
            raise ValueError(f"{cell} is not a finite number; give a number")
        return _bounded(cell, _number_text(cell))
    number = inputs.parse_number(cell, percent_fix=_PERCENT_FIX)
    return None if number is None else _bounded(number, cell.strip())


def _bounded(number: float, text: str) -> float:
    if abs(number) > MAX_MAGNITUDE:
        raise ValueError(
            f"{text} is beyond ±{MAX_MAGNITUDE:,.0f}, the largest number a measure "
            "takes; check the cell (a stray digit, or a date read as a number)"
        )
    return number


def value_problems(
    kind: str, value: float | None, denominator: float | None
) -> list[inputs.Problem]:
    """What is wrong with a value and denominator for a kind of measure, as
    (field, message) pairs (:func:`openqi.spc.inputs.value_problems`, the checker
    the command line and the chart functions use too); empty when they are fine.
    Both empty is a missing period."""
    return inputs.value_problems(kind, value, denominator)


# ---------------------------------------------------------------------------
# Columns and rows


def match_columns(names: Iterable[str]) -> dict[str, str | None]:
    """The file's header for each import column ("period", "value",
    "denominator"), matched without regard to case; None where none matches."""
    lowered: dict[str, str] = {}
    for name in names:
        lowered.setdefault(name.strip().lower(), name)
    return {
        column: next((lowered[a] for a in aliases if a in lowered), None)
        for column, aliases in COLUMNS.items()
    }


def missing_columns(
    mapping: Mapping[str, str | None], *, has_denominator: bool
) -> list[str]:
    """The import columns still without a header in the file."""
    needed = ["period", "value"] + (["denominator"] if has_denominator else [])
    return [column for column in needed if not mapping.get(column)]


def check_rows(
    records: Sequence[tuple[int, Cell, Cell, Cell]],
    *,
    kind: str,
    frequency: str,
    seen: Mapping[datetime.date, int] | None = None,
    today: datetime.date | None = None,
) -> CheckedRows:
    """Check rows of (row number, period, value, denominator) cells.

    Every row ends up either good or with at least one error: nothing is left
    out. ``seen`` holds the periods of rows checked before (when a file is
    checked in chunks), so a period given twice is an error on its second row.
    With ``today``, a period after the current one (see :func:`future_problem`)
    is an error.
    """
    periods = dict(seen or {})
    rows: list[Row] = []
    errors: list[RowError] = []
    for number, period_cell, value_cell, denominator_cell in records:
        problems: list[tuple[str, str]] = []
        period = None
        try:
            period = period_start(parse_period(period_cell), frequency)
        except ValueError as error:
            problems.append(("period", str(error)))
        numbers: dict[str, float | None] = {}
        for column, cell in (("value", value_cell), ("denominator", denominator_cell)):
            try:
                numbers[column] = parse_number(cell)
            except ValueError as error:
                problems.append((column, str(error)))
        if period is not None and today is not None:
            if future := future_problem(period, frequency, today):
                problems.append(("period", future))
        if period is not None:
            if period in periods:
                problems.append(
                    (
                        "period",
                        f"{period_words(period, frequency)} is also on row "
                        f"{periods[period]}; keep one of the two rows",
                    )
                )
            else:
                periods[period] = number
        if len(numbers) == 2:
            problems += value_problems(kind, numbers["value"], numbers["denominator"])
        if problems:
            errors += [RowError(number, column, text) for column, text in problems]
        elif period is not None:
            rows.append(Row(number, period, numbers["value"], numbers["denominator"]))
    return CheckedRows(tuple(rows), tuple(errors), periods)


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


def classify(
    rows: Iterable[Row],
    existing: Mapping[datetime.date, tuple[float | None, float | None]],
) -> list[Change]:
    """Each row as new, changed (with the old numbers) or unchanged against the
    measure's ``existing`` points (period → (value, denominator))."""
    changes = []
    for row in rows:
        if row.period not in existing:
            changes.append(Change(row, "new"))
            continue
        old_value, old_denominator = existing[row.period]
        same = _same(old_value, row.value) and _same(old_denominator, row.denominator)
        changes.append(
            Change(row, "unchanged" if same else "changed", old_value, old_denominator)
        )
    return changes
