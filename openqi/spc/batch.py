"""Vectorised XmR charts for many series at once.

:func:`xmr_batch` computes, for every row of a series × periods array, exactly
what :func:`openqi.spc.charts.xmr` computes for that row alone (one phase, no
rebasing, no exclusions), with whole-array NumPy operations: there is no Python
loop over series or over points. The rules work on boolean masks whose rows
are padded with one false cell and flattened, so that shifting a whole flat
array never mixes two series: runs (shift, trend) are found by doubling — a
mask AND-ed with itself shifted by 1, 2, 4 … cells marks every window of the
required length, and OR-ing back spreads the flag over the window — and the
two-of-three rule compares three shifted views.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from openqi.spc.arithmetic import accurate_sums, means_from_sums, screened_row_means
from openqi.spc.limits import NEAR_FACTOR, SCREEN_FACTOR, XMR_LIMIT_FACTOR
from openqi.spc.results import BatchResult

__all__ = ["xmr_batch"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
Int8Array = NDArray[np.int8]

# The constants (2.66, 2/3 × 2.66, 3.267) and their sources live in
# openqi.spc.limits, shared with the single-series charts.
#: Smallest number of baseline points for fixed limits (the SPC contract).
MIN_FIX_AFTER = 12

_IMPROVEMENTS = ("neither", "increase", "decrease")
_TWO_OF_THREE = ("default", "beyond_near")
# Signal codes (indices into results.SIGNALS) for a high / low flagged point,
# by improvement code (neither, increase, decrease).
_SIGNAL_HIGH = np.array([3, 1, 2], dtype=np.int8)
_SIGNAL_LOW = np.array([4, 2, 1], dtype=np.int8)


def xmr_batch(
    values: ArrayLike,
    *,
    improvement: str | Sequence[str] | NDArray[Any] = "neither",
    target: float | ArrayLike | None = None,
    screen: bool = True,
    fix_after: int | None = None,
    shift_length: int = 7,
    trend_length: int = 7,
    two_of_three: str = "default",
) -> BatchResult:
    """XmR (individuals) charts of many series at once, with every MDC rule.

    Each row of ``values`` is one series, judged exactly as
    :func:`openqi.spc.charts.xmr` judges it alone: one phase, Making Data Count
    rules and icons. The work is done with whole-array NumPy operations, with no
    Python loop over series or points.

    Parameters
    ----------
    values : array_like of float, shape (S, P)
        One series per row, one period per column. ``NaN`` marks a missing
        value and pads series shorter than ``P``.
    improvement : {"neither", "increase", "decrease"} or sequence of them
        The direction of improvement, for every series or one per series.
    target : float or array_like of float, shape (S,), optional
        A target for every series or one per series (``NaN`` = no target); the
        assurance icon needs a target and a direction of improvement.
    screen : bool, default True
        Screen out moving ranges at or above 3.267 × the mean moving range and
        recompute it once (``False`` matches the MDC Excel tool).
    fix_after : int, optional
        Compute the mean and mean moving range from the first ``fix_after``
        columns only (at least 12) and judge every point against those limits.
    shift_length : int, default 7
        Number of consecutive points strictly on one side of the mean that make
        a shift (at least 2).
    trend_length : int, default 7
        Number of consecutive strictly rising or falling points that make a
        trend (at least 2).
    two_of_three : {"default", "beyond_near"}
        ``"beyond_near"`` also counts points beyond the limits (MDC 2023).

    Returns
    -------
    BatchResult
        Per series: ``centre`` (mean), ``lower`` / ``upper`` (process limits),
        ``near_lower`` / ``near_upper`` (two-sigma lines),
        ``mean_moving_range`` (after screening), ``n_points`` (non-missing
        values), ``variation`` (code into ``VARIATIONS``, from the last
        non-missing point) and ``assurance`` (code into ``ASSURANCES``,
        ``-1`` when there is no target, no direction or no limits). Per point:
        ``rule`` (code into ``RULES``) and ``signal`` (code into ``SIGNALS``).

    Raises
    ------
    ValueError
        If ``values`` is not two-dimensional or holds infinities, or an option
        is out of range; the message names the argument and the fix.

    Notes
    -----
    For one series with non-missing values :math:`x_i` (mean :math:`\\bar x`)
    and moving ranges :math:`MR_i = |x_i - x_{i-1}|` taken only between two
    consecutive non-missing values (a gap loses both moving ranges touching
    it):

    .. math::

        \\overline{MR} = \\operatorname{mean}(MR_i), \\qquad
        \\overline{MR}' = \\operatorname{mean}(MR_i : MR_i < 3.267\\,\\overline{MR})

        \\text{limits} = \\bar x \\pm 2.66\\,\\overline{MR}', \\qquad
        \\text{near lines} = \\bar x \\pm \\tfrac{2}{3} \\cdot 2.66\\,\\overline{MR}'.

    The constants and their sources are in :mod:`openqi.spc.limits`. When
    screening would leave no moving range (a constant series, where every
    moving range is 0 ≥ 3.267 × 0) the unscreened mean is kept. A series with
    no two consecutive values has no moving range, ``NaN`` limits and no
    assurance icon; every point of it is common cause, because runs and
    windows need consecutive values. With ``fix_after`` the baseline is the
    first ``fix_after`` columns (moving ranges within them only), as
    :func:`openqi.spc.charts.xmr` takes its first ``fix_after`` points.

    Rules, with strict comparisons, by priority (NHS England, *Making Data
    Count*, 2019, as NHSRplotthedots 0.2.2 implements it; the SPC contract):

    1. ``outside_limits``: above the upper or below the lower limit;
    2. ``trend``: ``trend_length`` points each strictly above (below) the one
       before — every point of the trend is flagged, its direction the slope;
    3. ``two_of_three``: two or three of three consecutive points, all on one
       side of the mean, strictly between the near line and the limit (or
       beyond the near line with ``"beyond_near"``) — those points are flagged;
    4. ``shift``: ``shift_length`` or more consecutive points strictly on one
       side of the mean.

    A missing value breaks every run and window and is itself common cause.

    Examples
    --------
    >>> import numpy as np
    >>> r = xmr_batch(np.array([[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
    ...                         [5.0, 5.0, np.nan, 5.0, 5.0, 5.0, 5.0, 5.0]]),
    ...               improvement="increase")
    >>> r.upper.round(2).tolist(), r.rule.tolist()[0], r.variation_labels()
    ([7.16, 5.0], [1, 2, 2, 2, 2, 2, 2, 1], ['improvement_high', 'common_cause'])
    """
    x = _as_matrix(values)
    n_series, n_periods = x.shape
    imp = _improvement_codes(improvement, n_series)
    tgt = _targets(target, n_series)
    shift_length = _whole("shift_length", shift_length, 2)
    trend_length = _whole("trend_length", trend_length, 2)
    if two_of_three not in _TWO_OF_THREE:
        raise ValueError(
            f"two_of_three must be 'default' or 'beyond_near'; got {two_of_three!r}"
        )
    if fix_after is not None:
        fix_after = _whole("fix_after", fix_after, MIN_FIX_AFTER)

    valid = ~np.isnan(x)
    n_points = np.count_nonzero(valid, axis=1).astype(np.int64)

    centre, amr = _centre_and_amr(x, valid, fix_after, screen)
    with np.errstate(invalid="ignore"):
        spread = XMR_LIMIT_FACTOR * amr
        near = NEAR_FACTOR * amr
    upper = centre + spread
    lower = centre - spread
    near_upper = centre + near
    near_lower = centre - near

    rule, high = _rules(
        x,
        centre,
        lower,
        upper,
        near_lower,
        near_upper,
        shift_length,
        trend_length,
        two_of_three,
    )
    signal = _signals(rule, high, imp)
    variation = _variation(signal, high, valid, n_points)
    assurance = _assurance(imp, tgt, lower, upper)
    return BatchResult(
        centre=centre,
        lower=lower,
        upper=upper,
        near_lower=near_lower,
        near_upper=near_upper,
        mean_moving_range=amr,
        n_points=n_points,
        rule=rule,
        signal=signal,
        variation=variation,
        assurance=assurance,
    )


def _as_matrix(values: ArrayLike, name: str = "values") -> FloatArray:
    try:
        x = np.ascontiguousarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"{name} must be a 2-D array of numbers (series × periods) with NaN for "
            f"missing values; could not convert it: {error}"
        ) from None
    if x.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D (series × periods); got {x.ndim} dimension(s) — "
            f"wrap a single series as [{name}]"
        )
    if np.isinf(x).any():
        s, p = np.argwhere(np.isinf(x))[0]
        raise ValueError(
            f"{name} must be finite; series {s}, period {p} is {x[s, p]} "
            "(use NaN for a missing value)"
        )
    return x


def _improvement_codes(improvement: Any, n_series: int) -> NDArray[np.intp]:
    if isinstance(improvement, str):
        if improvement not in _IMPROVEMENTS:
            raise ValueError(
                "improvement must be 'increase', 'decrease' or 'neither'; "
                f"got {improvement!r}"
            )
        return np.full(n_series, _IMPROVEMENTS.index(improvement), dtype=np.intp)
    labels = np.asarray(improvement, dtype=object)
    if labels.shape != (n_series,):
        raise ValueError(
            "improvement must be one string or one per series; "
            f"got shape {labels.shape} for {n_series} series"
        )
    is_increase = labels == "increase"
    is_decrease = labels == "decrease"
    is_known = is_increase | is_decrease | (labels == "neither")
    if not is_known.all():
        bad = labels[np.argmin(is_known)]
        raise ValueError(
            "improvement must be 'increase', 'decrease' or 'neither' for every series; "
            f"got {bad!r}"
        )
    codes: NDArray[np.intp] = is_increase.astype(np.intp) + 2 * is_decrease.astype(
        np.intp
    )
    return codes


def _targets(target: Any, n_series: int) -> FloatArray:
    if target is None:
        return np.full(n_series, np.nan)
    try:
        tgt = np.asarray(target, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"target must be a number or one number per series (NaN = none); got {target!r}"
        ) from None
    if tgt.ndim == 0:
        tgt = np.full(n_series, float(tgt))
    if tgt.shape != (n_series,):
        raise ValueError(
            "target must be one number or one per series; "
            f"got shape {tgt.shape} for {n_series} series"
        )
    if np.isinf(tgt).any():
        raise ValueError("target must be finite (use NaN for no target)")
    return tgt


def _whole(name: str, value: Any, least: int) -> int:
    """A whole number of points, at least ``least`` (12.0 is accepted as 12)."""
    try:
        is_whole = not isinstance(value, bool) and int(value) == value
    except (TypeError, ValueError, OverflowError):
        is_whole = False
    if not is_whole or value < least:
        raise ValueError(
            f"{name} must be a whole number of at least {least} points; got {value!r}"
        )
    return int(value)


def _centre_and_amr(
    x: FloatArray, valid: BoolArray, fix_after: int | None, screen: bool
) -> tuple[FloatArray, FloatArray]:
    """Mean and (screened) mean moving range of each row's baseline columns.

    Every mean is R's ``mean()``, computed for all rows at once by
    :mod:`openqi.spc.arithmetic` exactly as the single-series chart computes it.
    """
    if fix_after is not None:
        x = x[:, :fix_after]
        valid = valid[:, :fix_after]
    is_complete = bool(valid.all())
    filled = x
    if not is_complete:
        filled = x.copy()
        np.putmask(filled, ~valid, 0.0)
    # A moving range needs both neighbours: zero it where either is missing.
    has_mr = valid[:, 1:] & valid[:, :-1]
    mr = filled[:, 1:] - filled[:, :-1]
    np.abs(mr, out=mr)
    if not is_complete:
        mr *= has_mr
    count = np.count_nonzero(valid, axis=1).astype(np.int64)
    centre = means_from_sums(*accurate_sums(filled, count), count)
    amr, screened = screened_row_means(mr, has_mr, SCREEN_FACTOR, is_scratch=True)
    return centre, screened if screen else amr


def _doubling_offsets(length: int) -> list[int]:
    """Shifts that grow a window of one column to ``length`` columns by doubling.

    Each shift is at most the span reached so far, so combining a mask with
    itself shifted keeps the window contiguous: 7 → [1, 2, 3] (spans 2, 4, 7).
    There are about log2(length) of them.
    """
    power = length.bit_length() - 1
    offsets = [1 << i for i in range(power)]
    if length > 1 << power:
        offsets.append(length - (1 << power))
    return offsets


def _padded(
    compare: np.ufunc,
    left: FloatArray,
    right: FloatArray,
    n_periods: int,
    start: int = 0,
) -> BoolArray:
    """``compare(left, right)`` written into rows with one more, false, cell; flattened.

    ``left`` has ``n_periods - start`` columns and lands in columns
    ``start .. n_periods - 1`` of a ``(n_series, n_periods + 1)`` mask.
    """
    mask = np.zeros((left.shape[0], n_periods + 1), dtype=bool)
    if n_periods > start:
        compare(left, right, out=mask[:, start:n_periods])
    return mask.ravel()


def _in_long_runs(flags: BoolArray, length: int) -> BoolArray:
    """Where ``flags`` is true within a run of at least ``length`` true values.

    ``flags`` is one flat array of rows that each end in a false padding cell,
    so no run crosses from one series into the next. ``ends`` marks the last
    cell of every all-true window of ``length`` cells (AND of the mask with
    itself shifted, by doubling); the second pass spreads each window end back
    over its window (OR, by doubling): about 2·log2(length) whole-array
    boolean operations.
    """
    ends = flags
    for shift in _doubling_offsets(length):
        grown = np.empty_like(ends)
        grown[:shift] = False
        np.logical_and(ends[shift:], ends[:-shift], out=grown[shift:])
        ends = grown
    for shift in _doubling_offsets(length):
        grown = ends.copy()
        grown[:-shift] |= ends[shift:]
        ends = grown
    return ends


def _rules(
    x: FloatArray,
    centre: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    near_lower: FloatArray,
    near_upper: FloatArray,
    shift_length: int,
    trend_length: int,
    two_of_three: str,
) -> tuple[Int8Array, BoolArray]:
    """Rule code per point and whether each flagged point counts as high.

    The centre and lines are one per series (shape ``(S,)``, the XmR chart) or
    one per point (shape ``(S, P)``, the p and u charts' limits that vary with
    the denominator). Every line must lie on its own side of the centre (upper
    and near upper at or above it), as every chart's lines do.
    """
    n_series, n_periods = x.shape
    c, lo, up = _per_point(centre), _per_point(lower), _per_point(upper)
    nlo, nup = _per_point(near_lower), _per_point(near_upper)

    # The masks below are rows padded with one false cell, then flattened: the
    # padding breaks every run, step and window at the end of a series, so the
    # rules can shift whole flat arrays without mixing series. NaN compares
    # False everywhere: a missing value is on neither side, never near or
    # outside, and has no step either side of it.
    above = _padded(np.greater, x, c, n_periods)
    below = _padded(np.less, x, c, n_periods)
    outside = _padded(np.greater, x, up, n_periods)
    outside |= _padded(np.less, x, lo, n_periods)
    if two_of_three == "default":
        near = _padded(np.greater, x, nup, n_periods)
        near &= _padded(np.less, x, up, n_periods)
        low = _padded(np.less, x, nlo, n_periods)
        low &= _padded(np.greater, x, lo, n_periods)
        near |= low
    else:
        near = _padded(np.greater, x, nup, n_periods)
        near |= _padded(np.less, x, nlo, n_periods)
    size = above.size

    # Trend: trend_length - 1 consecutive rising (or falling) steps; rise[j]
    # is the step from point j - 1 into point j (for finite floats x[j] > x[j-1]
    # exactly when x[j] - x[j-1] > 0).
    rise = _padded(np.greater, x[:, 1:], x[:, :-1], n_periods, 1)
    fall = _padded(np.less, x[:, 1:], x[:, :-1], n_periods, 1)
    rise = _in_long_runs(rise, trend_length - 1)
    fall = _in_long_runs(fall, trend_length - 1)
    trend_step = rise | fall
    trend = trend_step.copy()
    trend[:-1] |= trend_step[1:]
    # Slope of a trend point: the step to the next point when that step is in
    # the same trend, else the step from the previous point.
    trend_up = rise.copy()
    trend_up[:-1] &= ~trend_step[1:]
    trend_up[:-1] |= rise[1:]

    # Two of three: three consecutive points on one side of the mean, at least
    # two of them in the near zone. A near-zone point is always on its side of
    # the mean (the near lines lie beyond the mean), so one mask serves both.
    a, b, d = near[:-2], near[1:-1], near[2:]
    window = (a & (b | d)) | (b & d)
    window &= (above[:-2] & above[1:-1] & above[2:]) | (
        below[:-2] & below[1:-1] & below[2:]
    )
    in_window = np.zeros(size, dtype=bool)
    in_window[:-2] = window
    in_window[1:-1] |= window
    in_window[2:] |= window
    near = near & in_window

    shift = _in_long_runs(above, shift_length)
    shift |= _in_long_runs(below, shift_length)

    # One rule per point, by priority; the masks are made disjoint first so the
    # codes can simply be added.
    taken = outside | trend
    is_trend = trend & ~outside
    near &= ~taken
    taken |= near
    shift &= ~taken
    rule = outside.view(np.int8) + 2 * is_trend.view(np.int8)
    rule += 3 * near.view(np.int8)
    rule += 4 * shift.view(np.int8)
    # High or low: a trend point by its slope, any other flagged point by its
    # side of the mean (a point beyond a limit is on that limit's side).
    high = is_trend & trend_up
    high |= ~is_trend & above
    shape = (n_series, n_periods + 1)
    return (
        np.ascontiguousarray(rule.reshape(shape)[:, :n_periods]),
        np.ascontiguousarray(high.reshape(shape)[:, :n_periods]),
    )


def _per_point(line: FloatArray) -> FloatArray:
    """A line of one value per series as a column, or per-point lines as they are."""
    return line[:, None] if line.ndim == 1 else line


def _signals(rule: Int8Array, high: BoolArray, imp: NDArray[np.intp]) -> Int8Array:
    """Signal code per point (index into ``SIGNALS``) from its rule, side and the
    series' direction of improvement."""
    # signal = low code + high × (high code − low code), zero where unflagged:
    # integer arithmetic, much faster than np.where on scattered masks.
    code_low = _SIGNAL_LOW[imp][:, None]
    signal: Int8Array = high.view(np.int8) * (_SIGNAL_HIGH[imp][:, None] - code_low)
    signal += code_low
    signal *= rule != 0
    return signal


def _variation(
    signal: Int8Array, high: BoolArray, valid: BoolArray, n_points: NDArray[np.int64]
) -> Int8Array:
    """Variation icon code from each series' last non-missing point."""
    n_series, n_periods = signal.shape
    if n_periods == 0:
        return np.zeros(n_series, dtype=np.int8)
    last = n_periods - 1 - np.argmax(valid[:, ::-1], axis=1)
    rows = np.arange(n_series)
    last_signal = signal[rows, last]
    last_high = high[rows, last]
    # improvement (1) → 1 high / 2 low; concern (2) → 3 / 4; neutral_high (3) → 5;
    # neutral_low (4) → 6 (indices into results.VARIATIONS).
    code: Int8Array = np.where(
        last_signal >= 3,
        last_signal + 2,
        2 * last_signal - last_high.astype(np.int8),
    ).astype(np.int8)
    code[(last_signal == 0) | (n_points == 0)] = 0
    return code


def _assurance(
    imp: NDArray[np.intp], target: FloatArray, lower: FloatArray, upper: FloatArray
) -> Int8Array:
    """Assurance icon code (index into ASSURANCES; -1 = none) per series."""
    above = target > upper
    below = target < lower
    # increase: above → consistent_fail (1), below → consistent_pass (0);
    # decrease: the reverse; otherwise inconsistent (2).
    code = np.full(len(imp), 2, dtype=np.int8)
    code[above] = np.where(imp[above] == 1, 1, 0)
    code[below] = np.where(imp[below] == 1, 0, 1)
    # No icon without a target, a direction or limits (as the single-series xmr).
    code[(imp == 0) | np.isnan(target) | np.isnan(lower) | np.isnan(upper)] = -1
    return code
