"""Special-cause rules (Making Data Count) and the Anhøj runs rules, for one series.

The functions take one phase at a time (the caller never runs a rule across a
phase boundary). ``judged`` marks the points a rule may look at: a point that is
missing or excluded is not judged, and it breaks every run and window through it.
The vectorised many-series twin of these rules lives in :mod:`openqi.spc.batch`.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from .distributions import binomial_quantile

__all__ = [
    "OUTSIDE_LIMITS",
    "SHIFT",
    "TREND",
    "TWO_OF_THREE",
    "anhoej_crossings_min",
    "anhoej_longest_run_max",
    "binomial_quantile",
    "longest_run_and_crossings",
    "outside_limits",
    "shift",
    "trend",
    "two_of_three",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]

#: Rule codes, in the order of :data:`openqi.spc.results.RULES`.
OUTSIDE_LIMITS, TREND, TWO_OF_THREE, SHIFT = 1, 2, 3, 4


def _run_bounds(mask: BoolArray) -> tuple[IntArray, IntArray]:
    """Starts and (exclusive) stops of each run of consecutive true values."""
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


def _cover(n: int, starts: IntArray, stops: IntArray) -> BoolArray:
    """True over every [start, stop) interval (intervals do not overlap)."""
    marks = np.zeros(n + 1, dtype=np.int8)
    marks[starts] += 1  # runs of one mask never touch, so no index repeats
    marks[stops] -= 1
    # The running sum is 1 inside an interval and 0 outside: a byte holds it.
    return np.cumsum(marks[:n], dtype=np.int8) > 0


def outside_limits(
    values: FloatArray, lower: FloatArray, upper: FloatArray, judged: BoolArray
) -> IntArray:
    """Side (+1 above, −1 below, 0 inside) of each point outside the process limits.

    Comparisons are strict: a point exactly on a limit is inside (NHS England,
    *Making Data Count*, "a single point outside the limits"; NHSRplotthedots
    0.2.2 ``y > upl``).

    >>> outside_limits(np.array([1.0, 5.0, -2.0]), np.full(3, -1.0), np.full(3, 5.0),
    ...                np.ones(3, bool)).tolist()
    [0, 0, -1]
    """
    side = np.zeros(len(values), dtype=np.int64)
    with np.errstate(invalid="ignore"):
        side[judged & (values > upper)] = 1
        side[judged & (values < lower)] = -1
    return side


def shift(
    values: FloatArray, centre: FloatArray, judged: BoolArray, length: int = 7
) -> IntArray:
    """Side of each point in a run of ``length`` or more strictly on one side of the centre.

    A point on the centre line, or a point not judged, breaks the run; every
    point of a qualifying run is flagged. Default 7 (NHS England, *Making Data
    Count*: "a run of seven or more points above or below the mean";
    NHSRplotthedots 0.2.2 ``shift_length = 7``).

    >>> shift(np.array([2.0, 2, 2, 0]), np.zeros(4), np.ones(4, bool), length=3).tolist()
    [1, 1, 1, 0]
    """
    out = np.zeros(len(values), dtype=np.int64)
    with np.errstate(invalid="ignore"):
        above = judged & (values > centre)
        below = judged & (values < centre)
    for mask, side in ((above, 1), (below, -1)):
        starts, stops = _run_bounds(mask)
        is_long = stops - starts >= length
        out[_cover(len(values), starts[is_long], stops[is_long])] = side
    return out


def trend(values: FloatArray, judged: BoolArray, length: int = 7) -> IntArray:
    """Direction of each point in a run of ``length`` or more strictly rising or falling values.

    A tie, or a point not judged, breaks the trend; every point of a qualifying
    trend is flagged. A point's direction is the step to the next point when
    that point is in the trend too, else the step from the previous point (the
    SPC contract; NHSRplotthedots 0.2.2 ``trend_length = 7``; NHS England,
    *Making Data Count*: "seven or more consecutive points increasing or
    decreasing").

    >>> trend(np.array([1.0, 2, 3, 2]), np.ones(4, bool), length=3).tolist()
    [1, 1, 1, 0]
    """
    n = len(values)
    out = np.zeros(n, dtype=np.int64)
    if n < 2:
        return out
    # The sign of each step, one byte each: 0 for a tie, a missing value or a
    # step touching a point not judged.
    diff = np.diff(values)
    with np.errstate(invalid="ignore"):
        step = (diff > 0).view(np.int8) - (diff < 0).view(np.int8)
    del diff
    step[~(judged[1:] & judged[:-1])] = 0
    # A trend is a run of same-direction steps; step k joins points k and k+1.
    step_in_trend = np.zeros(n - 1, dtype=bool)
    for direction in (1, -1):
        starts, stops = _run_bounds(step == direction)
        is_long = stops - starts + 1 >= length
        step_in_trend |= _cover(n - 1, starts[is_long], stops[is_long])
    step[~step_in_trend] = 0  # now the direction of each step in a trend
    # The next point is in this point's trend: the step to it; otherwise the
    # step from the previous point, if that step is in a trend.
    out[1:] = step
    np.copyto(out[:-1], step, where=step_in_trend)
    return out


def two_of_three(
    values: FloatArray,
    centre: FloatArray,
    near_lower: FloatArray,
    near_upper: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    judged: BoolArray,
    variant: str = "default",
) -> IntArray:
    """Side of each point flagged by the two-of-three rule.

    In any window of three consecutive judged points all strictly on one side
    of the centre, if at least two lie in the near zone, those points are
    flagged. The near zone is strictly between the near (two-sigma) line and
    the limit (``variant="default"``, NHSRplotthedots 0.2.2), or anywhere
    beyond the near line, limits included (``variant="beyond_near"``, the
    Making Data Count tools' 2023 revision).

    >>> v = np.array([0.0, 2.5, 2.5, 0.5])
    >>> two_of_three(v, np.zeros(4), np.full(4, -2.0), np.full(4, 2.0),
    ...              np.full(4, -3.0), np.full(4, 3.0), np.ones(4, bool)).tolist()
    [0, 1, 1, 0]
    """
    if variant not in ("default", "beyond_near"):
        raise ValueError(
            f"two_of_three must be 'default' or 'beyond_near'; got {variant!r}"
        )
    n = len(values)
    out = np.zeros(n, dtype=np.int64)
    with np.errstate(invalid="ignore"):
        above = judged & (values > centre)
        below = judged & (values < centre)
        if variant == "default":
            near_high = above & (values > near_upper) & (values < upper)
            near_low = below & (values < near_lower) & (values > lower)
        else:
            near_high = above & (values > near_upper)
            near_low = below & (values < near_lower)
    if n < 3:
        return out
    for side_mask, near, side in ((above, near_high, 1), (below, near_low, -1)):
        # Window j covers points j, j + 1 and j + 2.
        window = side_mask[:-2] & side_mask[1:-1] & side_mask[2:]
        window &= near[:-2].astype(np.int8) + near[1:-1] + near[2:] >= 2
        in_window = np.zeros(n, dtype=bool)
        in_window[:-2] |= window
        in_window[1:-1] |= window
        in_window[2:] |= window
        out[near & in_window] = side
    return out


def anhoej_longest_run_max(useful: int) -> int:
    """Largest longest run expected by chance: round(log2(n)) + 3.

    Anhøj & Olesen, "Run charts revisited", *PLoS ONE* 9(11), 2014, e113825;
    qicharts2 ``runs.analysis``.

    >>> anhoej_longest_run_max(24)
    8
    """
    if useful <= 0:
        return 0
    return round(math.log2(useful)) + 3


def anhoej_crossings_min(useful: int) -> int:
    """Fewest crossings expected by chance: the 5th percentile of Binomial(n − 1, 0.5).

    Anhøj & Olesen 2014; qicharts2 ``qbinom(0.05, n - 1, 0.5)``.

    >>> anhoej_crossings_min(24)
    8
    """
    if useful <= 1:
        return 0
    return binomial_quantile(0.05, useful - 1, 0.5)


def longest_run_and_crossings(
    values: FloatArray, centre: FloatArray, judged: BoolArray
) -> tuple[int, int, int]:
    """(useful points, longest run, crossings) of judged values about a centre line.

    Points on the centre line are not counted (Anhøj & Olesen 2014); runs and
    crossings are counted over the remaining judged points in order.

    >>> longest_run_and_crossings(np.array([1.0, 2, 0, -1, 5]), np.zeros(5), np.ones(5, bool))
    (4, 2, 2)
    """
    with np.errstate(invalid="ignore"):
        side = np.sign(values - centre)
    side = side[judged & (side != 0) & ~np.isnan(side)]
    useful = int(side.size)
    if useful == 0:
        return 0, 0, 0
    changes = np.flatnonzero(side[1:] != side[:-1])
    crossings = int(changes.size)
    bounds = np.concatenate(([0], changes + 1, [useful]))
    longest = int(np.diff(bounds).max())
    return useful, longest, crossings
