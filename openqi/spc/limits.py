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
    "PhaseScalars",
    "SCALAR_CHARTS",
    "lines_from_scalars",
    "phase_scalars",
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


@dataclass(frozen=True)
class PhaseScalars:
    """What one phase's lines are made of: the figures computed over its
    baseline, from which every point's lines follow (:func:`lines_from_scalars`,
    given the point's denominator where the chart has one).

    ``centre`` is the mean (XmR, c, g; the t chart's on the transformed scale),
    the pooled proportion or rate (p, u, p′, u′) or the median (run);
    ``amr`` the mean moving range (XmR, t); ``sigma_z`` Laney's σ_z (p′, u′);
    ``median`` the g chart's centre line (its limits stay about the mean).

    Each limits function below is :func:`phase_scalars` followed by
    :func:`lines_from_scalars`, so a chart computed a block of points at a time
    from the scalars (:mod:`openqi.spc.stream`) has the very same lines.
    """

    chart: str
    centre: float
    amr: float = math.nan
    sigma_z: float = math.nan
    median: float = math.nan


def _xmr_scalars(
    values: FloatArray, base: BoolArray, screen: bool
) -> tuple[float, float]:
    baseline = np.where(base, values, np.nan)
    centre = r_mean(baseline)
    # Moving ranges only within the baseline stretch: points after a frozen
    # baseline must not feed the limits they are judged against.
    last = int(np.flatnonzero(base)[-1]) + 1 if base.any() else 0
    amr = mean_moving_range(baseline[:last], screen=screen)
    return centre, amr


def _xmr_lines_from(n: int, centre: float, amr: float) -> PhaseLines:
    return PhaseLines(
        centre=_constant(n, centre),
        lower=_constant(n, centre - XMR_LIMIT_FACTOR * amr),
        upper=_constant(n, centre + XMR_LIMIT_FACTOR * amr),
        near_lower=_constant(n, centre - NEAR_FACTOR * amr),
        near_upper=_constant(n, centre + NEAR_FACTOR * amr),
        phase_centre=centre,
        mean_moving_range=amr,
    )


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


def _binomial_sigma(p: float, den: FloatArray) -> FloatArray:
    return np.sqrt(p * (1 - p) / den)


def _poisson_sigma(u: float, den: FloatArray) -> FloatArray:
    return np.sqrt(u / den)


def _laney_sigma_z(
    values: FloatArray, sigma: FloatArray, centre: float, base: BoolArray, screen: bool
) -> float:
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(base, (values - centre) / sigma, np.nan)
    z[~np.isfinite(z)] = np.nan
    last = int(np.flatnonzero(base)[-1]) + 1 if base.any() else 0
    return laney_sigma_z(z[:last], screen=screen)


#: The charts :func:`phase_scalars` and :func:`lines_from_scalars` know.
SCALAR_CHARTS = ("xmr", "run", "p", "u", "pp", "up", "c", "g", "t")


def phase_scalars(
    chart: str,
    values: FloatArray,
    den: FloatArray | None,
    base: BoolArray,
    screen: bool,
    num: FloatArray | None = None,
) -> PhaseScalars:
    """The figures one phase's lines are made of, computed over its baseline
    (``base``) from its plotted values, denominators and numerators."""
    if chart == "xmr":
        centre, amr = _xmr_scalars(values, base, screen)
        return PhaseScalars(chart, centre, amr=amr)
    if chart == "t":
        centre, amr = _xmr_scalars(values ** (1.0 / T_CHART_EXPONENT), base, screen)
        return PhaseScalars(chart, centre, amr=amr)
    if chart in ("p", "u", "pp", "up"):
        d = _denominators(den)
        pooled = _pooled(values, d, base, num)
        if chart in ("p", "u"):
            return PhaseScalars(chart, pooled)
        sigma = (
            _binomial_sigma(pooled, d) if chart == "pp" else _poisson_sigma(pooled, d)
        )
        sigma_z = _laney_sigma_z(values, sigma, pooled, base, screen)
        return PhaseScalars(chart, pooled, sigma_z=sigma_z)
    if chart == "c":
        return PhaseScalars(chart, r_mean(values[base]))
    if chart == "g":
        use = values[base & ~np.isnan(values)]
        return PhaseScalars(chart, r_mean(use), median=r_median(use))
    if chart == "run":
        return PhaseScalars(chart, r_median(values[base]))
    raise ValueError(f"no phase scalars for the {chart!r} chart")


def lines_from_scalars(
    scalars: PhaseScalars, den: FloatArray | None, n: int
) -> PhaseLines:
    """The lines of ``n`` points of a phase from its :class:`PhaseScalars` (and
    the points' denominators, for the charts whose limits vary with them).

    Every line is a function of the scalars and of the point's own
    denominator alone, so the lines of any stretch of a phase are those the
    whole phase would give there. For the t chart, ``judged_lines`` are the
    lines on the transformed scale; its ``judged_values`` are left to the
    caller (the values to the power 1/3.6)."""
    chart = scalars.chart
    if chart == "xmr":
        return _xmr_lines_from(n, scalars.centre, scalars.amr)
    if chart == "t":
        lines = _xmr_lines_from(n, scalars.centre, scalars.amr)

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
            judged_lines=lines,
        )
    if chart in ("p", "pp"):
        sigma = _binomial_sigma(scalars.centre, _denominators(den))
        if chart == "pp":
            sigma = sigma * scalars.sigma_z
        return _sigma_lines(scalars.centre, sigma, floor=0.0, ceiling=1.0)
    if chart in ("u", "up"):
        sigma = _poisson_sigma(scalars.centre, _denominators(den))
        if chart == "up":
            sigma = sigma * scalars.sigma_z
        return _sigma_lines(scalars.centre, sigma, floor=0.0, ceiling=None)
    if chart == "c":
        c = scalars.centre
        return _sigma_lines(c, _constant(n, math.sqrt(c)), floor=0.0, ceiling=None)
    if chart == "g":
        m = scalars.centre
        lines = _sigma_lines(
            m, _constant(n, math.sqrt(m * (m + 1))), floor=0.0, ceiling=None
        )
        # The g chart draws the median as its centre line; the limits stay about
        # the mean (Benneyan, "Number-between g-type statistical quality control
        # charts", Health Care Management Science 4, 2001, 305–318; qicharts2
        # ``g`` chart).
        lines.centre = _constant(n, scalars.median)
        lines.phase_centre = scalars.median
        return lines
    if chart == "run":
        nan = _constant(n, math.nan)
        return PhaseLines(
            _constant(n, scalars.centre), nan, nan.copy(), nan.copy(), nan.copy(),
            scalars.centre,
        )  # fmt: skip
    raise ValueError(f"no lines from scalars for the {chart!r} chart")


def _lines_function(chart: str) -> LinesFunction:
    def lines(
        values: FloatArray,
        den: FloatArray | None,
        base: BoolArray,
        screen: bool,
        num: FloatArray | None = None,
    ) -> PhaseLines:
        scalars = phase_scalars(chart, values, den, base, screen, num)
        out = lines_from_scalars(scalars, den, len(values))
        if chart == "t":
            out.judged_values = values ** (1.0 / T_CHART_EXPONENT)
        return out

    lines.__name__ = lines.__qualname__ = f"{chart}_lines"
    lines.__doc__ = (
        f"The {chart} chart's lines for one phase: :func:`phase_scalars` then "
        ":func:`lines_from_scalars`."
    )
    return lines


xmr_lines = _lines_function("xmr")
p_lines = _lines_function("p")
u_lines = _lines_function("u")
pp_lines = _lines_function("pp")
up_lines = _lines_function("up")
c_lines = _lines_function("c")
g_lines = _lines_function("g")
t_lines = _lines_function("t")
run_lines = _lines_function("run")


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
