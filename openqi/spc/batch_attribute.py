"""Vectorised p, u, p′ and u′ charts for many series at once.

:func:`p_batch` and :func:`u_batch` compute, for every row of a series ×
periods pair of numerator and denominator arrays, exactly what
:func:`openqi.spc.charts.p_chart` and :func:`openqi.spc.charts.u_chart` compute
for that row alone (one phase, no rebasing, no exclusions): the centre, the
limits and near lines at every point, the rule and signal of every point, the
variation and assurance icons, and the over-dispersion test behind the chart's
warning. :func:`pp_batch` and :func:`up_batch` do the same for Laney's
:func:`openqi.spc.charts.pp_chart` and :func:`openqi.spc.charts.up_chart`, with
σ_z from the (screened) mean moving range of each row's z-scores. There is no
Python loop over series or points: the centre is a pooled ratio of two accurate
row sums, the limits are whole-array arithmetic, and the rules, signals and
icons are those of :mod:`openqi.spc.batch`, which take the limits one per point
here.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from openqi.spc.arithmetic import accurate_sums, screened_row_means
from openqi.spc.batch import (
    _TWO_OF_THREE,
    MIN_FIX_AFTER,
    _as_matrix,
    _assurance,
    _improvement_codes,
    _rules,
    _signals,
    _targets,
    _variation,
    _whole,
)
from openqi.spc.dispersion import DISPERSION_ALPHA, MIN_DISPERSION_POINTS
from openqi.spc.distributions import chi_square_quantile, chi_square_sf
from openqi.spc.inputs import check_series
from openqi.spc.limits import D2, SCREEN_FACTOR, SIGMA_MULTIPLE
from openqi.spc.results import AttributeBatchResult

__all__ = ["invalid_series", "p_batch", "pp_batch", "u_batch", "up_batch"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

# The constants and their sources live in openqi.spc.limits (three-sigma limits,
# SIGMA_MULTIPLE: Montgomery §6.2, as qicharts2 draws them; screening of moving
# ranges, SCREEN_FACTOR = 3.267; d2 = 1.128) and openqi.spc.dispersion (the 1%
# chi-square test and its 12-point minimum), shared with the single-series charts.
#: The near (two-sigma) lines of the two-of-three rule on an attribute chart:
#: centre ± 2σᵢ (openqi.spc.limits._sigma_lines; NHS England, *Making Data Count*:
#: "2 of 3 points close to the limits", the limits being ± 3σ).
NEAR_SIGMA = 2.0
#: A chi-square statistic within this relative distance of the 1% critical value
#: is judged by the upper tail itself (:func:`chi_square_sf`), as the single
#: chart judges every one: the quantile and the tail are computed by different
#: routes, which agree to about 1e-12 here, so the critical value decides the rest.
_CRITICAL_MARGIN = 1e-7

_CHARTS = {
    "p": ("proportion", "p_batch"),
    "u": ("rate", "u_batch"),
    "pp": ("proportion", "pp_batch"),
    "up": ("rate", "up_batch"),
}
#: The proportion charts: a numerator may not exceed its denominator, and the
#: limits are clipped at 1 as well as at 0.
_PROPORTIONS = ("p", "pp")


def p_batch(
    numerators: ArrayLike,
    denominators: ArrayLike,
    *,
    improvement: str | Sequence[str] | NDArray[Any] = "neither",
    target: float | ArrayLike | None = None,
    fix_after: int | None = None,
    shift_length: int = 7,
    trend_length: int = 7,
    two_of_three: str = "default",
    multiply: float | ArrayLike = 1.0,
) -> AttributeBatchResult:
    """p charts (proportions) of many series at once, with every MDC rule.

    Each row is one series, judged exactly as :func:`openqi.spc.charts.p_chart`
    judges it alone with one phase and no exclusions; whole-array NumPy, no
    Python loop over series or points.

    Parameters
    ----------
    numerators, denominators : array_like of float, shape (S, P)
        Cases with the attribute and cases, one series per row, one period per
        column. ``NaN`` in either marks a missing value; pad shorter series
        with ``NaN`` in both.
    improvement : {"neither", "increase", "decrease"} or sequence of them
        The direction of improvement, for every series or one per series.
    target : float or array_like of float, shape (S,), optional
        A target in plotted units (after ``multiply``), for every series or one
        per series (``NaN`` = none).
    fix_after : int, optional
        Compute p̄ (and the over-dispersion test) from the first ``fix_after``
        columns only (at least 12) and judge every point against those limits.
    shift_length, trend_length : int, default 7
        Points in a shift and in a trend (at least 2).
    two_of_three : {"default", "beyond_near"}
        ``"beyond_near"`` also counts points beyond the limits (MDC 2023).
    multiply : float or array_like of float, shape (S,), default 1
        Plotted value = proportion × ``multiply`` (100 for a percentage), for
        every series or one per series.

    Returns
    -------
    AttributeBatchResult
        Per series: ``centre`` (p̄), ``n_points``, ``variation``, ``assurance``,
        ``sigma_z``, ``dispersion_ratio``, ``is_overdispersed``; per point:
        ``values``, ``lower``, ``upper``, ``near_lower``, ``near_upper``,
        ``rule`` and ``signal``.

    Raises
    ------
    ValueError
        If the arrays are not two-dimensional and of one shape, hold
        infinities, or a value has no denominator above 0, a negative
        numerator or a numerator above its denominator (in the words of
        :func:`openqi.spc.check_series`, naming the series and period); or an
        option is out of range.

    Notes
    -----
    p̄ = Σy/Σn over the baseline (each sum R's ``sum()``); σᵢ = √(p̄(1 − p̄)/nᵢ);
    limits p̄ ± 3σᵢ and near lines p̄ ± 2σᵢ, clipped to [0, 1] (Montgomery,
    *Introduction to Statistical Quality Control*, 7th ed., §7.2; qicharts2
    ``p`` chart). Rules and icons as :func:`openqi.spc.xmr_batch`. A row with
    no value has ``NaN`` lines and no signal (the single chart refuses it).
    A missing point with a denominator still has limits, as in the single
    chart (a zero denominator there gives limits of 0 and 1).

    Examples
    --------
    >>> r = p_batch([[10, 12, 8], [5, 5, 20]], [[100, 100, 100], [50, 50, 50]])
    >>> r.centre.round(4).tolist(), r.upper[0].round(4).tolist()
    ([0.1, 0.2], [0.19, 0.19, 0.19])
    """
    return _attribute_batch(
        "p", numerators, denominators, improvement=improvement, target=target,
        fix_after=fix_after, shift_length=shift_length, trend_length=trend_length,
        two_of_three=two_of_three, multiply=multiply,
    )  # fmt: skip


def u_batch(
    numerators: ArrayLike,
    denominators: ArrayLike,
    *,
    improvement: str | Sequence[str] | NDArray[Any] = "neither",
    target: float | ArrayLike | None = None,
    fix_after: int | None = None,
    shift_length: int = 7,
    trend_length: int = 7,
    two_of_three: str = "default",
    multiply: float | ArrayLike = 1.0,
) -> AttributeBatchResult:
    """u charts (rates per unit of exposure) of many series at once.

    As :func:`p_batch`, for :func:`openqi.spc.charts.u_chart`: ū = Σy/Σn;
    σᵢ = √(ū/nᵢ); limits ū ± 3σᵢ, lower ≥ 0 (Montgomery §7.3.1; qicharts2 ``u``
    chart). A numerator may exceed its denominator.

    Examples
    --------
    >>> r = u_batch([[4, 6, 5]], [[1000, 1000, 1000]], multiply=1000)
    >>> round(float(r.centre[0]), 3), round(float(r.upper[0, 0]), 3)
    (5.0, 11.708)
    """
    return _attribute_batch(
        "u", numerators, denominators, improvement=improvement, target=target,
        fix_after=fix_after, shift_length=shift_length, trend_length=trend_length,
        two_of_three=two_of_three, multiply=multiply,
    )  # fmt: skip


def pp_batch(
    numerators: ArrayLike,
    denominators: ArrayLike,
    *,
    improvement: str | Sequence[str] | NDArray[Any] = "neither",
    target: float | ArrayLike | None = None,
    screen: bool = True,
    fix_after: int | None = None,
    shift_length: int = 7,
    trend_length: int = 7,
    two_of_three: str = "default",
    multiply: float | ArrayLike = 1.0,
) -> AttributeBatchResult:
    """Laney p′ charts of many series at once, with every MDC rule.

    Each row is one series, judged exactly as :func:`openqi.spc.charts.pp_chart`
    judges it alone with one phase and no exclusions; whole-array NumPy, no
    Python loop over series or points. Parameters as :func:`p_batch`, and
    ``screen`` as for ``pp_chart``: drop the moving ranges of the z-scores at or
    above 3.267 × their mean before σ_z is taken (default ``True``).

    Returns
    -------
    AttributeBatchResult
        As :func:`p_batch`, with ``sigma_z`` the σ_z that widens each series'
        limits (``NaN`` when a series has no two consecutive usable z-scores,
        or p̄ is 0 or 1: then it has no limits, and the single chart warns that
        it has too few values to set them). The over-dispersion test is not
        made (``dispersion_ratio`` ``NaN``, ``is_overdispersed`` false): a p′
        chart already allows for it.

    Notes
    -----
    p̄ = Σy/Σn over the baseline; σᵢ = √(p̄(1 − p̄)/nᵢ); zᵢ = (pᵢ − p̄)/σᵢ over
    the baseline points; σ_z = AMR/1.128 with AMR the mean moving range of
    consecutive z-scores, screened as :func:`openqi.spc.pp_chart` screens it;
    limits p̄ ± 3σᵢσ_z and near lines p̄ ± 2σᵢσ_z, clipped to [0, 1] (Laney,
    "Improved control charts for attributes", *Quality Engineering* 14(4),
    2002; qicharts2 0.8 ``qic.pp``). Every line is computed in the order the
    single chart computes it, so each is the same double.

    Examples
    --------
    >>> r = pp_batch([[520, 505, 498, 510, 640, 502, 515, 507, 499, 511]], [[1000] * 10])
    >>> round(float(r.lower[0, 0]), 4), round(float(r.upper[0, 0]), 4)
    (0.4922, 0.5492)
    """
    return _attribute_batch(
        "pp", numerators, denominators, improvement=improvement, target=target,
        fix_after=fix_after, shift_length=shift_length, trend_length=trend_length,
        two_of_three=two_of_three, multiply=multiply, screen=bool(screen),
    )  # fmt: skip


def up_batch(
    numerators: ArrayLike,
    denominators: ArrayLike,
    *,
    improvement: str | Sequence[str] | NDArray[Any] = "neither",
    target: float | ArrayLike | None = None,
    screen: bool = True,
    fix_after: int | None = None,
    shift_length: int = 7,
    trend_length: int = 7,
    two_of_three: str = "default",
    multiply: float | ArrayLike = 1.0,
) -> AttributeBatchResult:
    """Laney u′ charts of many series at once.

    As :func:`pp_batch`, for :func:`openqi.spc.charts.up_chart`: σᵢ = √(ū/nᵢ),
    zᵢ = (uᵢ − ū)/σᵢ, limits ū ± 3σᵢσ_z, lower ≥ 0 (Laney 2002; qicharts2 0.8
    ``qic.up``). A numerator may exceed its denominator.

    Examples
    --------
    >>> r = up_batch([[40, 60, 50, 55]], [[1000, 1000, 1000, 1000]])
    >>> round(float(r.centre[0]), 5)
    0.05125
    """
    return _attribute_batch(
        "up", numerators, denominators, improvement=improvement, target=target,
        fix_after=fix_after, shift_length=shift_length, trend_length=trend_length,
        two_of_three=two_of_three, multiply=multiply, screen=bool(screen),
    )  # fmt: skip


def invalid_series(
    chart: str, numerators: ArrayLike, denominators: ArrayLike
) -> BoolArray:
    """Which series (rows) :func:`p_batch` (``chart="p"``), :func:`u_batch`
    (``"u"``), :func:`pp_batch` (``"pp"``) or :func:`up_batch` (``"up"``) would
    refuse: a value with no denominator above 0, a negative numerator, or (p,
    p′) a numerator above its denominator.

    Lets a caller send those series elsewhere (the single-series chart says
    what is wrong in words) and the rest through the batch.

    >>> invalid_series("p", [[1, 2], [3, 2]], [[5, 5], [5, 0]]).tolist()
    [False, True]
    """
    if chart not in _CHARTS:
        raise ValueError(f"chart must be 'p', 'u', 'pp' or 'up'; got {chart!r}")
    y = np.asarray(numerators, dtype=np.float64)
    n = np.asarray(denominators, dtype=np.float64)
    return np.asarray(_bad_cells(chart, y, n).any(axis=1), dtype=bool)


def _bad_cells(chart: str, y: FloatArray, n: FloatArray) -> BoolArray:
    """The cells the single chart refuses (``charts._check_denominators``)."""
    with np.errstate(invalid="ignore"):
        bad = np.isnan(n) | (n <= 0) | (y < 0)
        if chart in _PROPORTIONS:
            bad |= y > n
    bad &= ~np.isnan(y)
    return bad


def _positive(name: str, value: Any, n_series: int) -> FloatArray:
    """A positive finite number, for every series or one per series."""
    try:
        out = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        out = np.array(np.nan)
    if out.ndim == 0:
        out = np.full(n_series, float(out))
    if out.shape != (n_series,):
        raise ValueError(
            f"{name} must be one number or one per series; "
            f"got shape {out.shape} for {n_series} series"
        )
    if not (np.isfinite(out) & (out > 0)).all():
        raise ValueError(
            f"{name} must be a positive number for every series; got {value!r}"
        )
    return out


def _clip(line: FloatArray, ceiling: float | None) -> FloatArray:
    np.maximum(line, 0.0, out=line)
    return line if ceiling is None else np.minimum(line, ceiling, out=line)


@functools.cache
def _critical_table(size: int) -> FloatArray:
    table: FloatArray = chi_square_quantile(
        1.0 - DISPERSION_ALPHA, np.arange(1, size + 1)
    )
    table.flags.writeable = False
    return table


def _critical_values(most_df: int) -> FloatArray:
    """The 99% quantiles of χ² on 1 … ``most_df`` (at least) degrees of freedom,
    computed once per power of two and kept."""
    return _critical_table(1 << max(6, (most_df - 1).bit_length()))


def _row_sums(values: FloatArray, count: NDArray[np.int64]) -> FloatArray:
    """R's ``sum()`` of each row over its ``count`` counted cells (zeros elsewhere).

    The accurate sum of :mod:`openqi.spc.arithmetic`, split for ``count``
    values as :func:`openqi.spc.arithmetic.r_sum` splits the counted values of
    one series, rounded once to a double.
    """
    high, low, scale = accurate_sums(values, count)
    total = np.asarray(
        high.astype(np.longdouble) + low.astype(np.longdouble), dtype=np.float64
    )
    return np.ldexp(total, scale.astype(np.int32)) if scale.any() else total


def _attribute_batch(
    chart: str,
    numerators: ArrayLike,
    denominators: ArrayLike,
    *,
    improvement: Any,
    target: Any,
    fix_after: int | None,
    shift_length: int,
    trend_length: int,
    two_of_three: str,
    multiply: Any,
    screen: bool = True,
) -> AttributeBatchResult:
    kind, name = _CHARTS[chart]
    is_proportion = chart in _PROPORTIONS
    is_laney = chart in ("pp", "up")
    y = _as_matrix(numerators, "numerators")
    n = _as_matrix(denominators, "denominators")
    if y.shape != n.shape:
        raise ValueError(
            f"{name} needs a denominator for every numerator; got numerators of "
            f"shape {y.shape} and denominators of shape {n.shape}"
        )
    n_series, n_periods = y.shape
    imp = _improvement_codes(improvement, n_series)
    tgt = _targets(target, n_series)
    mult = _positive("multiply", multiply, n_series)
    shift_length = _whole("shift_length", shift_length, 2)
    trend_length = _whole("trend_length", trend_length, 2)
    if two_of_three not in _TWO_OF_THREE:
        raise ValueError(
            f"two_of_three must be 'default' or 'beyond_near'; got {two_of_three!r}"
        )
    if fix_after is not None:
        fix_after = _whole("fix_after", fix_after, MIN_FIX_AFTER)
    bad = _bad_cells(chart, y, n)
    if bad.any():
        s, p = np.argwhere(bad)[0].tolist()
        check_series(
            kind,
            y[s, p : p + 1],
            n[s, p : p + 1],
            value_field="numerator",
            label=lambda _: f"{name}: series {s}, period {p}",
        )

    # The plotted value, as the single chart computes it: y / n, NaN where
    # either is missing (a missing numerator may have any denominator).
    with np.errstate(invalid="ignore", divide="ignore"):
        x = y / n
    valid = ~np.isnan(x)
    n_points = np.count_nonzero(valid, axis=1).astype(np.int64)
    base = valid.copy()
    if fix_after is not None:
        base[:, fix_after:] = False

    # p̄ = Σy / Σn over the baseline, each an R sum (openqi.spc.limits._pooled).
    count = np.count_nonzero(base, axis=1).astype(np.int64)
    total = _row_sums(np.where(base, n, 0.0), count)
    events = _row_sums(np.where(base, y, 0.0), count)
    with np.errstate(invalid="ignore", divide="ignore"):
        centre = np.where(total > 0, events / total, np.nan)
        c = centre[:, None]
        # σᵢ written as the single chart writes it (p_lines, u_lines), so that
        # every limit is the same double.
        sigma = np.sqrt(c * (1 - c) / n) if is_proportion else np.sqrt(c / n)
    spread = sigma
    if is_laney:
        # p′ and u′: σᵢ·σ_z, the product taken first as limits._laney takes it.
        laney_z = _laney_sigma_z(x, sigma, centre, base, screen)
        spread = sigma * laney_z[:, None]
    # Clipped as the single chart clips (limits._sigma_lines): at 0 below, and
    # for a proportion at 1 above.
    ceiling = 1.0 if is_proportion else None
    lower = _clip(c - SIGMA_MULTIPLE * spread, ceiling)
    upper = _clip(c + SIGMA_MULTIPLE * spread, ceiling)
    near_lower = _clip(c - NEAR_SIGMA * spread, ceiling)
    near_upper = _clip(c + NEAR_SIGMA * spread, ceiling)

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

    m = mult[:, None]
    lower *= m
    upper *= m
    near_lower *= m
    near_upper *= m
    # The assurance icon reads the limits of the last point that has them.
    has_limits = ~np.isnan(upper) & ~np.isnan(lower)
    rows = np.arange(n_series)
    at = n_periods - 1 - np.argmax(has_limits[:, ::-1], axis=1) if n_periods else rows
    has_any = has_limits.any(axis=1)
    lower_at = np.full(n_series, np.nan)
    upper_at = np.full(n_series, np.nan)
    lower_at[has_any] = lower[rows[has_any], at[has_any]]
    upper_at[has_any] = upper[rows[has_any], at[has_any]]
    assurance = _assurance(imp, tgt, lower_at, upper_at)

    if is_laney:
        sigma_z = laney_z
        ratio = np.full(n_series, np.nan)
        is_over = np.zeros(n_series, dtype=bool)
    else:
        sigma_z, ratio, is_over = _overdispersion(chart, x, sigma, centre, base, count)
    return AttributeBatchResult(
        chart=chart,
        values=x * m,
        centre=centre * mult,
        lower=lower,
        upper=upper,
        near_lower=near_lower,
        near_upper=near_upper,
        multiply=mult,
        n_points=n_points,
        rule=rule,
        signal=signal,
        variation=variation,
        assurance=assurance,
        sigma_z=sigma_z,
        dispersion_ratio=ratio,
        is_overdispersed=is_over,
    )


def _overdispersion(
    chart: str,
    x: FloatArray,
    sigma: FloatArray,
    centre: FloatArray,
    base: BoolArray,
    count: NDArray[np.int64],
) -> tuple[FloatArray, FloatArray, BoolArray]:
    """σ_z, φ and the verdict of :func:`openqi.spc.overdispersion` for every row.

    The single chart tests its baseline points: zᵢ = (yᵢ/nᵢ − p̄)/σᵢ with the
    chart's own σᵢ, φ = Σz²/(n − 1), the Pearson chi-square test of Σz² on
    n − 1 degrees of freedom at 1% and Laney's σ_z = screened mean moving
    range of z / 1.128; over-dispersed when the test rejects and σ_z > 1
    (sources in :mod:`openqi.spc.dispersion`). Assessed from 12 usable points
    and when p̄(1 − p̄) (p) or ū (u) is above 0.
    """
    n_series = x.shape[0]
    sigma_z = np.full(n_series, np.nan)
    ratio = np.full(n_series, np.nan)
    is_over = np.zeros(n_series, dtype=bool)
    variance = centre * (1.0 - centre) if chart == "p" else centre
    with np.errstate(invalid="ignore"):
        assessed = (count >= MIN_DISPERSION_POINTS) & (variance > 0)
    if not assessed.any():
        return sigma_z, ratio, is_over
    rows = np.flatnonzero(assessed)
    used = base[rows]
    if not used.all():
        last = int(np.flatnonzero(used.any(axis=0))[-1]) + 1
        used = used[:, :last]
    width = used.shape[1]
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (x[rows, :width] - centre[rows, None]) / sigma[rows, :width]
    z[~used] = 0.0
    points = count[rows]
    statistic = _row_sums(z * z, points)
    ratio[rows] = statistic / (points - 1)
    # Laney's σ_z: moving ranges between consecutive usable points only.
    has_mr = used[:, 1:] & used[:, :-1]
    mr = np.abs(z[:, 1:] - z[:, :-1])
    mr *= has_mr
    _, amr = screened_row_means(mr, has_mr, SCREEN_FACTOR, is_scratch=True)
    with np.errstate(invalid="ignore"):
        sigma_z[rows] = amr / D2
        wide = sigma_z[rows] > 1.0
    # The chi-square test, P(χ²(n − 1) ≥ Σz²) < 1%, as Σz² above the 99%
    # quantile: one quantile per distinct n − 1.
    df = (points - 1)[wide]
    stat = statistic[wide]
    critical = _critical_values(int(df.max(initial=1)))[df - 1]
    rejects = stat > critical
    # Near the critical value, the tail itself decides (as the single chart).
    close = np.flatnonzero(np.abs(stat - critical) <= _CRITICAL_MARGIN * critical)
    rejects[close] = [
        chi_square_sf(float(stat[k]), float(df[k])) < DISPERSION_ALPHA
        for k in close.tolist()
    ]
    is_over[rows[wide]] = rejects
    return sigma_z, ratio, is_over


def _laney_sigma_z(
    x: FloatArray,
    sigma: FloatArray,
    centre: FloatArray,
    base: BoolArray,
    screen: bool,
) -> FloatArray:
    """Laney's σ_z of every row, as :func:`openqi.spc.limits.pp_lines` takes it.

    zᵢ = (xᵢ − p̄)/σᵢ over the baseline points, a z that is not finite (σᵢ = 0
    when p̄ is 0 or 1) left out; the moving ranges |zᵢ − zᵢ₋₁| between
    consecutive usable z-scores only (a gap loses both); their mean, screened
    (moving ranges ≥ 3.267 × the mean dropped, the mean taken again) unless
    ``screen`` is false, divided by d2 = 1.128. ``NaN`` for a row with no
    moving range.
    """
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        z = (x - centre[:, None]) / sigma
    used = base & np.isfinite(z)
    z[~used] = 0.0
    has_mr = used[:, 1:] & used[:, :-1]
    with np.errstate(invalid="ignore", over="ignore"):
        mr = np.abs(z[:, 1:] - z[:, :-1])
    mr *= has_mr
    amr, screened = screened_row_means(mr, has_mr, SCREEN_FACTOR, is_scratch=True)
    with np.errstate(invalid="ignore"):
        return np.asarray((screened if screen else amr) / D2, dtype=np.float64)
