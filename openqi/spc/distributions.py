"""Chi-square, gamma and binomial distribution functions, without SciPy.

The core may import only the standard library and NumPy, so the few
distribution functions it needs are written here: the gamma (and chi-square)
quantile for the exact Poisson limits of funnel plots, the chi-square upper
tail for the over-dispersion test of p and u charts, and the binomial quantile
(R's ``qbinom``) for the Anhøj crossings rule.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "binomial_quantile",
    "chi_square_quantile",
    "chi_square_sf",
    "gamma_quantile",
]

FloatArray = NDArray[np.float64]

#: Stirling series coefficients for ln Γ(a), B₂ₖ / (2k(2k − 1)) for k = 1..7
#: (Abramowitz & Stegun 6.1.40–6.1.41): 1/12, −1/360, 1/1260, −1/1680, 1/1188,
#: −691/360360, 1/156, multiplying a^-1, a^-3, …, a^-13. For a ≥ 10 the first
#: term left out is below 3e-17.
_STIRLING = (
    1.0 / 12.0,
    -1.0 / 360.0,
    1.0 / 1260.0,
    -1.0 / 1680.0,
    1.0 / 1188.0,
    -691.0 / 360360.0,
    1.0 / 156.0,
)


def _stirling_offset(a: FloatArray) -> FloatArray:
    """ln Γ(a + 1) − a ln a + a, accurate for large *a* (no cancellation)."""
    out = np.empty_like(a)
    small = a < 10.0
    for i in np.flatnonzero(small):
        ai = float(a[i])
        out[i] = math.lgamma(ai + 1.0) - ai * math.log(ai) + ai
    big = a[~small]
    series = np.zeros_like(big)
    for k, coefficient in enumerate(_STIRLING):
        series += coefficient / big ** (2 * k + 1)
    out[~small] = 0.5 * np.log(2.0 * math.pi * big) + series
    return out


def _log_gamma_cdf(
    a: FloatArray, u: FloatArray, offset: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """ln P(a, x) at x = a·e^u, and the series sum S (d ln P / du = a / S).

    ``offset`` is :func:`_stirling_offset` of ``a``. The prefactor
    ln(x^a e^-x / Γ(a + 1)) is written a(u − expm1 u) − offset to avoid the
    cancellation of a ln x − x − ln Γ(a + 1) when x ≈ a is large.
    """
    x = a * np.exp(u)
    total = np.ones_like(x)
    # Sum the series only where it has not yet converged (terms below 1e-17 of
    # the sum); once k > 2x each term is under half the last, so it always ends.
    active = np.arange(x.size)
    term, x_active, a_active = np.ones_like(x), x, a
    k = 0.0
    while active.size:
        k += 1.0
        term = term * x_active / (a_active + k)
        total[active] += term
        going = term > 1e-17 * total[active]
        if not np.all(going):
            active, term = active[going], term[going]
            x_active, a_active = x_active[going], a_active[going]
    log_prefix = a * (u - np.expm1(u)) - offset
    return log_prefix + np.log(total), total


def gamma_quantile(p: float, a: FloatArray, z: float = 0.0) -> FloatArray:
    """The *p* quantile of gamma(a, 1): x with P(a, x) = p; χ²_p(2a) = 2x.

    ``z`` (the standard normal *p* quantile) only sets the starting value, by
    the Wilson–Hilferty approximation x ≈ a(1 − 1/(9a) + z/(3√a))³ (Johnson,
    Kotz & Balakrishnan, *Continuous Univariate Distributions* 1, 2nd ed.,
    §18.5), or x ≈ (p Γ(a + 1))^(1/a) where that is not positive; Newton's
    method then converges from any start, so the answer does not depend on it.
    """
    a = np.asarray(a, dtype=np.float64)
    offset = _stirling_offset(a)
    log_p = math.log(p)
    base = 1.0 - 1.0 / (9.0 * a) + z / (3.0 * np.sqrt(a))
    log_gamma = np.array([math.lgamma(v + 1.0) for v in a])
    with np.errstate(divide="ignore", invalid="ignore"):
        u = np.where(
            base > 0.05, 3.0 * np.log(base), (log_p + log_gamma) / a - np.log(a)
        )
    for _ in range(200):
        log_cdf, total = _log_gamma_cdf(a, u, offset)
        step = (log_cdf - log_p) * total / a
        u = u - step
        if np.all(np.abs(step) <= 1e-12):
            break
    return a * np.exp(u)


def chi_square_quantile(p: float, df: ArrayLike) -> FloatArray:
    """The *p* quantile of chi-square on ``df`` degrees of freedom (R's ``qchisq``)."""
    return 2.0 * gamma_quantile(p, np.asarray(df, dtype=np.float64) / 2.0)


def chi_square_sf(statistic: float, df: float) -> float:
    """P(X ≥ statistic) for X ~ χ²(df): R's ``pchisq(statistic, df, lower.tail = FALSE)``.

    With a = df/2 and x = statistic/2 this is Q(a, x) = 1 − P(a, x), the
    regularised upper incomplete gamma function. Below x = a + 1 it is
    1 − P(a, x) from the power series of :func:`gamma_quantile`'s helper; above,
    the continued fraction Q(a, x) = xᵃe⁻ˣ/Γ(a) · 1/(x + 1 − a − 1·(1 − a)/(x + 3 − a − …))
    evaluated by the modified Lentz method (Abramowitz & Stegun 6.5.31; Press et
    al., *Numerical Recipes*, 3rd ed., §6.2), which converges fast there and
    keeps tiny tail probabilities accurate (no 1 − P cancellation).

    >>> round(chi_square_sf(3.841459, 1), 6)
    0.05
    >>> round(chi_square_sf(18.307038, 10), 6)
    0.05
    """
    if not (math.isfinite(df) and df > 0):
        raise ValueError(f"df must be a positive number; got {df!r}")
    if math.isnan(statistic):
        return math.nan
    if statistic <= 0:
        return 1.0
    if math.isinf(statistic):
        return 0.0
    a = df / 2.0
    x = statistic / 2.0
    a_array = np.array([a])
    offset = _stirling_offset(a_array)
    u = math.log(x / a)
    if x < a + 1.0:
        log_cdf, _ = _log_gamma_cdf(a_array, np.array([u]), offset)
        return -math.expm1(float(log_cdf[0]))
    tiny = 1e-300
    b = x + 1.0 - a
    c = 1.0 / tiny
    d = 1.0 / b
    fraction = d
    for i in range(1, 100_000):
        term = -i * (i - a)
        b += 2.0
        d = term * d + b
        d = tiny if abs(d) < tiny else d
        c = b + term / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        delta = d * c
        fraction *= delta
        if abs(delta - 1.0) < 1e-16:
            break
    # xᵃe⁻ˣ/Γ(a) = a · xᵃe⁻ˣ/Γ(a + 1), the latter written as in _log_gamma_cdf.
    log_prefix = a * (u - math.expm1(u)) - float(offset[0]) + math.log(a)
    return math.exp(log_prefix) * fraction


# --- binomial quantile --------------------------------------------------------

#: Up to this size a Binomial(size, 1/2) quantile is found by exact integer
#: arithmetic alone (a few milliseconds); above it, in floating point with an
#: exact check whenever the answer is within rounding error of a step.
_EXACT_SIZE = 2000
#: Relative margin within which the floating-point CDF cannot decide.
_MARGIN = 1e-9


def binomial_quantile(p: float, size: int, prob: float = 0.5) -> int:
    """The smallest x with P(X ≤ x) ≥ p for X ~ Binomial(size, prob): R's ``qbinom``.

    For ``prob = 0.5`` (the Anhøj crossings rule) the answer is exact for any
    size. Up to 2,000 trials the CDF is summed in integers, Σ C(size, k) against
    p·2^size with p taken as the exact rational value of the double; above, the
    probability mass is summed in floating point over a window of ±40 standard
    deviations (log-probabilities by recurrence from an anchor at the mode),
    and when the CDF lands within 1e-9 (relative) of p — about 10,000 times
    the rounding error — the two candidate answers are settled in exact integers,
    summing C(size, k) down from the candidate until a geometric bound on the
    terms left decides. Time and memory grow with √size, not size; no
    intermediate overflows (``p * 2**size`` did above 1,024 trials).

    For other ``prob`` the floating-point search is used with R's fuzz
    p·(1 − 64ε) for left continuity (``src/nmath/qbinom.c``).

    >>> binomial_quantile(0.05, 19)
    6
    >>> binomial_quantile(0.05, 1024), binomial_quantile(0.05, 999_999)
    (486, 499177)
    """
    if isinstance(size, bool) or int(size) != size or size < 0:
        raise ValueError(f"size must be a whole number of at least 0; got {size!r}")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"p must be between 0 and 1; got {p!r}")
    if not 0.0 <= prob <= 1.0:
        raise ValueError(f"prob must be between 0 and 1; got {prob!r}")
    size = int(size)
    if size == 0 or p == 0.0 or prob == 0.0:
        return 0
    if p == 1.0 or prob == 1.0:
        return size
    is_half = prob == 0.5
    if is_half and size <= _EXACT_SIZE:
        return _exact_half_search(p, size)
    target = p if is_half else p * (1.0 - 64.0 * 2.220446049250313e-16)
    x, cdf_x, cdf_before = _float_search(target, size, prob)
    if is_half and (
        abs(cdf_x - target) <= _MARGIN * target
        or abs(cdf_before - target) <= _MARGIN * target
    ):
        # Too close to call in floating point: decide x - 1, x, x + 1 exactly.
        for candidate in (x - 1, x, x + 1):
            if candidate >= 0 and _half_cdf_at_least(size, candidate, p):
                return candidate
        return x + 1  # pragma: no cover - the float error is far below one step
    return x


def _exact_half_search(p: float, size: int) -> int:
    frac = Fraction(p)
    target = frac.numerator << size
    cumulative = 0
    term = 1  # C(size, 0)
    for x in range(size + 1):
        cumulative += term
        if cumulative * frac.denominator >= target:
            return x
        term = term * (size - x) // (x + 1)
    return size


def _stirling_offsets(values: list[int]) -> list[float]:
    """ln Γ(a + 1) − a ln a + a for whole numbers a ≥ 0 (0 for a = 0)."""
    positive = np.array([max(v, 1) for v in values], dtype=np.float64)
    offsets = _stirling_offset(positive)
    return [0.0 if v == 0 else float(o) for v, o in zip(values, offsets, strict=True)]


def _float_search(target: float, size: int, prob: float) -> tuple[int, float, float]:
    """(x, P(X ≤ x), P(X ≤ x − 1)) for the smallest x with P(X ≤ x) ≥ target.

    The log-probabilities come from one anchor at the mode, written without
    cancellation as a·ln(n·p/a) + (n − a)·ln(n·q/(n − a)) plus Stirling offsets
    (relative error about 1e-15), and from there by the ratio of neighbouring
    terms, summed outwards, so that the terms near the quantile carry errors
    near 1e-13; the mass beyond ±40 standard deviations (below 1e-300) is left
    out.
    """
    q = 1.0 - prob
    mean = size * prob
    sd = math.sqrt(size * prob * q)
    lo = max(0, math.floor(mean - 40.0 * sd - 10.0))
    hi = min(size, math.ceil(mean + 40.0 * sd + 10.0))
    mode = min(hi, max(lo, round(mean)))
    off_n, off_a, off_b = _stirling_offsets([size, mode, size - mode])
    anchor = off_n - off_a - off_b
    if mode > 0:
        anchor += mode * math.log1p((mean - mode) / mode)
    if mode < size:
        anchor += (size - mode) * math.log1p((size * q - (size - mode)) / (size - mode))
    k = np.arange(lo, hi, dtype=np.float64)
    # log pmf(k + 1) − log pmf(k) = log((n − k)/(k + 1)) + log(p/q).
    steps = np.log((size - k) / (k + 1.0)) + math.log(prob / q)
    at = mode - lo
    upward = anchor + np.cumsum(steps[at:])
    downward = anchor - np.cumsum(steps[:at][::-1])[::-1]
    log_pmf = np.concatenate((downward, [anchor], upward))
    cdf = np.cumsum(np.exp(log_pmf))
    found = int(np.searchsorted(cdf, target, side="left"))
    if found >= cdf.size:
        return size, 1.0, float(cdf[-1])
    before = float(cdf[found - 1]) if found > 0 else 0.0
    return lo + found, float(cdf[found]), before


def _half_cdf_at_least(size: int, x: int, p: float) -> bool:
    """Whether Σ_{k ≤ x} C(size, k) ≥ p·2^size, decided in exact integers."""
    frac = Fraction(p)
    num, den = frac.numerator << size, frac.denominator
    if 2 * x + 1 >= size:
        # Upper half: Σ_{k≤x} = 2^size − Σ_{k≤size−x−1}; compare the short tail.
        limit = (den << size) - num  # Σ_{k≤size−x−1}·den must be ≤ this
        return not _lower_tail_at_least(size, size - x - 1, limit + 1, den)
    return _lower_tail_at_least(size, x, num, den)


def _lower_tail_at_least(size: int, m: int, num: int, den: int) -> bool:
    """Whether den · Σ_{k ≤ m} C(size, k) ≥ num, for m below size/2.

    Sums from k = m down; the terms left, Σ_{j < k} C(size, j), are at most
    C(size, k − 1)·(size − k + 2)/(size − 2k + 3) (a geometric series, each
    term at most (k − 1)/(size − k + 2) times the one after), which settles the
    comparison long before k reaches 0.
    """
    if m < 0:
        return num <= 0
    term = math.comb(size, m)
    total = 0
    k = m
    while True:
        total += term
        if total * den >= num:
            return True
        if k == 0:
            return False
        below = term * k // (size - k + 1)  # C(size, k − 1), exactly
        bound = below * (size - k + 2) // (size - 2 * k + 3) + 1
        if (total + bound) * den < num:
            return False
        term = below
        k -= 1
