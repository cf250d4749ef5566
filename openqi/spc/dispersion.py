"""Over-dispersion: when a p or u chart's limits are too narrow for the data.

A p chart assumes binomial variation and a u chart Poisson variation. With the
large denominators of NHS data (20,000 A&E attendances a month) real
month-to-month differences — case mix, staffing, coding — dwarf that, the
limits hug the centre line and almost every point looks like a special cause.
:func:`overdispersion` says when that is happening, so that people are pointed
to Laney's p′ or u′ chart instead.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from .arithmetic import r_sum
from .distributions import chi_square_sf
from .limits import laney_sigma_z
from .results import Dispersion

__all__ = [
    "DISPERSION_ALPHA",
    "MIN_DISPERSION_POINTS",
    "is_overdispersion_warning",
    "overdispersion",
]

FloatArray = NDArray[np.float64]

#: The fewest usable points on which over-dispersion is judged: the same
#: 12-point minimum as for a chart's limits (NHS England, *Making Data Count*:
#: "limits need at least 12 data points"); with fewer, neither σ_z nor the
#: chi-square test has enough moving ranges or degrees of freedom to go on.
MIN_DISPERSION_POINTS: int = 12
#: Significance level of the chi-square test. 1% rather than 5%: the warning
#: should seldom fire on data that really are binomial or Poisson (about 1 chart
#: in 100 in a simulation of 12-, 24- and 36-point series), while the
#: over-dispersion that misleads is found almost every time (see
#: :func:`overdispersion`).
DISPERSION_ALPHA = 0.01

_CHARTS = {"p": ("p′", "proportion"), "u": ("u′", "rate")}


def overdispersion(
    numerators: Sequence[float | None] | FloatArray,
    denominators: Sequence[float | None] | FloatArray,
    *,
    chart: str = "p",
) -> Dispersion:
    """Test whether proportions (p) or rates (u) vary more than their chart assumes.

    Parameters
    ----------
    numerators
        Events per period (cases with the attribute, or counts), in time
        order; ``None``/``NaN`` for a missing period.
    denominators
        Cases (p) or exposure (u) per period; a period whose denominator is
        missing or not above 0 is left out.
    chart
        ``"p"`` (binomial model) or ``"u"`` (Poisson model).

    Returns
    -------
    Dispersion
        ``sigma_z`` (Laney's σ_z), ``ratio`` (φ), ``p_value``, ``points``
        (usable points), ``is_assessed`` (at least
        :data:`MIN_DISPERSION_POINTS` points), ``is_overdispersed`` and
        ``message`` (one sentence suggesting the p′ or u′ chart; ``""`` when
        not over-dispersed). The three figures are ``NaN`` when not assessed,
        and also when the pooled proportion is 0 or 1 (or the rate 0): then
        every point is on the centre line and there is nothing to test.

    Raises
    ------
    ValueError
        If ``chart`` is not ``"p"`` or ``"u"``, the inputs differ in length,
        a numerator is negative or (for p) above its denominator.

    Notes
    -----
    With p̄ = Σy/Σn over the usable points, σᵢ = √(p̄(1 − p̄)/nᵢ) (p) or
    √(p̄/nᵢ) (u), and zᵢ = (yᵢ/nᵢ − p̄)/σᵢ:

    - **the Pearson chi-square dispersion test**, as Spiegelhalter ("Handling
      over-dispersion of performance indicators", *Qual Saf Health Care* 14,
      2005, 347–351) uses it: without over-dispersion Σz² follows χ² on
      n − 1 degrees of freedom (one lost to estimating p̄; for p this is the
      classical chi-square test that the n proportions are equal). ``ratio``
      is φ = Σz²/(n − 1), about 1 for binomial (Poisson) data, and
      ``p_value`` = P(χ²(n − 1) ≥ Σz²) (:func:`openqi.spc.distributions.chi_square_sf`);
    - **Laney's σ_z** (Laney, "Improved control charts for attributes",
      *Quality Engineering* 14(4), 2002, 531–537): the screened mean moving
      range of z / 1.128, exactly the factor by which the p′ (u′) chart widens
      the limits (:func:`openqi.spc.pp_chart`).

    The data are over-dispersed when the test rejects at 1%
    (:data:`DISPERSION_ALPHA`) *and* σ_z > 1. Both are needed: the chi-square
    test alone also fires on a sustained shift in the process (a special cause
    the p chart should show), which inflates Σz² but hardly the point-to-point
    moving ranges that σ_z measures; σ_z alone is above 1 for half of all
    binomial series by chance. In a simulation (3,000 series each of 12, 24
    and 36 points, denominators 100–2,000) the pair flagged about 1% of
    binomial series and 95–100% of beta-binomial ones with an intra-class
    correlation of 0.005; it flags every monthly A&E four-hour-breach series
    tried (σ_z ≈ 8.7 for the RJZ type 1 department, φ ≈ 390).

    Examples
    --------
    >>> d = overdispersion([500, 510, 490] * 4, [1000] * 12)
    >>> d.is_assessed, d.is_overdispersed, round(d.ratio, 3)
    (True, False, 0.291)
    """
    if chart not in _CHARTS:
        raise ValueError(f"chart must be 'p' or 'u'; got {chart!r}")
    # None (and NaN) is a missing value; NumPy turns None into NaN for floats.
    y = np.array(numerators, dtype=np.float64).ravel()
    n = np.array(denominators, dtype=np.float64).ravel()
    if y.shape != n.shape:
        raise ValueError(
            f"overdispersion needs a denominator for every numerator; got {y.size} "
            f"numerators and {n.size} denominators"
        )
    with np.errstate(invalid="ignore"):
        usable = np.isfinite(y) & np.isfinite(n) & (n > 0)
        if (y[usable] < 0).any():
            raise ValueError("overdispersion: numerators cannot be negative")
        if chart == "p" and (y[usable] > n[usable]).any():
            raise ValueError(
                "overdispersion: a numerator is above its denominator; a proportion "
                "cannot exceed 1"
            )
    points = int(usable.sum())
    is_assessed = points >= MIN_DISPERSION_POINTS
    not_assessed = Dispersion(
        sigma_z=math.nan,
        ratio=math.nan,
        p_value=math.nan,
        points=points,
        is_assessed=is_assessed,
        is_overdispersed=False,
        message="",
    )
    if not is_assessed:
        return not_assessed
    centre = r_sum(y[usable]) / r_sum(n[usable])
    variance = centre * (1.0 - centre) if chart == "p" else centre
    if not variance > 0:
        return not_assessed
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(usable, (y / n - centre) / np.sqrt(variance / n), np.nan)
    statistic = r_sum(z[usable] ** 2)
    ratio = statistic / (points - 1)
    p_value = chi_square_sf(statistic, points - 1)
    sigma_z = laney_sigma_z(z, screen=True)
    is_overdispersed = bool(p_value < DISPERSION_ALPHA and sigma_z > 1.0)
    return Dispersion(
        sigma_z=sigma_z,
        ratio=ratio,
        p_value=p_value,
        points=points,
        is_assessed=True,
        is_overdispersed=is_overdispersed,
        message=_message(chart, ratio) if is_overdispersed else "",
    )


_ADVICE = "(Laney) chart instead."


def _message(chart: str, ratio: float) -> str:
    before, after = message_parts(chart)
    return f"{before}{ratio:.3g}{after}"


def message_parts(chart: str) -> tuple[str, str]:
    """The over-dispersion warning of a ``chart`` ("p" or "u") either side of
    its ratio (written with three significant figures): the batch charts
    word a whole column of warnings from them."""
    prime, what = _CHARTS[chart]
    return (
        f"The {what}s vary more than a {chart} chart allows for (dispersion ratio ",
        ", where about 1 is expected), so its limits are too narrow and ordinary "
        f"variation will look like special cause: use a {prime} {_ADVICE}",
    )


def is_overdispersion_warning(warning: str) -> bool:
    """Whether a chart warning is the over-dispersion one (the CLI prints it).

    >>> is_overdispersion_warning(overdispersion([0, 900] * 6, [1000] * 12).message)
    True
    """
    return warning.endswith(_ADVICE)
