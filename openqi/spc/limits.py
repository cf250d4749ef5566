"""Centre lines, sigma estimates and the constants behind them, with their sources.

Every function here works on one phase's baseline: plain NumPy arrays in which
``NaN`` marks a value that must not take part (missing or excluded).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

__all__ = [
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
    return np.abs(np.diff(values))


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

    >>> mean_moving_range(np.array([1.0, 2.0, 1.0, 2.0, 30.0]), screen=False)
    7.75
    >>> mean_moving_range(np.array([1.0, 2.0, 1.0, 2.0, 30.0]))
    1.0
    """
    mr = moving_ranges(values)
    mr = mr[~np.isnan(mr)]
    if mr.size == 0:
        return math.nan
    amr = float(mr.mean())
    if screen:
        kept = mr[mr < SCREEN_FACTOR * amr]
        if kept.size:
            amr = float(kept.mean())
    return amr


def laney_sigma_z(z: FloatArray) -> float:
    """Laney's σ_z: the short-term spread of standardised points.

    σ_z = mean |z_i − z_(i−1)| / 1.128 over consecutive available z-scores
    (Laney 2002; qicharts2 ``pp``/``up`` charts). ``NaN`` when there are fewer
    than two consecutive values.

    >>> round(laney_sigma_z(np.array([0.0, 1.128, 0.0])), 6)
    1.0
    """
    mr = moving_ranges(z)
    mr = mr[~np.isnan(mr)]
    if mr.size == 0:
        return math.nan
    return float(mr.mean()) / D2
