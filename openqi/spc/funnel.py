"""Funnel plots for comparing organisations, after Spiegelhalter (2005).

A funnel plot sets each unit's indicator (a proportion, or an indirectly
standardised ratio of observed to expected) against its denominator, with
control limits that narrow as the denominator grows. The behaviour follows the
NHS-R package FunnelPlotR 0.6.0 (Mainey; CRAN release, ``R/funnel_plot.R``,
``R/calculate_limits.R``, ``R/od_adjustment.R``), as fixed in the SPC contract.

The exact Poisson limits need chi-square quantiles; as the core may not import
SciPy they come from :mod:`openqi.spc.distributions` (the regularised lower
incomplete gamma function by its power series, and Newton's method on the log
scale). Expected counts are rounded with R's ``round()``
(:func:`openqi.spc.arithmetic.r_round`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import cast, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

from openqi.spc.arithmetic import r_round, r_sum
from openqi.spc.distributions import chi_square_quantile, gamma_quantile
from openqi.spc.results import FunnelResult, FunnelUnits

__all__ = ["Z95", "Z998", "funnel"]

# Kept under its old private name for existing callers.
_chi_square_quantile = chi_square_quantile

FloatArray = NDArray[np.float64]

#: Standard normal quantiles for the two funnel limits, to the six decimals that
#: FunnelPlotR 0.6 writes as literals (``R/calculate_limits.R``: ``1.959964`` and
#: ``3.090232``); they are Φ⁻¹(0.975) and Φ⁻¹(0.999), the two-sided 95% and
#: 99.8% limits of Spiegelhalter (2005), §3.
Z95 = 1.959964
Z998 = 3.090232

#: Lower and upper tail probabilities of the exact Poisson limits: 2.5%/97.5%
#: and 0.1%/99.9% (FunnelPlotR ``calculate_limits``: ``qchisq(0.975, …,
#: lower.tail = FALSE)`` and so on).
_P95 = (0.025, 0.975)
_P998 = (0.001, 0.999)

#: Share of units trimmed at each end before over-dispersion is estimated (10%:
#: Spiegelhalter et al. 2012, §3.3.2; NHS Digital, *SHMI methodology*; the
#: FunnelPlotR default ``trim_by = 0.1``).
_TRIM = 0.1

#: Points on the curves traced for drawing the funnel.
_CURVE_POINTS = 200

_TYPES = ("proportion", "ratio")
_LIMITS = ("95", "99.8")


def funnel(
    numerators: ArrayLike,
    denominators: ArrayLike,
    units: Sequence[object] | NDArray[np.str_],
    *,
    type: str = "proportion",  # the contract's keyword, though it shadows type()
    overdispersion: bool = True,
    limit: str = "99.8",
    multiply: float = 1.0,
) -> FunnelResult:
    r"""Funnel plot of proportions or indirectly standardised ratios.

    Each unit's value (numerator / denominator × ``multiply``) is set against
    95% and 99.8% control limits around a target, at the unit's denominator.
    A unit above the upper (below the lower) limit chosen by ``limit`` is a
    ``high`` (``low``) outlier; a unit exactly on a limit is not an outlier.

    Parameters
    ----------
    numerators
        Events per unit: deaths, 4-hour breaches. For ``type="ratio"`` the
        observed count O. Must be ≥ 0 and, for proportions, ≤ the denominator.
    denominators
        Per unit: the number at risk for proportions, the expected count E
        (from a risk model) for ratios. Must be > 0.
    units
        Unit names (organisations, wards, clinicians), unique; shown as text.
        A NumPy array of text (``dtype`` ``str``) is checked and kept as it is,
        without a Python string per unit.
    type
        ``"proportion"`` (target Σnumerator / Σdenominator) or ``"ratio"``
        (indirectly standardised ratio O/E, target 1).
    overdispersion
        Estimate over-dispersion and, when there is some (φ > 1), widen the
        limits by the between-unit variance τ² (default ``True``).
    limit
        Which limits judge outliers: ``"99.8"`` (default) or ``"95"``.
    multiply
        Scale for values, target and limits (100 for a percentage, 100 for a
        ratio reported as 100 = as expected). Must be > 0.

    Returns
    -------
    FunnelResult
        ``type``, ``limit`` and ``multiply`` as given; ``target`` (times
        ``multiply``); ``phi`` (the over-dispersion ratio φ, ``None`` when
        ``overdispersion`` is false or fewer than two units take part); ``tau2`` (the
        DerSimonian–Laird τ² on the transformed scale, as estimated, 0 when not
        estimated); ``adjusted`` (whether the limits include τ²); ``units``
        (one :class:`~openqi.spc.results.FunnelUnit` per unit, in input order,
        with its value, its 95% and 99.8% limits and its ``outlier`` verdict);
        ``curve_denominator`` (200 denominators spaced evenly on a log scale
        from the smallest to the largest) with ``curve_lower95``,
        ``curve_upper95``, ``curve_lower998`` and ``curve_upper998`` there, for
        drawing; ``warnings`` (why limits were not adjusted, which units were
        left out of the over-dispersion estimate and why).

    Raises
    ------
    ValueError
        If the three inputs differ in length or are empty, a number is missing
        or not a number, a denominator is ≤ 0, a numerator is < 0 or (for a
        proportion) above its denominator, a unit name repeats, or ``type``,
        ``limit`` or ``multiply`` is not allowed. The message names the unit
        and its row (counting from 1) and says how to put it right.

    Notes
    -----
    **Proportions** (Spiegelhalter 2005, §3.2 and appendix A.1.2; FunnelPlotR
    ``data_type = "PR"``). Target :math:`\theta = \sum y / \sum n`. On the
    arcsine-square-root scale a unit has :math:`Y = \arcsin\sqrt{y/n}`, standard
    error :math:`s = 1/(2\sqrt n)` and z-score
    :math:`z = (Y - \arcsin\sqrt\theta)/s`. Limits at denominator *n* are

    .. math:: \sin^2\!\bigl(\arcsin\sqrt\theta \pm z_\alpha\sqrt{s^2 + \tau^2}\bigr)

    with the angle clipped to :math:`[0, \pi/2]` so that the limits stay in
    [0, 1] (where the angle leaves that range, sin² would fold back; FunnelPlotR
    0.6 sets such non-monotonic stretches of its limit curves to 0 or 1, and
    the PowerBI-SPC engine clips the angle as we do).
    Unadjusted limits have :math:`\tau^2 = 0`.

    **Standardised ratios** (FunnelPlotR ``data_type = "SR"``). Target 1. The
    unadjusted limits are FunnelPlotR's exact Poisson limits, which treat the
    expected count E as if it were the observed count and take the exact
    (Garwood) confidence limits for a Poisson mean, divided by E:

    .. math:: \text{lower} = \frac{\chi^2_{\alpha/2}(2E)}{2E}, \qquad
              \text{upper} = \frac{\chi^2_{1-\alpha/2}(2E + 2)}{2E}

    with :math:`\alpha/2 = 0.025` (95%) or 0.001 (99.8%) and
    :math:`\chi^2_p(\nu)` the *p* quantile of chi-square on ν degrees of
    freedom, i.e. ``qchisq(0.975, 2E, lower.tail = FALSE) / 2 / E`` and
    ``qchisq(0.025, 2(E + 1), lower.tail = FALSE) / 2 / E`` in FunnelPlotR.
    As :math:`\chi^2_p(2a)/2` is the *p* quantile of a gamma(*a*, 1) variable,
    the quantile solves :math:`P(a, x) = p`, where *P* is the regularised lower
    incomplete gamma function, evaluated by its power series
    :math:`P(a,x) = x^a e^{-x}/\Gamma(a+1)\sum_{k\ge0} x^k/((a+1)\cdots(a+k))`
    (Abramowitz & Stegun 6.5.29; Press et al., *Numerical Recipes*, 3rd ed.,
    §6.2) and solved by Newton's method in :math:`u = \ln(x/a)`, where
    :math:`\ln P` is concave (the log-gamma density is log-concave), so the
    iteration converges from any start. Because the lower limits are positive
    for every E, an observed count of 0 is below them (only for E below about
    0.01 do they underflow to 0.0 in double precision).

    For ratios, expected counts are rounded to 2 decimal places before the
    limits and the over-dispersion estimate are computed, as FunnelPlotR does
    for the SHMI method, with R's ``round(x, 2)``
    (:func:`openqi.spc.arithmetic.r_round`: the nearer of the two 2-decimal
    candidates to the stored value, so 1.425 → 1.43 where ``np.round`` gives
    1.42). An expected count that would round to 0 (about 0.005 or less) is
    kept as given; the plotted value O/E uses the unrounded E.

    **Over-dispersion** (Spiegelhalter 2005, §4; Spiegelhalter et al. 2012,
    §3.3; DerSimonian & Laird 1986). Proportions: z-scores as above, winsorised
    at their 10th and 90th percentiles (R's default, type 7, quantiles).
    Ratios (SHMI method, NHS Digital *SHMI methodology*):
    :math:`z = \sqrt E \ln(O/E)`, :math:`s = 1/\sqrt E`, and units in the top
    and bottom 10% truncated (left out): with ranks *r* of z (ties averaged),
    a unit is kept when :math:`0 < \lfloor 10 r / (n + 1) \rfloor < 9`, as
    FunnelPlotR's ``truncation()`` does. A kept unit with O = 0 has no
    log-scale z-score and is left out of the estimate, with a warning. Over
    the *n* units taking part, :math:`\phi = \frac1n\sum z^2` and, with
    :math:`w = 1/s^2`,

    .. math:: \tau^2 = \max\Bigl(0, \frac{n\phi - (n - 1)}
              {\sum w - \sum w^2 / \sum w}\Bigr),

    0 when :math:`n\phi < n - 1`. Adjusted ratio limits are
    :math:`\exp(\pm z_\alpha\sqrt{1/E + \tau^2})`. When φ ≤ 1, or fewer than
    two units take part, the unadjusted limits are used and ``warnings`` says
    so. FunnelPlotR has decided on φ ≤ 1 since 0.4.2 (NEWS.md: "focus on phi
    … instead of tau"); the PowerBI-SPC engine adjusts whenever τ² > 0, which
    includes :math:`(n-1)/n < \phi \le 1`. With a single unit left FunnelPlotR
    divides by zero; we keep the unadjusted limits.

    References
    ----------
    Spiegelhalter DJ (2005). Funnel plots for comparing institutional
    performance. *Statistics in Medicine* 24(8):1185–1202. doi:10.1002/sim.1970

    Spiegelhalter DJ, Sherlaw-Johnson C, Bardsley M et al. (2012). Statistical
    methods for healthcare regulation: rating, screening and surveillance.
    *JRSS A* 175(1):1–47. doi:10.1111/j.1467-985X.2011.01010.x

    DerSimonian R, Laird N (1986). Meta-analysis in clinical trials.
    *Controlled Clinical Trials* 7(3):177–188.

    NHS Digital (2020). *Summary Hospital-level Mortality Indicator (SHMI):
    methodology*, v1.34.

    Examples
    --------
    >>> result = funnel(
    ...     [2, 12, 40], [100, 200, 300], ["A", "B", "C"], overdispersion=False, limit="95"
    ... )
    >>> result.target
    0.09
    >>> [(u.unit, round(u.upper95, 4), u.outlier) for u in result.units]
    [('A', 0.1536, 'low'), ('B', 0.1335, 'none'), ('C', 0.1249, 'high')]
    """
    kind = _check_choice("type", type, _TYPES)
    chosen_limit = _check_choice("limit", str(limit), _LIMITS)
    scale = _check_multiply(multiply)
    names = _check_units(units)
    num = _as_numbers("numerators", numerators, names)
    den = _as_numbers("denominators", denominators, names)
    _check_values(kind, num, den, names)

    warnings: list[str] = []
    if kind == "ratio":
        target = 1.0
        # R's round(x, 2), as FunnelPlotR calls it: 1.425 → 1.43 (np.round: 1.42).
        rounded = r_round(den, 2)
        tiny = rounded <= 0.0
        if np.any(tiny):
            warnings.append(
                "Expected counts of about 0.005 or less for "
                + _list_units(names, tiny)
                + " were not rounded to 2 decimal places (they would round to 0)."
            )
        limit_den = np.where(tiny, den, rounded)
    else:
        target = r_sum(num) / r_sum(den)
        limit_den = den

    phi: float | None = None
    tau2 = 0.0
    adjusted = False
    if overdispersion:
        if kind == "ratio":
            phi, tau2, notes = _shmi_overdispersion(num, limit_den, names)
        else:
            phi, tau2, notes = _arcsine_overdispersion(num, den, target)
        warnings.extend(notes)
        if tau2 > 0.0 and phi is not None and phi > 1.0:
            adjusted = True
        elif phi is not None and phi <= 1.0:
            warnings.append(
                f"No over-dispersion found (phi = {phi:.4g}, not above 1): "
                "the limits are the unadjusted ones."
            )
    used_tau2 = tau2 if adjusted else 0.0

    unit_limits = _limits(kind, limit_den, target, used_tau2, adjusted)
    values = num / den * scale
    judge = 0 if chosen_limit == "95" else 1
    lower = unit_limits[2 * judge] * scale
    upper = unit_limits[2 * judge + 1] * scale
    with np.errstate(invalid="ignore"):
        outlier = np.where(values > upper, 1, np.where(values < lower, 2, 0))
    funnel_units = FunnelUnits(
        names,
        num,
        den,
        values,
        unit_limits[0] * scale,
        unit_limits[1] * scale,
        unit_limits[2] * scale,
        unit_limits[3] * scale,
        outlier.astype(np.int8),
    )

    grid = np.geomspace(float(np.min(den)), float(np.max(den)), _CURVE_POINTS)
    curves = _limits(kind, grid, target, used_tau2, adjusted)
    return FunnelResult(
        type=kind,
        target=target * scale,
        phi=phi,
        tau2=tau2,
        adjusted=adjusted,
        limit=chosen_limit,
        multiply=scale,
        units=funnel_units,
        curve_denominator=grid,
        curve_lower95=curves[0] * scale,
        curve_upper95=curves[1] * scale,
        curve_lower998=curves[2] * scale,
        curve_upper998=curves[3] * scale,
        warnings=tuple(warnings),
    )


# --- limits -----------------------------------------------------------------


def _limits(
    kind: str, den: FloatArray, target: float, tau2: float, adjusted: bool
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Lower 95%, upper 95%, lower 99.8% and upper 99.8% limits at ``den``."""
    if kind == "proportion":
        centre = math.asin(min(1.0, math.sqrt(target)))
        spread = np.sqrt(1.0 / (4.0 * den) + tau2)
        out = []
        for z in (-Z95, Z95, -Z998, Z998):
            angle = np.clip(centre + z * spread, 0.0, math.pi / 2.0)
            out.append(np.sin(angle) ** 2)
        return out[0], out[1], out[2], out[3]
    if adjusted:
        spread = np.sqrt(1.0 / den + tau2)
        return (
            np.exp(-Z95 * spread),
            np.exp(Z95 * spread),
            np.exp(-Z998 * spread),
            np.exp(Z998 * spread),
        )
    return (
        gamma_quantile(_P95[0], den, -Z95) / den,
        gamma_quantile(_P95[1], den + 1.0, Z95) / den,
        gamma_quantile(_P998[0], den, -Z998) / den,
        gamma_quantile(_P998[1], den + 1.0, Z998) / den,
    )


def _outlier(value: float, lower: float, upper: float) -> str:
    """``high``/``low`` strictly beyond a limit, else ``none``."""
    if value > upper:
        return "high"
    if value < lower:
        return "low"
    return "none"


# --- over-dispersion ----------------------------------------------------------


def _dersimonian_laird(z: FloatArray, s: FloatArray) -> tuple[float, float]:
    """φ = mean z² and the DerSimonian–Laird τ² from z-scores and standard errors."""
    n = z.size
    phi = float(np.mean(z**2))
    if n * phi < n - 1:
        return phi, 0.0
    w = 1.0 / s**2
    spread = float(np.sum(w) - np.sum(w**2) / np.sum(w))
    return phi, max(0.0, (n * phi - (n - 1)) / spread)


def _too_few(n: int) -> str:
    return (
        f"Over-dispersion needs at least two units in its estimate (got {n}); "
        "the limits are the unadjusted ones. "
        "Add units or set overdispersion=False."
    )


def _arcsine_overdispersion(
    num: FloatArray, den: FloatArray, target: float
) -> tuple[float | None, float, list[str]]:
    """φ and τ² for proportions: arcsine z-scores, winsorised at 10%/90%."""
    if num.size < 2:
        return None, 0.0, [_too_few(int(num.size))]
    s = 1.0 / (2.0 * np.sqrt(den))
    z = (np.arcsin(np.sqrt(num / den)) - math.asin(min(1.0, math.sqrt(target)))) / s
    low, high = np.quantile(z, [_TRIM, 1.0 - _TRIM])
    phi, tau2 = _dersimonian_laird(np.clip(z, low, high), s)
    return phi, tau2, []


def _average_ranks(x: FloatArray) -> FloatArray:
    """Ranks 1..n, ties given their average rank (R's ``rank(ties = "average")``)."""
    _, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
    starts = np.cumsum(counts) - counts
    return (starts + (counts + 1) / 2.0)[inverse].astype(np.float64)


def _shmi_overdispersion(
    observed: FloatArray, expected: FloatArray, names: Sequence[str]
) -> tuple[float | None, float, list[str]]:
    """φ and τ² for ratios, SHMI method: log-scale z-scores, 10% truncated each end."""
    notes: list[str] = []
    with np.errstate(divide="ignore"):
        z = np.sqrt(expected) * np.log(observed / expected)
    groups = 1.0 / _TRIM
    band = np.floor(_average_ranks(z) * groups / (z.size + 1))
    kept = (band > 0) & (band < groups - 1)
    zero = kept & (observed == 0)
    if np.any(zero):
        notes.append(
            "Left out of the over-dispersion estimate because an observed count of 0 "
            "has no log-scale z-score: " + _list_units(names, zero) + "."
        )
        kept &= ~zero
    n = int(np.sum(kept))
    if n < 2:
        return None, 0.0, [*notes, _too_few(n)]
    phi, tau2 = _dersimonian_laird(z[kept], 1.0 / np.sqrt(expected[kept]))
    return phi, tau2, notes


# --- input checks ------------------------------------------------------------


def _check_choice(name: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        options = " or ".join(repr(v) for v in allowed)
        raise ValueError(f"funnel: {name} must be {options}; got {value!r}.")
    return value


def _check_multiply(multiply: float) -> float:
    try:
        scale = float(multiply)
    except (TypeError, ValueError):
        scale = math.nan
    if not (math.isfinite(scale) and scale > 0):
        raise ValueError(
            "funnel: multiply must be a positive number such as 1 or 100; "
            f"got {multiply!r}."
        )
    return scale


def _check_units(units: Sequence[object] | NDArray[np.str_]) -> Sequence[str]:
    if isinstance(units, np.ndarray) and units.dtype.kind == "U" and units.ndim == 1:
        if units.size and _all_distinct(units):
            return _UnitNames(units)
        units = units.tolist()  # none, or a repeat: named below
    names = list(map(str, units))
    if not names:
        raise ValueError(
            "funnel: needs at least one unit; got none. Pass one row per unit."
        )
    if len(set(names)) == len(names):
        return names
    seen: dict[str, int] = {}
    for row, name in enumerate(names, start=1):
        if name in seen:
            raise ValueError(
                f"funnel: unit {name!r} appears twice (rows {seen[name]} and {row}); "
                "unit names must be unique: add up each unit's numerators and "
                "denominators first."
            )
        seen[name] = row
    return names


def _all_distinct(names: NDArray[np.str_]) -> bool:
    """Whether no text of ``names`` repeats, without a Python string per name."""
    if not names.dtype.itemsize:  # every text empty
        return names.size < 2
    if names.size < 2 or bool(np.all(names[1:] > names[:-1])):
        return True  # in order, as a file of units usually is
    points = names.view(np.uint32).reshape(names.size, -1)
    if points.shape[1] <= 8 and int(points.max()) < 256:
        # Eight Latin-1 characters or fewer: one 64-bit integer each.
        keys = np.zeros((names.size, 8), dtype=np.uint8)
        keys[:, : points.shape[1]] = points
        ordered = np.sort(keys.view(np.uint64).ravel())
    else:
        ordered = np.sort(names)
    return not bool(np.any(ordered[1:] == ordered[:-1]))


class _UnitNames(Sequence[str]):
    """Unit names held as a NumPy text array; each is a Python string when read."""

    def __init__(self, array: NDArray[np.str_]) -> None:
        self.array = array

    def __len__(self) -> int:
        return int(self.array.size)

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return cast(list[str], self.array[i].tolist())
        return str(self.array[i])

    def __iter__(self) -> Iterator[str]:
        return iter(cast(list[str], self.array.tolist()))


def _as_numbers(name: str, values: ArrayLike, names: Sequence[str]) -> FloatArray:
    try:
        fast = np.asarray(values, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        fast = None
    if fast is not None and fast.size == len(names) and np.isfinite(fast).all():
        return fast
    # The slow path finds the first bad value and names it.
    items = list(np.asarray(values, dtype=object).ravel())
    if len(items) != len(names):
        raise ValueError(
            f"funnel: needs one {name[:-1]} per unit; got {len(items)} {name} "
            f"for {len(names)} units."
        )
    out = np.empty(len(items), dtype=np.float64)
    for i, item in enumerate(items):
        try:
            number = float(item)
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number):
            raise ValueError(
                f"funnel: {name[:-1]} for unit {names[i]!r} (row {i + 1}) is {item!r}, "
                "not a finite number; fill it in or leave the unit out."
            )
        out[i] = number
    return out


def _check_values(
    kind: str, num: FloatArray, den: FloatArray, names: Sequence[str]
) -> None:
    bad = (den <= 0) | (num < 0)
    if kind == "proportion":
        bad |= num > den
    for i in np.flatnonzero(bad)[:1].tolist():
        where = f"unit {names[i]!r} (row {i + 1})"
        if den[i] <= 0:
            raise ValueError(
                f"funnel: denominator for {where} is {den[i]:g}; denominators must be "
                "above 0: leave out units with no cases."
            )
        if num[i] < 0:
            raise ValueError(
                f"funnel: numerator for {where} is {num[i]:g}; "
                "numerators cannot be negative."
            )
        if kind == "proportion" and num[i] > den[i]:
            raise ValueError(
                f"funnel: numerator for {where} is {num[i]:g}, above its denominator "
                f"{den[i]:g}; a proportion cannot exceed 1: check the columns, or use "
                "type='ratio' for observed/expected."
            )


def _list_units(names: Sequence[str], mask: NDArray[np.bool_]) -> str:
    return ", ".join(repr(names[i]) for i in np.flatnonzero(mask).tolist())
