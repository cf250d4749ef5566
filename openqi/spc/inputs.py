"""One checker for the rows of a series, with one vocabulary for what is wrong.

A row of a series is a value and, for a proportion or a rate, a denominator.
The chart functions (:mod:`openqi.spc.charts`), the command line
(``openqi spc`` and ``openqi funnel``), the web import and the API
(``openqi.measures.importing``) all check a row here, so they refuse the same
rows and say so in the same words. A problem names its row and field, says
what is wrong and how to put it right::

    row 14 (period 2024-02), denominator: 0 is not above zero; a denominator must
    be above zero: correct it, or leave both cells empty for a missing value

:class:`Problem` is one field's problem (what :func:`value_problems` returns,
for a form or an import page that shows the field beside the message);
:class:`RowError` is the same problem raised for a named row
(:func:`check_series`, for a whole series). Standard library and NumPy only.

>>> value_problems("proportion", 12, 10)[0].field
'value'
>>> try:
...     check_series("count", [3, -1, 4])
... except RowError as error:
...     print(error)
row 2, value: -1 is below zero; a count cannot be negative: correct it
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "CHART_KINDS",
    "KINDS",
    "Problem",
    "RowError",
    "check_series",
    "number_text",
    "parse_number",
    "value_problems",
]

#: What a series' values are: the kinds of measure OpenQI knows.
KINDS = ("count", "continuous", "proportion", "rate", "time_between", "cases_between")
#: The kind of value each chart plots (a run chart's values are counts when it
#: has denominators, continuous otherwise).
CHART_KINDS: dict[str, str] = {
    "xmr": "continuous",
    "mr": "continuous",
    "run": "continuous",
    "p": "proportion",
    "pp": "proportion",
    "u": "rate",
    "up": "rate",
    "c": "count",
    "g": "cases_between",
    "t": "time_between",
}
#: Kinds whose values are counts, which cannot be negative.
_COUNTS = frozenset({"count", "proportion", "rate", "cases_between"})
#: Kinds that take a denominator.
_WITH_DENOMINATOR = frozenset({"proportion", "rate"})


class Problem(NamedTuple):
    """What is wrong with one field of a row, and the fix.

    ``field`` is the field at fault ("value", "denominator", or the column's
    name); ``message`` says what is wrong, then after a semicolon how to put it
    right, without naming the field (the caller shows it beside the message,
    or :class:`RowError` puts it in front).
    """

    field: str
    message: str


class RowError(ValueError):
    """A problem with one row of a series: ``row``, ``field`` and ``message``.

    Its text is ``row N, field: message``; ``label`` replaces ``row N`` when
    the caller names its rows otherwise (``row 14 (period 2024-02)``).
    """

    def __init__(
        self, row: int, field: str, message: str, *, label: str | None = None
    ) -> None:
        self.row = row
        self.field = field
        self.message = message
        self.label = label if label is not None else f"row {row}"
        super().__init__(f"{self.label}, {field}: {message}")

    @property
    def problem(self) -> Problem:
        return Problem(self.field, self.message)


def number_text(value: float) -> str:
    """A number as the person wrote it: ``12``, not ``12.0``; ``0.5`` as is."""
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def parse_number(
    text: str, *, percent_fix: str = "write it without the % sign"
) -> float | None:
    """The number in a cell's text, or ``None`` for an empty cell.

    Text that is not a finite number raises ``ValueError`` saying what is wrong
    and the fix: thousands separators and a % sign are named, as the usual
    slips; ``percent_fix`` is the fix for a % sign (the caller knows how its
    percentages are made).
    """
    text = text.strip()
    if not text:
        return None
    number = _finite_number(text)
    if number is not None:
        return number
    if "," in text and _finite_number(text.replace(",", "")) is not None:
        fix = "write it without thousands separators (1234, not 1,234)"
    elif text.endswith("%") and _finite_number(text[:-1]) is not None:
        fix = percent_fix
    else:
        fix = "give a number, or leave the cell empty for a missing value"
    raise ValueError(f'"{text}" is not a number; {fix}')


def _finite_number(text: str) -> float | None:
    if "_" in text:
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _given(number: float | None) -> float | None:
    if number is None:
        return None
    number = float(number)
    return None if math.isnan(number) else number


def value_problems(
    kind: str,
    value: float | None,
    denominator: float | None = None,
    *,
    has_denominator: bool | None = None,
    value_field: str = "value",
    denominator_field: str = "denominator",
    required: bool = False,
) -> list[Problem]:
    """Everything wrong with one row's value and denominator; empty when they are fine.

    ``kind`` is one of :data:`KINDS`. A count cannot be negative, a time
    between events must be above zero, a denominator must be above zero and a
    proportion's numerator cannot exceed it. Both empty is a missing value,
    which is fine unless ``required``. ``has_denominator`` says whether the row
    takes a denominator (by default: a proportion or a rate does);
    ``value_field`` and ``denominator_field`` are the fields as the caller
    names them. ``None`` and NaN are empty.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}")
    value, denominator = _given(value), _given(denominator)
    with_denominator = (
        kind in _WITH_DENOMINATOR if has_denominator is None else has_denominator
    )
    problems: list[Problem] = []
    if value is None:
        if required:
            problems.append(Problem(value_field, _EMPTY))
    elif kind == "time_between" and value <= 0:
        problems.append(
            Problem(
                value_field,
                f"{number_text(value)} is not above zero; a time between events "
                "must be above zero: correct it",
            )
        )
    elif kind in _COUNTS and value < 0:
        problems.append(
            Problem(
                value_field,
                f"{number_text(value)} is below zero; a count cannot be negative: "
                "correct it",
            )
        )
    if not with_denominator:
        return problems
    if denominator is None:
        if required:
            problems.append(Problem(denominator_field, _EMPTY))
        elif value is not None:
            problems.append(
                Problem(
                    denominator_field,
                    f"empty but {value_field} is {number_text(value)}; give the "
                    "denominator (above zero), or leave both cells empty for a "
                    "missing value",
                )
            )
    elif denominator <= 0:
        problems.append(
            Problem(
                denominator_field,
                f"{number_text(denominator)} is not above zero; a denominator must be "
                "above zero: correct it, or leave both cells empty for a missing value",
            )
        )
    elif kind == "proportion" and value is not None and value > denominator:
        problems.append(
            Problem(
                value_field,
                f"{number_text(value)} is more than its {denominator_field} "
                f"{number_text(denominator)}; a proportion's numerator cannot exceed "
                "its denominator: correct one of them (are the columns the wrong way "
                "round?)",
            )
        )
    return problems


_EMPTY = "empty; every row needs it here: fill it in or remove the row"


def check_series(
    kind: str,
    values: Sequence[float | None] | NDArray[np.float64],
    denominators: Sequence[float | None] | NDArray[np.float64] | None = None,
    *,
    value_field: str = "value",
    denominator_field: str = "denominator",
    rows: Sequence[int] | None = None,
    label: Callable[[int], str] | None = None,
    required: bool = False,
) -> None:
    """Raise :class:`RowError` for the first row of a series with a problem.

    The rows are ``values[i]`` with ``denominators[i]`` (``None`` when the
    series has none), checked as :func:`value_problems` checks one row, but
    found with NumPy so that a long series costs little. ``rows[i]`` is entry
    ``i``'s row number (default ``i + 1``), and ``label(i)`` names it in the
    message (default ``row`` and its number).
    """
    y = np.asarray(values, dtype=np.float64)
    d = None if denominators is None else np.asarray(denominators, dtype=np.float64)
    bad = _suspects(kind, y, d, required)
    for i in np.flatnonzero(bad).tolist():
        problems = value_problems(
            kind,
            float(y[i]),
            None if d is None else float(d[i]),
            has_denominator=d is not None,
            value_field=value_field,
            denominator_field=denominator_field,
            required=required,
        )
        if problems:
            field, message = problems[0]
            number = i + 1 if rows is None else rows[i]
            where = label(i) if label is not None else None
            raise RowError(number, field, message, label=where)


def _suspects(
    kind: str, y: NDArray[np.float64], d: NDArray[np.float64] | None, required: bool
) -> NDArray[np.bool_]:
    """Rows that may have a problem: a superset of those :func:`value_problems` refuses."""
    empty = np.isnan(y)
    bad: NDArray[np.bool_] = empty.copy() if required else np.zeros(y.shape, bool)
    with np.errstate(invalid="ignore"):
        if kind == "time_between":
            bad |= y <= 0
        elif kind in _COUNTS:
            bad |= y < 0
        if d is not None:
            if d.shape != y.shape:
                raise ValueError(
                    f"denominators must match the values one for one; got {y.size} "
                    f"values and {d.size} denominators"
                )
            bad |= np.isnan(d) & (~empty | required)
            bad |= d <= 0
            if kind == "proportion":
                bad |= y > d
    return bad
