"""Vectorised run charts for many series at once.

:func:`run_batch` computes, for every row of a series × periods array (and,
optionally, its denominators), exactly what :func:`openqi.spc.charts.run_chart`
computes for that row alone with one phase and no exclusions: the median, the
Anhøj runs analysis (useful points, longest run and its maximum, crossings and
their minimum), the rule and signal of every point, and the variation icon.
There is no Python loop over series or points: the median comes from one sort
of the whole array, runs are numbered by a cumulative sum over the flattened
rows and measured with one ``bincount``, and the points before each point are
found by a running maximum of positions.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from openqi.spc.arithmetic import row_means
from openqi.spc.batch import (
    MIN_FIX_AFTER,
    _as_matrix,
    _improvement_codes,
    _signals,
    _targets,
    _variation,
    _whole,
)
from openqi.spc.batch_attribute import _bad_cells, _positive
from openqi.spc.inputs import check_series
from openqi.spc.results import RULES, RunBatchResult
from openqi.spc.rules import anhoej_crossings_min

__all__ = ["run_batch"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]

#: The rule code of a point in a run longer than the Anhøj maximum.
_SHIFT = RULES.index("shift")


def run_batch(
    values: ArrayLike,
    denominators: ArrayLike | None = None,
    *,
    improvement: str | Sequence[str] | NDArray[Any] = "neither",
    target: float | ArrayLike | None = None,
    multiply: float | ArrayLike = 1.0,
    fix_after: int | None = None,
) -> RunBatchResult:
    """Run charts of many series at once, judged by the Anhøj rules.

    Each row is one series, judged exactly as :func:`openqi.spc.charts.run_chart`
    judges it alone with one phase and no exclusions; whole-array NumPy, no
    Python loop over series or points.

    Parameters
    ----------
    values : array_like of float, shape (S, P)
        Observations (or numerators, with ``denominators``), one series per
        row, one period per column; ``NaN`` marks a missing value and pads
        shorter series.
    denominators : array_like of float, shape (S, P), optional
        The plotted value is values ÷ denominators × ``multiply``; ``NaN`` in
        either is a gap.
    improvement : {"neither", "increase", "decrease"} or sequence of them
        The direction of improvement, for every series or one per series.
    target : float or array_like of float, shape (S,), optional
        Accepted as ``run_chart`` accepts it; a run chart has no limits, so
        there is never an assurance icon (``assurance`` is ``-1``).
    multiply : float or array_like of float, shape (S,), default 1
        Scales the plotted values and the median, for every series or one per
        series.
    fix_after : int, optional
        Take the median of the first ``fix_after`` columns only (at least 12);
        the runs analysis still counts every point.

    Returns
    -------
    RunBatchResult
        Per series: ``centre`` (the median), ``n_points``, ``variation``,
        ``assurance`` and the runs analysis (``useful``, ``longest_run``,
        ``longest_run_max``, ``crossings``, ``crossings_min``,
        ``is_long_run``, ``is_few_crossings``); per point: ``values``,
        ``rule`` and ``signal``.

    Raises
    ------
    ValueError
        If the arrays are not two-dimensional and of one shape, hold
        infinities, or (with denominators) a value has no denominator above 0
        or a negative numerator, in the words of
        :func:`openqi.spc.check_series` naming the series and period; or an
        option is out of range.

    Notes
    -----
    The centre is R's ``median()`` of the baseline values (the two middle
    values averaged as R's ``mean()`` averages them). With n useful points
    (those with a value not on the median), the longest run of useful points
    on one side and the crossings of the median are counted over the useful
    points in order; a run longer than round(log₂ n) + 3, or fewer crossings
    than ``qbinom(0.05, n − 1, 0.5)``, is a signal of non-random variation
    (Anhøj & Olesen, *PLoS ONE* 9(11), 2014, e113825; qicharts2). As
    ``run_chart`` flags them, the points of an unbroken stretch of more than
    round(log₂ n) + 3 points strictly on one side of the median — a missing
    value or a point on the median breaks it — are ``shift`` points, high or
    low by their side; crossings flag no point. The variation icon reads the
    last point with a value.

    Examples
    --------
    >>> r = run_batch([[1, 2] * 10, [1] * 10 + [9] * 10], improvement="increase")
    >>> r.crossings.tolist(), r.crossings_min.tolist(), r.longest_run.tolist()
    ([19, 1], [6, 6], [1, 10])
    >>> r.is_runs_signal.tolist(), r.variation_labels()
    ([False, True], ['common_cause', 'improvement_high'])
    """
    y = _as_matrix(values)
    n_series, n_periods = y.shape
    if denominators is None:
        x = y
    else:
        n = _as_matrix(denominators, "denominators")
        if n.shape != y.shape:
            raise ValueError(
                "run_batch needs a denominator for every value; got values of "
                f"shape {y.shape} and denominators of shape {n.shape}"
            )
        bad = _bad_cells("u", y, n)
        if bad.any():
            s, p = np.argwhere(bad)[0].tolist()
            check_series(
                "rate",
                y[s, p : p + 1],
                n[s, p : p + 1],
                value_field="numerator",
                label=lambda _: f"run_batch: series {s}, period {p}",
            )
        with np.errstate(invalid="ignore", divide="ignore"):
            x = np.where(np.isnan(n), np.nan, y / n)
    imp = _improvement_codes(improvement, n_series)
    _targets(target, n_series)  # checked as run_chart checks it
    mult = _positive("multiply", multiply, n_series)
    if fix_after is not None:
        fix_after = _whole("fix_after", fix_after, MIN_FIX_AFTER)

    valid = ~np.isnan(x)
    n_points = np.count_nonzero(valid, axis=1).astype(np.int64)
    centre = _row_medians(x if fix_after is None else x[:, :fix_after])

    with np.errstate(invalid="ignore"):
        above = x > centre[:, None]
        below = x < centre[:, None]
    useful_mask = above | below
    useful, longest, crossings = _runs_analysis(above, useful_mask)
    run_max = np.where(
        useful > 0, np.rint(np.log2(np.maximum(useful, 1))).astype(np.int64) + 3, 0
    )
    cross_min = _crossings_min(useful)

    # The shift rule: an unbroken stretch longer than the maximum on one side.
    length = run_max + 1
    shift = _stretch_lengths(above) >= length[:, None]
    shift |= _stretch_lengths(below) >= length[:, None]
    shift &= useful_mask
    rule = (shift * np.int8(_SHIFT)).astype(np.int8)
    high = shift & above
    signal = _signals(rule, high, imp)
    variation = _variation(signal, high, valid, n_points)

    m = mult[:, None]
    return RunBatchResult(
        values=x * m,
        centre=centre * mult,
        multiply=mult,
        n_points=n_points,
        rule=rule,
        signal=signal,
        variation=variation,
        assurance=np.full(n_series, -1, dtype=np.int8),
        useful=useful,
        longest_run=longest,
        longest_run_max=run_max,
        crossings=crossings,
        crossings_min=cross_min,
        is_long_run=(useful > 0) & (longest > run_max),
        is_few_crossings=(useful > 1) & (crossings < cross_min),
    )


def _row_medians(x: FloatArray) -> FloatArray:
    """R's ``median(x, na.rm = TRUE)`` of every row (:func:`openqi.spc.arithmetic.r_median`).

    One sort of the whole array (``NaN`` sorts last); the middle value, or R's
    mean of the two middle values for an even count; ``NaN`` for an empty row.
    """
    n_series = x.shape[0]
    ordered = np.sort(x, axis=1)
    count = np.count_nonzero(~np.isnan(x), axis=1)
    rows = np.arange(n_series)
    if ordered.shape[1] == 0:
        return np.full(n_series, np.nan)
    half = count // 2
    upper = ordered[rows, np.minimum(half, ordered.shape[1] - 1)]
    lower = ordered[rows, np.maximum(half - 1, 0)]
    pair = np.column_stack((lower, upper))
    means = row_means(pair, np.ones(pair.shape, dtype=bool))
    out = np.where(count % 2 == 1, upper, means)
    out[count == 0] = np.nan
    return np.asarray(out, dtype=np.float64)


def _runs_analysis(
    above: BoolArray, useful: BoolArray
) -> tuple[IntArray, IntArray, IntArray]:
    """(useful points, longest run, crossings) of every row, as
    :func:`openqi.spc.rules.longest_run_and_crossings` counts them: over the
    useful points in order, skipping the rest."""
    n_series, n_periods = useful.shape
    count = np.count_nonzero(useful, axis=1).astype(np.int64)
    if n_periods == 0 or n_series == 0:
        zero = np.zeros(n_series, dtype=np.int64)
        return count, zero, zero.copy()
    # The position of the last useful point before each point (-1 if none).
    positions = np.where(useful, np.arange(n_periods), -1)
    last = np.maximum.accumulate(positions, axis=1)
    before = np.full((n_series, n_periods), -1, dtype=np.int64)
    before[:, 1:] = last[:, :-1]
    has_before = before >= 0
    side_before = np.take_along_axis(above, np.maximum(before, 0), axis=1)
    changes = useful & has_before & (side_before != above)
    crossings = np.count_nonzero(changes, axis=1).astype(np.int64)
    # Runs over the useful points: a run starts at a row's first useful point
    # and at every change of side. Numbered over the flattened rows, so a run
    # never spans two series.
    starts = (useful & ~has_before) | changes
    flat_useful = useful.ravel()
    flat_starts = starts.ravel()
    ids = np.cumsum(flat_starts)
    lengths = np.bincount(ids[flat_useful], minlength=int(ids[-1]) + 1)[1:]
    longest = np.zeros(n_series, dtype=np.int64)
    np.maximum.at(longest, np.flatnonzero(flat_starts) // n_periods, lengths)
    return count, longest, crossings


def _stretch_lengths(mask: BoolArray) -> IntArray:
    """The length of the unbroken stretch of true cells each cell of ``mask``
    is in, along its row (0 where false)."""
    n_series, n_periods = mask.shape
    padded = np.zeros((n_series, n_periods + 1), dtype=bool)
    padded[:, :n_periods] = mask
    flat = padded.ravel()
    starts = flat.copy()
    starts[1:] &= ~flat[:-1]
    ids = np.cumsum(starts)
    lengths = np.bincount(ids[flat], minlength=int(ids[-1]) + 1 if ids.size else 1)
    out = np.where(flat, lengths[ids], 0)
    return np.asarray(out.reshape(n_series, n_periods + 1)[:, :n_periods])


def _crossings_min(useful: IntArray) -> IntArray:
    """qbinom(0.05, n − 1, 0.5) per series (0 for n ≤ 1): computed once for
    each distinct number of useful points, and kept."""
    distinct, where = np.unique(useful, return_inverse=True)
    table = np.array(
        [_crossings_for(int(k)) for k in distinct.tolist()], dtype=np.int64
    )
    return np.asarray(table[where.ravel()], dtype=np.int64)


@functools.cache
def _crossings_for(useful: int) -> int:
    return anhoej_crossings_min(useful)
