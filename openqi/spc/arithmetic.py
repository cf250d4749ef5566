"""Means, medians, sums and rounding computed as R computes them.

The R packages OpenQI is checked against (NHSRplotthedots, qicharts2,
FunnelPlotR) take their centre lines from R's ``mean()``, ``median()`` and
``sum()`` and round with R's ``round()``. A plain floating-point mean is not
the same thing: ``(0.1 + 0.1 + 0.1) / 3`` is 0.10000000000000002, so a
constant series would sit just off its own centre line and every point would
be "outside the limits". R's ``mean()`` (``src/main/summary.c``) accumulates
the sum in ``long double``, divides by *n* and then adds one correcting pass,
Σ(x − mean)/n, also in ``long double``; the result is the double nearest the
exact mean, except for means within about 2⁻⁶⁴ of halfway between two doubles
and for values that nearly cancel (a mean far smaller than the values), where
R's ``long double`` sum itself loses bits and the last bit can differ — there
the functions here return the correctly rounded mean. A point equal to the mean
is on neither side of it.

How it is done here, for one series or for every row of a matrix at once, with
whole-array NumPy operations:

1. **An accurate sum** by error-free splitting (Rump, Ogita & Oishi,
   "Accurate floating-point summation part I: faithful rounding", *SIAM J.
   Sci. Comput.* 31(1), 2008, Algorithm 3.2 ``ExtractVector``): with σ a power
   of two at least (n + 2)·max|x|, each value splits exactly into a high part
   q = (σ + x) − σ and a low part x − q. The high parts are all multiples of
   one unit and their partial sums stay below σ, so they add up *exactly* in
   any order; the low parts are tiny, so their rounding error is negligible
   (about 2⁻⁸⁶ of the largest value for 60 points). Together they carry the
   sum to roughly twice double precision.
2. **R's two passes** on that sum: s = Σx in ``long double`` (NumPy's
   ``np.longdouble``, 80-bit extended on x86-64 Linux), m = s/n, then
   m + (Σx − n·m)/n, where Σ(x − m) = Σx − n·m is evaluated from the accurate
   sum with an exact product (Dekker's splitting; Dekker, "A floating-point
   technique for extending the available precision", *Numer. Math.* 18, 1971).
   Where ``long double`` is only double (Windows, macOS on Apple silicon) the
   same steps run in double; the accurate sum then does the work that extended
   precision does in R, and the result is the same double.

The batch engine and the single-series charts call the same functions, so they
agree (the tests check this on random decimal data).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "HAS_EXTENDED_PRECISION",
    "accurate_sums",
    "means_from_sums",
    "r_mean",
    "r_median",
    "r_round",
    "r_sum",
    "row_means",
    "row_sums",
    "screened_row_means",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: Whether ``np.longdouble`` carries more bits than a double on this platform
#: (64-bit mantissa on x86-64 Linux, 113 on aarch64 Linux; none on Windows).
HAS_EXTENDED_PRECISION: bool = bool(
    np.finfo(np.longdouble).nmant > np.finfo(np.float64).nmant
)
_WORK: Any = np.longdouble if HAS_EXTENDED_PRECISION else np.float64
# Dekker's splitting constant 2^ceil(p/2) + 1 for the working precision's p bits.
_SPLITTER = float(2 ** math.ceil((np.finfo(_WORK).nmant + 1) / 2) + 1)
# A row whose largest value is at or above 2^_EXPONENT_CAP is scaled down by a
# power of two (exactly) first, so that σ stays finite.
_EXPONENT_CAP = 960


def _sum_scale(
    values: FloatArray, count: NDArray[np.int64], *, is_nonnegative: bool = False
) -> tuple[FloatArray, NDArray[np.int64]]:
    """σ for the error-free split of each row (shape (S, 1)), and the row's scale.

    With max|x| < 2^e and count + 2 <= 2^k, σ = 2^(e + k) >= (count + 2)·max|x|
    (Rump, Ogita & Oishi 2008, Lemma 3.3). A row whose values reach
    2^_EXPONENT_CAP is multiplied by 2^-scale first (exactly), so that σ
    stays finite.
    """
    if is_nonnegative:
        biggest = values.max(axis=1, initial=0.0)
    else:
        biggest = np.maximum(
            values.max(axis=1, initial=0.0), -values.min(axis=1, initial=0.0)
        )
    exponent = np.frexp(biggest)[1].astype(np.int64)
    scale = np.maximum(exponent - _EXPONENT_CAP, 0)
    exponent -= scale
    exponent += np.frexp(count.astype(np.float64) + 1.0)[1]
    return np.ldexp(1.0, exponent.astype(np.int32))[:, None], scale


def _scaled(values: FloatArray, scale: NDArray[np.int64]) -> FloatArray:
    if scale.any():
        return np.ldexp(values, -scale[:, None].astype(np.int32))
    return values


def accurate_sums(
    values: FloatArray, count: NDArray[np.int64]
) -> tuple[FloatArray, FloatArray, NDArray[np.int64]]:
    """Each row's sum as an exact high part and a tiny low part, and its scale.

    ``values`` is 2-D with zeros in the cells that must not count; ``count``
    is the number of cells that count in each row. Each value splits exactly
    into q = (σ + x) − σ and x − q; the q add up exactly in any order (all are
    multiples of 2⁻⁵³σ and every partial sum stays below σ) and each x − q is
    at most 2⁻⁵³σ, so the rounding error of their sum is negligible. Returns
    (Σq, Σ(x − q), scale): the row sum is (Σq + Σ(x − q))·2^scale.
    """
    sigma, scale = _sum_scale(values, count)
    values = _scaled(values, scale)
    parts = values + sigma
    parts -= sigma
    high = parts.sum(axis=1)
    np.subtract(values, parts, out=parts)  # now the low parts
    return high, parts.sum(axis=1), scale


def means_from_sums(
    high_sum: FloatArray,
    low_sum: FloatArray,
    scale: NDArray[np.int64],
    count: NDArray[np.int64],
) -> FloatArray:
    """R's mean from a row's accurate sum (high + low parts): the two passes above.

    ``NaN`` where ``count`` is 0.
    """
    n = count.astype(_WORK)
    tau = high_sum.astype(_WORK)
    rho = low_sum.astype(_WORK)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (tau + rho) / n
        # Σ(x − mean) = Σx − n·mean, with n·mean formed exactly: mean splits
        # into halves short enough that n × half needs no rounding.
        big = mean * _SPLITTER
        mean_high = big - (big - mean)
        mean_low = mean - mean_high
        correction = ((tau - n * mean_high) - n * mean_low) + rho
        mean = mean + correction / n
    out = np.asarray(mean, dtype=np.float64)
    if scale.any():
        out = np.ldexp(out, scale.astype(np.int32))
    out[count == 0] = np.nan
    return out


def row_means(values: FloatArray, valid: BoolArray | None = None) -> FloatArray:
    """R's ``mean(x, na.rm = TRUE)`` of every row of a 2-D array.

    ``valid`` marks the cells that count (default: those that are not ``NaN``);
    a row with none gives ``NaN``.

    >>> row_means(np.array([[0.1, 0.1, 0.1], [1.0, np.nan, 2.0]])).tolist()
    [0.1, 1.5]
    """
    if valid is None:
        valid = ~np.isnan(values)
    filled = np.where(valid, values, 0.0)
    count = np.count_nonzero(valid, axis=1).astype(np.int64)
    return means_from_sums(*accurate_sums(filled, count), count=count)


def screened_row_means(
    values: FloatArray,
    valid: BoolArray,
    factor: float,
    *,
    is_scratch: bool = False,
) -> tuple[FloatArray, FloatArray]:
    """Each row's mean, and its mean over the values strictly below ``factor`` × that mean.

    For moving ranges: ``values`` ≥ 0, 2-D, with zeros where ``valid`` is
    false. Both means are R's ``mean()``. Where no value is below the
    threshold (a row of zeros) the screened mean is the plain mean. One
    error-free split serves both means. With ``is_scratch`` the function may
    overwrite ``values`` (less memory traffic in the batch engine).

    >>> mr = np.array([[1.0, 1.0, 1.0, 1.0, 30.0], [0.0, 0.0, 0.0, 0.0, 0.0]])
    >>> [m.tolist() for m in screened_row_means(mr, mr >= 0, 3.267)]
    [[6.8, 0.0], [1.0, 0.0]]
    """
    count = np.count_nonzero(valid, axis=1).astype(np.int64)
    sigma, scale = _sum_scale(values, count, is_nonnegative=True)
    scaled = _scaled(values, scale)
    if scaled is values and not is_scratch:
        scaled = values.copy()
    parts = scaled + sigma
    parts -= sigma
    high = parts.sum(axis=1)
    np.subtract(scaled, parts, out=parts)  # now the low parts
    mean = means_from_sums(high, parts.sum(axis=1), scale, count)
    with np.errstate(invalid="ignore"):
        threshold = np.ldexp(factor * mean, -scale.astype(np.int32))
        keep = scaled < threshold[:, None]
    keep &= valid
    kept = np.count_nonzero(keep, axis=1).astype(np.int64)
    parts *= keep  # the kept low parts
    scaled *= keep
    scaled -= parts  # the kept high parts, exactly (high = value − low)
    screened = means_from_sums(scaled.sum(axis=1), parts.sum(axis=1), scale, kept)
    return mean, np.where(kept > 0, screened, mean)


def row_sums(values: FloatArray) -> FloatArray:
    """R's ``sum()`` of every row of a 2-D array of finite values, rounded to a double.

    R accumulates in ``long double``; the accurate sum used here rounds to the
    same double.
    """
    count = np.full(values.shape[0], values.shape[1], dtype=np.int64)
    high, low, scale = accurate_sums(values, count)
    out = np.asarray(high.astype(_WORK) + low.astype(_WORK), dtype=np.float64)
    return np.ldexp(out, scale.astype(np.int32)) if scale.any() else out


def _vector(values: ArrayLike) -> FloatArray:
    """The values that are not ``NaN``, as a 1-D array (not copied when none is)."""
    x = np.asarray(values, dtype=np.float64).ravel()
    missing = np.isnan(x)
    return x[~missing] if missing.any() else x


def r_mean(values: ArrayLike) -> float:
    """R's ``mean(x, na.rm = TRUE)``: ``NaN`` values are left out; ``NaN`` if none remain.

    >>> r_mean([0.1, 0.1, 0.1])
    0.1
    >>> r_mean([0.8, 0.9, 0.7, 1.5, 0.0, 0.6, 0.3, 0.4, 2.4, 2.7, 2.6, 2.2, 2.3, 3.0, 2.1])
    1.5
    """
    x = _vector(values)
    if x.size == 0:
        return math.nan
    return float(row_means(x[None, :], np.ones((1, x.size), dtype=bool))[0])


def r_sum(values: ArrayLike) -> float:
    """R's ``sum(x, na.rm = TRUE)`` (accumulated beyond double precision).

    >>> r_sum([0.1, 0.2, 0.3]) == 0.6
    True
    """
    x = _vector(values)
    if x.size == 0:
        return 0.0
    return float(row_sums(x[None, :])[0])


def r_median(values: ArrayLike) -> float:
    """R's ``median(x, na.rm = TRUE)``: the middle value, or R's mean of the two middle values.

    ``stats::median.default`` takes ``mean(sort(x, partial = half + 0:1)[half + 0:1])``
    for an even count, so the two middle values are averaged as :func:`r_mean`
    averages them. Linear time (``np.partition``).

    >>> r_median([3.0, 1.0, 2.0]), r_median([0.1, 0.1, 5.0, 0.1])
    (2.0, 0.1)
    """
    x = _vector(values)
    n = x.size
    if n == 0:
        return math.nan
    half = n // 2
    if n % 2:
        return float(np.partition(x, half)[half])
    part = np.partition(x, (half - 1, half))
    return r_mean(part[half - 1 : half + 1])


def r_round(values: ArrayLike, digits: int = 0) -> FloatArray:
    """R's ``round(x, digits)`` (R ≥ 4.0.0), element by element.

    R rounds to the decimal nearest the value as stored: with
    xd = floor(x·10^d)/10^d and xu = ceil(x·10^d)/10^d it returns whichever is
    nearer to x, the distances xu − x and x − xd computed in double
    (``src/nmath/fround.c``, R 4.0.0 and later), and when the two distances
    are equal the candidate whose last digit is even. So 1.425, stored as
    1.42500000000000004…, rounds up to 1.43, and 2.675 (stored as
    2.67499999999999982…) down to 2.67 — where ``np.round`` (scale by 10^d,
    round half to even, scale back) gives 1.42. The tie rule is met more often
    than on exact halves: for 0.45 (stored 0.450000000000000011…) both
    distances come out, in double, as 0.04999999999999998889…, so
    ``round(0.45, 1)`` is 0.4 in R (Python's ``round`` gives 0.5). Values with
    more than 15 significant digits before the rounding point are returned
    unchanged, as R does; ``digits = 0`` rounds half to even (``nearbyint``).

    Parameters
    ----------
    values
        Numbers to round (any shape); ``NaN`` stays ``NaN``.
    digits
        Decimal places, a whole number from 0 to 15.

    >>> r_round([1.425, 2.675, 0.15, 0.45, -1.425], 2).tolist()
    [1.43, 2.67, 0.15, 0.45, -1.43]
    >>> r_round([0.15, 0.45, 2.5], 1).tolist()
    [0.1, 0.4, 2.5]
    """
    if isinstance(digits, bool) or int(digits) != digits or not 0 <= digits <= 15:
        raise ValueError(f"digits must be a whole number from 0 to 15; got {digits!r}")
    x = np.asarray(values, dtype=np.float64)
    if digits == 0:
        return np.rint(x)
    sign = np.where(x < 0, -1.0, 1.0)
    a = np.abs(x)
    pow10 = 10.0**digits  # exact for digits <= 22, as R's R_pow_di(10., digits)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        # R: l10x = log10(2)·(0.5 + logb(x)); no rounding when l10x + digits > 15.
        logb = np.frexp(a)[1] - 1.0
        is_untouched = (np.log10(2.0) * (0.5 + logb) + digits > 15) | (a == 0)
        scaled = a * pow10
        below = np.floor(scaled)
        down = below / pow10
        up = np.ceil(scaled) / pow10
        to_up = up - a < a - down
        to_up |= (np.fmod(below, 2.0) == 1.0) & (up - a == a - down)
        rounded = sign * np.where(to_up, up, down)
    out: FloatArray = np.where(is_untouched | ~np.isfinite(x), x, rounded)
    return out
