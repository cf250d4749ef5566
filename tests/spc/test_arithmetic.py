"""R's arithmetic in the core: mean(), median(), sum() and round().

Expected values come from outside OpenQI:

- R's ``mean()`` (``src/main/summary.c``): a sum accumulated in ``long double``,
  divided by n, then a correcting pass adding Σ(x − mean)/n, also in
  ``long double``. ``_r_mean_transcribed`` below is that algorithm written out
  line by line with NumPy's ``np.longdouble`` scalars (80-bit extended on
  x86-64 Linux, as R's ``LDOUBLE`` there), sharing no code with OpenQI; the
  exact rational mean, rounded once to a double (``fractions.Fraction``), is
  the value that algorithm attains;
- R's ``median.default``: the middle value, or ``mean()`` of the two middle ones;
- R ≥ 4.0.0 ``round(x, digits)`` (``src/nmath/fround.c``): the nearer of
  floor(x·10^d)/10^d and ceil(x·10^d)/10^d to x, the two distances computed in
  double, an exact tie going to the even last digit — each case worked out
  below.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from openqi.spc import arithmetic
from openqi.spc.arithmetic import (
    HAS_EXTENDED_PRECISION,
    r_mean,
    r_median,
    r_round,
    r_sum,
    row_means,
    screened_row_means,
)

SHIFT_EXAMPLE = [
    0.8,
    0.9,
    0.7,
    1.5,
    0.0,
    0.6,
    0.3,
    0.4,
    2.4,
    2.7,
    2.6,
    2.2,
    2.3,
    3.0,
    2.1,
]


def _r_mean_transcribed(values: list[float]) -> float:
    """R's summary.c rsum/mean for REALSXP, transcribed (long double throughout)."""
    s = np.longdouble(0.0)
    for v in values:
        s += np.longdouble(v)
    s /= len(values)
    t = np.longdouble(0.0)
    for v in values:
        t += np.longdouble(v) - s
    s += t / len(values)
    return float(s)


def _exact_mean(values: list[float]) -> float:
    return float(sum(Fraction(v) for v in values) / len(values))


def test_constant_series_has_its_value_as_mean() -> None:
    # A plain float mean of three 0.1s is 0.30000000000000004 / 3 =
    # 0.10000000000000002; R's mean(c(0.1, 0.1, 0.1)) is 0.1 exactly.
    assert sum([0.1, 0.1, 0.1]) / 3 == 0.10000000000000002
    assert r_mean([0.1, 0.1, 0.1]) == 0.1
    assert _r_mean_transcribed([0.1, 0.1, 0.1]) == 0.1


def test_point_equal_to_the_mean_is_the_mean() -> None:
    # The series: the exact mean is 22.5 / 15 = 1.5; a plain float mean
    # gives 1.5000000000000002 and so puts the point 1.5 below its own mean.
    assert float(np.mean(SHIFT_EXAMPLE)) == 1.5000000000000002
    assert r_mean(SHIFT_EXAMPLE) == 1.5 == _exact_mean(SHIFT_EXAMPLE)


@pytest.mark.parametrize("decimals", [0, 1, 2, 3])
def test_constant_series_of_any_length_and_value(decimals: int) -> None:
    # About 40% of constant decimal series miss their own value with a plain mean.
    rng = np.random.default_rng(decimals)
    for _ in range(500):
        value = float(np.round(rng.uniform(-1000, 1000), decimals))
        n = int(rng.integers(1, 300))
        assert r_mean([value] * n) == value
        assert r_median([value] * n) == value


def test_mean_equals_r_algorithm_on_random_decimal_data() -> None:
    # Expected: R's algorithm transcribed with long double scalars (where the
    # platform has extended precision) and the exact rational mean rounded once.
    rng = np.random.default_rng(20261201)
    mismatches = 0
    for _ in range(2000):
        n = int(rng.integers(1, 80))
        level = float(rng.uniform(1, 1000))
        values = np.round(rng.normal(level, level / 10, n), int(rng.integers(0, 4)))
        values = values.tolist()
        ours = r_mean(values)
        assert ours == _exact_mean(values)
        if HAS_EXTENDED_PRECISION and ours != _r_mean_transcribed(values):
            mismatches += 1
    # Away from cancellation (values far from 0) R's long double passes give the
    # correctly rounded mean too, so the two agree every time.
    assert mismatches == 0


def test_double_only_platforms_give_the_same_means() -> None:
    # Where long double is only double (Windows, macOS on Apple silicon) the same
    # steps run in double; the accurate sum makes up for the lost bits. Forced
    # here by swapping the working type, checked against the exact mean.
    rng = np.random.default_rng(7)
    rows = np.round(rng.normal(50, 20, (400, 37)), 1)
    rows[:50] = 0.1  # constant rows
    expected = [_exact_mean(row.tolist()) for row in rows]
    saved = arithmetic._WORK, arithmetic._SPLITTER
    try:
        arithmetic._WORK = np.float64
        arithmetic._SPLITTER = float(2**27 + 1)
        assert row_means(rows).tolist() == expected
    finally:
        arithmetic._WORK, arithmetic._SPLITTER = saved
    assert row_means(rows).tolist() == expected


def test_row_means_leave_out_missing_cells_and_match_one_row() -> None:
    rng = np.random.default_rng(3)
    matrix = np.round(rng.normal(10, 3, (200, 30)), 2)
    matrix[rng.random(matrix.shape) < 0.2] = np.nan
    matrix[0] = np.nan
    means = row_means(matrix)
    assert math.isnan(means[0])
    for i in range(1, 200):
        row = matrix[i][~np.isnan(matrix[i])].tolist()
        assert means[i] == r_mean(matrix[i]) == _exact_mean(row)


def test_huge_and_tiny_values_do_not_overflow() -> None:
    assert r_mean([1e308, 1e308]) == 1e308
    assert r_mean([-1e308, 1e308, 1e308]) == pytest.approx(1e308 / 3)
    assert r_mean([5e-324, 5e-324]) == 5e-324
    assert math.isnan(r_mean([])) and math.isnan(r_mean([math.nan]))


def test_screened_means_by_hand() -> None:
    # Moving ranges 1, 1, 1, 1, 30: mean 34/5 = 6.8; 3.267 × 6.8 = 22.2, so 30 is
    # dropped and the screened mean is 1. A row of zeros keeps its mean of 0.
    mr = np.array([[1.0, 1.0, 1.0, 1.0, 30.0], [0.0] * 5, [0.1, 0.1, 0.1, 0.0, 0.0]])
    valid = np.array([[True] * 5, [True] * 5, [True, True, True, False, False]])
    mean, screened = screened_row_means(mr, valid, 3.267)
    assert mean.tolist() == [6.8, 0.0, 0.1]
    assert screened.tolist() == [1.0, 0.0, 0.1]
    assert mr[0].tolist() == [1.0, 1.0, 1.0, 1.0, 30.0]  # not overwritten


def test_median_averages_the_two_middle_values_as_r_mean() -> None:
    # R: median(c(0.1, 0.2, 0.2, 0.1)) = mean(c(0.1, 0.2)): the exact mean
    # 0.15000000000000000833 rounds to the double 0.15000000000000002.
    assert r_median([0.1, 0.2, 0.2, 0.1]) == _exact_mean([0.1, 0.2])
    # mean() sums in long double, so two huge middle values do not overflow
    # (R: median(c(1e308, 1.6e308)) = 1.3e308; NumPy's median gives inf).
    with np.errstate(over="ignore"):
        assert np.isinf(np.median([1e308, 1.6e308]))
    assert r_median([1e308, 1.6e308]) == pytest.approx(1.3e308)
    assert r_median([3.0, 1.0, 2.0]) == 2.0
    assert r_median([np.nan, 4.0, 1.0]) == 2.5
    assert math.isnan(r_median([]))


def test_sum_is_accurate() -> None:
    # R's sum() accumulates in long double: sum(c(0.1, 0.2, 0.3)) == 0.6 is TRUE
    # in R; a plain double sum gives 0.6000000000000001.
    assert 0.1 + 0.2 + 0.3 == 0.6000000000000001
    assert r_sum([0.1, 0.2, 0.3]) == 0.6
    assert r_sum([]) == 0.0


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [
        # 1.425 is stored as 1.42500000000000004441; x·100 = 142.5 (rounded),
        # xd = 1.42, xu = 1.43; xu − x = 0.00499999999999989 < x − xd =
        # 0.00500000000000012, so R takes xu. np.round(1.425, 2) gives 1.42.
        (1.425, 2, 1.43),
        # 2.675 is stored as 2.67499999999999982236: x − xd < xu − x → 2.67.
        (2.675, 2, 2.67),
        # 0.15 is stored as 0.14999999999999999445 → 0.1 (R's ?Round example).
        (0.15, 1, 0.1),
        # 0.45 is stored as 0.45000000000000001110, but in double
        # 0.5 − 0.45 = 0.45 − 0.4 = 0.04999999999999998889776975 exactly: a tie,
        # so R takes the even digit, 0.4 (Python's round(0.45, 1) gives 0.5).
        (0.45, 1, 0.4),
        # A true tie: 0.125 is exact; xu − x = x − xd = 0.005 → even digit 0.12.
        (0.125, 2, 0.12),
        (0.375, 2, 0.38),
        (-1.425, 2, -1.43),
        (2.5, 0, 2.0),
        (3.5, 0, 4.0),
        (0.004, 2, 0.0),
        (1234567.891, 2, 1234567.89),
        (0.0, 2, 0.0),
    ],
)
def test_round_follows_r(value: float, digits: int, expected: float) -> None:
    assert r_round([value], digits)[0] == expected


def test_round_differs_from_numpy_where_r_does() -> None:
    assert np.round(1.425, 2) == 1.42
    assert r_round(1.425, 2) == 1.43
    out = r_round(np.array([[1.425, np.nan], [2.675, 10.005]]), 2)
    assert out.shape == (2, 2) and math.isnan(out[0, 1])
    # 10.005 is stored as 10.00500000000000078: xu − x = 0.004999999999999005 is
    # smaller than x − xd = 0.0050000000000007816, so 10.01.
    assert out[[0, 1, 1], [0, 0, 1]].tolist() == [1.43, 2.67, 10.01]


def test_round_refuses_digits_it_cannot_match() -> None:
    for digits in (-1, 16, 1.5, True):
        with pytest.raises(ValueError, match="digits"):
            r_round([1.0], digits)  # type: ignore[arg-type]
