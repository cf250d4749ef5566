"""Centre lines, sigma estimates and the constants behind them, with their sources.

Every function here works on one phase's baseline: plain NumPy arrays in which
``NaN`` marks a value that must not take part (missing or excluded).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .arithmetic import r_mean, r_median, r_sum, screened_row_means

__all__ = [
    "LinesFunction",
    "PhaseLines",
    "c_lines",
    "g_lines",
    "mr_lines",
    "p_lines",
    "pp_lines",
    "run_lines",
    "t_lines",
    "u_lines",
    "up_lines",
    "xmr_lines",
    "D2",
    "D4",
    "NEAR_FACTOR",
    "SCREEN_FACTOR",
    "SIGMA_MULTIPLE",
    "T_CHART_EXPONENT",
    "XMR_LIMIT_FACTOR",
    "laney_sigma_z",
    "mean_moving_range",
    "moving_ranges",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: Natural process limits are mean ± 2.66 × mean moving range. 2.66 = 3 / d2 with
#: d2 = 1.128 (n = 2), rounded as Wheeler & Chambers, *Understanding Statistical
#: Process Control* (2nd ed., 1992), §3.3, give it; NHS England's Making Data
#: Count guidance and NHSRplotthedots 0.2.2 (``ptd_calculate_...``: ``2.66``)
#: use the literal 2.66, so we do too.
XMR_LIMIT_FACTOR = 2.66
#: Upper limit for a moving range: D4 = 3.267 for subgroups of two (Wheeler &
#: Chambers 1992, table A.1; Montgomery, *Introduction to Statistical Quality
#: Control*, 7th ed., appendix VI). Used for the MR chart and for screening.
D4 = 3.267
#: Moving ranges at or above 3.267 × the mean moving range are screened out
#: before the limits are set (NHSRplotthedots 0.2.2 ``screen_outliers = TRUE``;
#: Provost & Murray, *The Health Care Data Guide*, 2011, p. 155).
SCREEN_FACTOR = D4
#: The "near" (two-sigma) lines of the two-of-three rule sit two thirds of the
#: way to the limits: mean ± (2/3 × 2.66) × AMR (NHS England, *Making Data Count*
#: SPC tool, "2 of 3 points close to the limits"; NHSRplotthedots 0.2.2).
NEAR_FACTOR = 2.0 / 3.0 * XMR_LIMIT_FACTOR
#: d2 for subgroups of two, the bias constant turning a mean moving range into a
#: standard deviation (ASTM STP 15D, 1976; Montgomery, appendix VI). Laney's p′
#: and u′ charts divide the mean moving range of z-scores by it (Laney, "Improved
#: control charts for attributes", *Quality Engineering* 14(4), 2002, 531–537).
D2 = 1.128
#: Shewhart's three-sigma limits for attribute charts (Montgomery, §6.2; as
#: qicharts2 draws them).
SIGMA_MULTIPLE = 3.0
#: The t chart transforms times between events by y^(1/3.6) to make them nearly
#: normal (Nelson, "A control chart for parts-per-million nonconforming items",
#: *Journal of Quality Technology* 26(3), 1994, 239–240; qicharts2 ``t`` chart).
T_CHART_EXPONENT = 3.6


def moving_ranges(values: FloatArray) -> FloatArray:
    """Absolute differences between consecutive values; ``NaN`` where either is missing.

    The result has one fewer element than ``values``. A missing value loses
    both moving ranges that touch it.

    >>> moving_ranges(np.array([1.0, 4.0, np.nan, 2.0, 3.0])).tolist()
    [3.0, nan, nan, 1.0]
    """
    mr = np.diff(values)
    return np.abs(mr, out=mr)


def mean_moving_range(values: FloatArray, *, screen: bool = True) -> float:
    """Mean moving range (AMR) of a baseline, optionally screened.

    Parameters
    ----------
    values
        The baseline values in time order; ``NaN`` marks a missing value.
    screen
        Drop every moving range at or above ``SCREEN_FACTOR`` × AMR (keeping
        only those strictly below) and recompute the mean once.

    Returns
    -------
    float
        The mean moving range, or ``NaN`` when there is no moving range.

    Notes
    -----
    AMR = mean |x_i − x_(i−1)|; with screening, AMR' = mean of the moving ranges
    below 3.267 × AMR (NHSRplotthedots 0.2.2; Provost & Murray 2011, p. 155).
    Both means are R's ``mean()`` (:func:`openqi.spc.arithmetic.r_mean`). When
    screening would drop every moving range (all equal to 0) the unscreened mean
    is kept.

    >>> mean_moving_range(np.array([1.0, 2.0, 1.0, 2.0, 30.0]), screen=False)
    7.75
    >>> mean_moving_range(np.array([1.0, 2.0, 1.0, 2.0, 30.0]))
    1.0
    """
    mr = moving_ranges(values)
    missing = np.isnan(mr)
    if missing.any():
        mr = mr[~missing]
    del missing
    if mr.size == 0:
        return math.nan
    # mr is this function's own array: the means may use it as scratch.
    amr, screened = screened_row_means(
        mr[None, :], np.ones((1, mr.size), dtype=bool), SCREEN_FACTOR, is_scratch=True
    )
    return float(screened[0] if screen else amr[0])


def laney_sigma_z(z: FloatArray, *, screen: bool = True) -> float:
    """Laney's σ_z: the short-term spread of standardised points.

    σ_z = AMR / 1.128, where AMR is the mean moving range |z_i − z_(i−1)| of
    consecutive available z-scores (Laney 2002; qicharts2 ``pp``/``up``
    charts). With ``screen`` (the default), moving ranges at or above
    3.267 × AMR are dropped and AMR is taken again, as qicharts2 0.8 does when
    the package is attached (its option ``qic.screenedmr``, set by
    ``.onAttach``; Nelson, "Control charts for individual measurements",
    *Journal of Quality Technology* 14(3), 1982, 172–173), so that one freak
    jump does not widen every limit. ``NaN`` when there are fewer than two
    consecutive values.

    >>> round(laney_sigma_z(np.array([0.0, 1.128, 0.0])), 6)
    1.0
    >>> z = np.array([0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 30.0])
    >>> round(laney_sigma_z(z, screen=False), 3), round(laney_sigma_z(z), 3)
    (3.743, 0.887)
    """
    return mean_moving_range(z, screen=screen) / D2


# --------------------------------------------------------------------------- per-chart lines
# Each function gets one phase's plotted values, its denominators (or None), the
# baseline mask, the screening option and the numerators (or None), and returns
# the phase's lines. Centres are R's mean(), median() and sum() (see
# openqi.spc.arithmetic), so that a point equal to the centre is on neither side.


@dataclass
class PhaseLines:
    """One phase's lines for every point of the phase, in the chart's own units."""

    centre: FloatArray
    lower: FloatArray
    upper: FloatArray
    near_lower: FloatArray
    near_upper: FloatArray
    phase_centre: float
    mean_moving_range: float | None = None
    #: Where the rules should judge on another scale than the plotted one (the
    #: t chart's transformed scale): the values and lines on that scale.
    judged_values: FloatArray | None = None
    judged_lines: PhaseLines | None = None


# A limits function gets the phase's plotted values, its denominators (or None),
# the baseline mask, the screening option and the numerators (or None), and
# returns the lines.
LinesFunction = Callable[
    [FloatArray, FloatArray | None, BoolArray, bool, FloatArray | None], PhaseLines
]


def _constant(n: int, value: float) -> FloatArray:
    return np.full(n, value, dtype=np.float64)


def _xmr_phase_lines(values: FloatArray, base: BoolArray, screen: bool) -> PhaseLines:
    n = len(values)
    baseline = np.where(base, values, np.nan)
    centre = r_mean(baseline)
    # Moving ranges only within the baseline stretch: points after a frozen
    # baseline must not feed the limits they are judged against.
    last = int(np.flatnonzero(base)[-1]) + 1 if base.any() else 0
    amr = mean_moving_range(baseline[:last], screen=screen)
    return PhaseLines(
        centre=_constant(n, centre),
        lower=_constant(n, centre - XMR_LIMIT_FACTOR * amr),
        upper=_constant(n, centre + XMR_LIMIT_FACTOR * amr),
        near_lower=_constant(n, centre - NEAR_FACTOR * amr),
        near_upper=_constant(n, centre + NEAR_FACTOR * amr),
        phase_centre=centre,
        mean_moving_range=amr,
    )


def xmr_lines(
    values: FloatArray,
    _den: FloatArray | None,
    base: BoolArray,
    screen: bool,
    _num: FloatArray | None = None,
) -> PhaseLines:
    return _xmr_phase_lines(values, base, screen)


def _sigma_lines(
    centre: float, sigma: FloatArray, *, floor: float | None, ceiling: float | None
) -> PhaseLines:
    n = len(sigma)

    def line(multiple: float) -> FloatArray:
        # centre + multiple × σ, clipped, in one new array: (−kσ) + c is c − kσ
        # exactly, as IEEE subtraction is the addition of the negation.
        a = np.multiply(sigma, multiple)
        a += centre
        if floor is not None:
            np.maximum(a, floor, out=a)
        if ceiling is not None:
            np.minimum(a, ceiling, out=a)
        return a

    return PhaseLines(
        centre=_constant(n, centre),
        lower=line(-SIGMA_MULTIPLE),
        upper=line(SIGMA_MULTIPLE),
        near_lower=line(-2.0),
        near_upper=line(2.0),
        phase_centre=centre,
    )


def _denominators(den: FloatArray | None) -> FloatArray:
    if den is None:
        raise TypeError("this chart's limits need denominators")
    return den


def _pooled(
    values: FloatArray, den: FloatArray, base: BoolArray, num: FloatArray | None
) -> float:
    """Σy / Σn over the baseline, each sum as R's ``sum()`` (qicharts2 ``qic.p``)."""
    use = base & ~np.isnan(values)
    total = r_sum(den[use])
    # The numerators themselves, not value × denominator: y/n·n need not give y
    # back exactly, and then a constant proportion would miss its own centre.
    counts = values[use] * den[use] if num is None else num[use]
    return r_sum(counts) / total if total > 0 else math.nan


def p_lines(
    values: FloatArray,
    den: FloatArray | None,
    base: BoolArray,
    _s: bool,
    num: FloatArray | None = None,
) -> PhaseLines:
    den = _denominators(den)
    p = _pooled(values, den, base, num)
    sigma = np.sqrt(p * (1 - p) / den)
    return _sigma_lines(p, sigma, floor=0.0, ceiling=1.0)


def u_lines(
    values: FloatArray,
    den: FloatArray | None,
    base: BoolArray,
    _s: bool,
    num: FloatArray | None = None,
) -> PhaseLines:
    den = _denominators(den)
    u = _pooled(values, den, base, num)
    sigma = np.sqrt(u / den)
    return _sigma_lines(u, sigma, floor=0.0, ceiling=None)


def _laney(
    values: FloatArray, sigma: FloatArray, centre: float, base: BoolArray, screen: bool
) -> FloatArray:
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(base, (values - centre) / sigma, np.nan)
    z[~np.isfinite(z)] = np.nan
    last = int(np.flatnonzero(base)[-1]) + 1 if base.any() else 0
    return sigma * laney_sigma_z(z[:last], screen=screen)


def pp_lines(
    values: FloatArray,
    den: FloatArray | None,
    base: BoolArray,
    screen: bool,
    num: FloatArray | None = None,
) -> PhaseLines:
    den = _denominators(den)
    p = _pooled(values, den, base, num)
    sigma = np.sqrt(p * (1 - p) / den)
    return _sigma_lines(
        p, _laney(values, sigma, p, base, screen), floor=0.0, ceiling=1.0
    )


def up_lines(
    values: FloatArray,
    den: FloatArray | None,
    base: BoolArray,
    screen: bool,
    num: FloatArray | None = None,
) -> PhaseLines:
    den = _denominators(den)
    u = _pooled(values, den, base, num)
    sigma = np.sqrt(u / den)
    return _sigma_lines(
        u, _laney(values, sigma, u, base, screen), floor=0.0, ceiling=None
    )


def c_lines(
    values: FloatArray,
    _den: FloatArray | None,
    base: BoolArray,
    _s: bool,
    _num: FloatArray | None = None,
) -> PhaseLines:
    c = r_mean(values[base])
    return _sigma_lines(
        c, _constant(len(values), math.sqrt(c)), floor=0.0, ceiling=None
    )


def g_lines(
    values: FloatArray,
    _den: FloatArray | None,
    base: BoolArray,
    _s: bool,
    _num: FloatArray | None = None,
) -> PhaseLines:
    use = values[base & ~np.isnan(values)]
    m = r_mean(use)
    lines = _sigma_lines(
        m, _constant(len(values), math.sqrt(m * (m + 1))), floor=0.0, ceiling=None
    )
    # The g chart draws the median as its centre line; the limits stay about the mean
    # (Benneyan, "Number-between g-type statistical quality control charts",
    # Health Care Management Science 4, 2001, 305–318; qicharts2 ``g`` chart).
    median = r_median(use)
    lines.centre = _constant(len(values), median)
    lines.phase_centre = median
    return lines


def t_lines(
    values: FloatArray,
    _den: FloatArray | None,
    base: BoolArray,
    screen: bool,
    _num: FloatArray | None = None,
) -> PhaseLines:
    transformed = values ** (1.0 / T_CHART_EXPONENT)
    lines = _xmr_phase_lines(transformed, base, screen)

    def back(a: FloatArray) -> FloatArray:
        return np.maximum(a, 0.0) ** T_CHART_EXPONENT

    return PhaseLines(
        centre=back(lines.centre),
        lower=back(lines.lower),
        upper=back(lines.upper),
        near_lower=back(lines.near_lower),
        near_upper=back(lines.near_upper),
        phase_centre=float(back(np.array([lines.phase_centre]))[0]),
        mean_moving_range=lines.mean_moving_range,
        # Judge on the transformed scale, where the centre is R's mean(): the
        # back-transform can move a line by a bit, so that a constant series
        # would sit just off its own centre on the plotted scale.
        judged_values=transformed,
        judged_lines=lines,
    )


def mr_lines(
    values: FloatArray,
    _den: FloatArray | None,
    base: BoolArray,
    _s: bool,
    _num: FloatArray | None = None,
) -> PhaseLines:
    amr = r_mean(values[base])
    n = len(values)
    return PhaseLines(
        centre=_constant(n, amr),
        lower=_constant(n, 0.0),
        upper=_constant(n, D4 * amr),
        near_lower=_constant(n, math.nan),
        near_upper=_constant(n, math.nan),
        phase_centre=amr,
        mean_moving_range=amr,
    )


def run_lines(
    values: FloatArray,
    _den: FloatArray | None,
    base: BoolArray,
    _s: bool,
    _num: FloatArray | None = None,
) -> PhaseLines:
    median = r_median(values[base])
    n = len(values)
    nan = _constant(n, math.nan)
    return PhaseLines(
        _constant(n, median), nan, nan.copy(), nan.copy(), nan.copy(), median
    )
