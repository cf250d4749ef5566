"""Special-cause findings in words, for people who do not read charts.

Turns the per-point rules of a chart into episodes (:class:`Signal`) with a
sentence each, such as "7 points in a row above the mean from July 2024 to
January 2025: special cause improvement (shift).".
"""

from __future__ import annotations

import bisect
import re

import numpy as np
from numpy.typing import NDArray

from .results import Signal

__all__ = [
    "SIGNAL_WORDS",
    "describe_signal",
    "episodes",
    "period_words",
    "rule_words",
    "signal_words",
]

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTH_NAMES = (
    "January February March April May June July August September October November December"
).split()


def period_words(period: str) -> str:
    """'2024-03' → 'March 2024'; '2024-03-04' → '4 March 2024'; else unchanged."""
    m = _MONTH.match(period)
    if m and 1 <= int(m.group(2)) <= 12:
        return f"{_MONTH_NAMES[int(m.group(2)) - 1]} {m.group(1)}"
    m = _DAY.match(period)
    if m and 1 <= int(m.group(2)) <= 12:
        return f"{int(m.group(3))} {_MONTH_NAMES[int(m.group(2)) - 1]} {m.group(1)}"
    return period


#: Each special-cause signal in words: how an episode's sentence ends, and how the
#: measures overview opens its line.
SIGNAL_WORDS = {
    "improvement": "special cause improvement",
    "concern": "special cause concern",
    "neutral_high": "special cause variation, high (neither improvement nor concern)",
    "neutral_low": "special cause variation, low (neither improvement nor concern)",
}


def signal_words(signal: str) -> str:
    """The signal in words ("special cause concern"); "special cause variation" for
    one without a name here."""
    return SIGNAL_WORDS.get(signal, "special cause variation")


def rule_words(rule: str, high: bool, centre_name: str, length: int = 0) -> str:
    """What a rule found at a point, in the words every finding uses: "above the
    upper process limit", "a rising trend of 7 or more", "close to the upper
    process limit, two of three in a row", "a run of 7 or more above the mean"
    ("a long run above the median" when the run's length is not fixed, as on a
    run chart). ``length`` is the rule's run length (``shift_length``,
    ``trend_length``)."""
    if rule == "outside_limits":
        return f"{'above the upper' if high else 'below the lower'} process limit"
    if rule == "trend":
        way = "rising" if high else "falling"
        return f"a {way} trend of {length} or more" if length else f"a {way} trend"
    if rule == "two_of_three":
        near = "upper" if high else "lower"
        return f"close to the {near} process limit, two of three in a row"
    where = f"{'above' if high else 'below'} the {centre_name}"
    return f"a run of {length} or more {where}" if length else f"a long run {where}"


def describe_signal(
    rule: str,
    signal: str,
    side: int,
    start: str,
    end: str,
    count: int,
    centre_name: str,
    length: int,
) -> str:
    """One special-cause episode in words, for people who do not read charts."""
    span = (
        f"{'on' if _DAY.match(start) else 'in'} {period_words(start)}"
        if start == end
        else f"from {period_words(start)} to {period_words(end)}"
    )
    high = side > 0
    points = "a point" if count == 1 else f"{count} points"
    finding = rule_words(rule, high, centre_name, length)
    if rule == "shift" and count >= length:
        what = (
            f"{points} in a row {'above' if high else 'below'} the {centre_name} {span}"
        )
    elif rule == "trend" and count >= length:
        what = f"{points} in a row {'rising' if high else 'falling'} {span}"
    elif rule in ("shift", "trend"):
        # The rest of the run is claimed by a higher-priority rule.
        what = f"{points} of {finding} {span}"
    else:
        what = f"{points} {finding} {span}"
    return f"{what[0].upper()}{what[1:]}: {SIGNAL_WORDS[signal]} ({rule.replace('_', ' ')})."


def episodes(
    rule: tuple[str, ...],
    signal: tuple[str, ...],
    sides: NDArray[np.int64],
    phase: NDArray[np.int64],
    periods: tuple[str, ...],
    centre_name: str,
    lengths: dict[str, int],
) -> tuple[Signal, ...]:
    """Group flagged points into episodes: runs of one rule, signal and side in a phase.

    A two-of-three episode may step over one unflagged point (near, middle,
    near is one finding, not two).
    """
    out: list[Signal] = []
    n = len(rule)
    # Visit flagged points only: a long chart is mostly common cause.
    flagged = [k for k, r in enumerate(rule) if r != "common_cause"]
    position = 0
    i = 0

    def same(k: int) -> bool:
        return (
            rule[k] == rule[i]
            and signal[k] == signal[i]
            and sides[k] == sides[i]
            and phase[k] == phase[i]
        )

    while position < len(flagged):
        i = flagged[position]
        j = i
        count = 1
        while True:
            if j + 1 < n and same(j + 1):
                j += 1
            elif (
                rule[i] == "two_of_three"
                and j + 2 < n
                and rule[j + 1] == "common_cause"
                and same(j + 2)
            ):
                j += 2
            else:
                break
            count += 1
        out.append(
            Signal(
                rule=rule[i],
                signal=signal[i],
                side="high" if sides[i] > 0 else "low",
                phase=int(phase[i]),
                start=i,
                end=j,
                n_points=count,
                first_period=periods[i],
                last_period=periods[j],
                description=describe_signal(
                    rule[i],
                    signal[i],
                    int(sides[i]),
                    periods[i],
                    periods[j],
                    count,
                    centre_name,
                    lengths.get(rule[i], 0),
                ),
            )
        )
        position = bisect.bisect_right(flagged, j, lo=position)
    return tuple(out)
