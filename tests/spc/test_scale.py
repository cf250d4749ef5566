"""Any number of points: every chart from 10 to 1,000,000 points, in linear time.

A measure with 1,025 or more points used to crash: the Anhøj crossings rule
computed ``p * 2**size``, which overflows a float from size 1,024. Expected
values:

- R's ``qbinom(p, size, 0.5)`` is defined (``?qbinom``) as the smallest x with
  P(X ≤ x) ≥ p; ``_qbinom_by_definition`` sums the binomial coefficients in
  exact integers, sharing no code with OpenQI;
- for 100,000 and 1,000,000 trials, SciPy 1.17's ``scipy.stats.binom.ppf``
  (an independent implementation; values written out below);
- a long alternating series: every point is a crossing, so the runs analysis
  is known by hand.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from openqi.spc import (
    c_chart,
    g_chart,
    mr_chart,
    p_chart,
    pp_chart,
    run_chart,
    t_chart,
    u_chart,
    up_chart,
    xmr,
    xmr_batch,
)
from openqi.spc.distributions import chi_square_sf
from openqi.spc.rules import anhoej_crossings_min, binomial_quantile


def _qbinom_by_definition(p: float, size: int) -> int:
    """Smallest x with Σ_{k≤x} C(size, k) / 2^size ≥ p, in exact arithmetic."""
    target = Fraction(p) * 2**size
    total = 0
    for x in range(size + 1):
        total += math.comb(size, x)
        if total >= target:
            return x
    return size


@pytest.mark.parametrize("size", [1, 2, 19, 99, 1023, 1024, 1025, 2000, 2001, 2500])
def test_binomial_quantile_matches_its_definition(size: int) -> None:
    for p in (0.05, 0.5, 0.95):
        assert binomial_quantile(p, size) == _qbinom_by_definition(p, size)


def test_binomial_quantile_above_the_exact_range_matches_its_definition() -> None:
    # Sizes summed in floating point by the library, checked in exact integers.
    for size in (2001, 2048, 3001, 4096, 4999):
        assert binomial_quantile(0.05, size) == _qbinom_by_definition(0.05, size)


@pytest.mark.parametrize(
    ("size", "expected"),
    # scipy.stats.binom.ppf(0.05, size, 0.5), SciPy 1.17.1.
    [(99_999, 49739), (100_000, 49740), (999_999, 499177), (1_000_000, 499178)],
)
def test_binomial_quantile_for_very_many_trials(size: int, expected: int) -> None:
    assert binomial_quantile(0.05, size) == expected


def test_binomial_quantile_exact_check_near_a_step() -> None:
    # When the floating-point CDF is within rounding of p the answer is settled
    # in integers. p = P(X ≤ 1000) exactly for size 2049, nudged either side.
    from openqi.spc import distributions

    size = 2049
    cdf = Fraction(sum(math.comb(size, k) for k in range(1001)), 2**size)
    for p, expected in (
        (float(cdf) * (1 - 1e-12), 1000),
        (float(cdf) * (1 + 1e-12), 1001),
    ):
        assert distributions.binomial_quantile(p, size) == expected
        assert _qbinom_by_definition(p, size) == expected


def test_binomial_quantile_refuses_bad_input() -> None:
    for args in ((0.05, -1), (1.5, 10), (0.05, 10, 2.0), (0.05, 2.5)):
        with pytest.raises(ValueError):
            binomial_quantile(*args)  # type: ignore[arg-type]
    assert binomial_quantile(0.0, 10) == 0 and binomial_quantile(1.0, 10) == 10


def test_crossings_minimum_for_a_thousand_and_more_points() -> None:
    # qbinom(0.05, n - 1, 0.5) by definition, from 1,024 useful points up.
    for useful in (1025, 1026, 2000):
        assert anhoej_crossings_min(useful) == _qbinom_by_definition(0.05, useful - 1)


@pytest.mark.parametrize(
    ("statistic", "df", "expected"),
    # Upper-tail points of chi-square (published tables, e.g. Abramowitz &
    # Stegun table 26.8; to the digits given): chi2_{0.95}(1) = 3.841459,
    # chi2_{0.95}(10) = 18.307038, chi2_{0.99}(11) = 24.724970,
    # chi2_{0.01}(11) = 3.053484, chi2_{0.999}(35) = 66.618829.
    [
        (3.841459, 1, 0.05),
        (18.307038, 10, 0.05),
        (24.724970, 11, 0.01),
        (3.053484, 11, 0.99),
        (66.618829, 35, 0.001),
    ],
)
def test_chi_square_upper_tail(statistic: float, df: int, expected: float) -> None:
    assert chi_square_sf(statistic, df) == pytest.approx(expected, rel=1e-5)


def test_chi_square_upper_tail_edges() -> None:
    assert chi_square_sf(0.0, 5) == 1.0
    assert chi_square_sf(1e7, 35) == 0.0
    assert math.isnan(chi_square_sf(math.nan, 5))
    with pytest.raises(ValueError):
        chi_square_sf(1.0, 0)


# --------------------------------------------------------------------------- charts


def _data(n: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(n)
    den = rng.integers(900, 1100, n).astype(float)
    return {
        "x": np.round(rng.normal(100.0, 10.0, n), 1),
        "den": den,
        "num": rng.binomial(den.astype(np.int64), 0.2).astype(float),
        "count": rng.poisson(20.0, n).astype(float),
    }


CHARTS: dict[str, Callable[[dict[str, np.ndarray]], Any]] = {
    "xmr": lambda d: xmr(d["x"]),
    "run": lambda d: run_chart(d["x"]),
    "p": lambda d: p_chart(d["num"], d["den"]),
    "u": lambda d: u_chart(d["num"], d["den"]),
    "c": lambda d: c_chart(d["count"]),
    "pp": lambda d: pp_chart(d["num"], d["den"]),
    "up": lambda d: up_chart(d["num"], d["den"]),
    "g": lambda d: g_chart(d["count"]),
    "t": lambda d: t_chart(d["count"] + 1.0),
    "mr": lambda d: mr_chart(d["x"]),
}


@pytest.mark.parametrize("n", [10, 1_000, 100_000, 1_000_000])
@pytest.mark.parametrize("chart", sorted(CHARTS))
def test_every_chart_takes_any_number_of_points(chart: str, n: int) -> None:
    data = _data(n)
    result = CHARTS[chart](data)
    assert len(result) == n
    assert np.isfinite(result.centre).all()
    runs = result.runs
    # The runs analysis is the Anhøj one at every length (qicharts2: qbinom).
    assert runs.longest_run_max == round(math.log2(runs.useful)) + 3
    if runs.useful <= 2001:
        assert runs.crossings_min == _qbinom_by_definition(0.05, runs.useful - 1)
    else:
        # Normal approximation with continuity correction (Anhøj & Olesen 2014:
        # the crossings of random data are Binomial(n − 1, 0.5)); qbinom lies
        # within one of it.
        m = runs.useful - 1
        approx = m / 2 - 1.6448536 * math.sqrt(m) / 2 - 0.5
        assert abs(runs.crossings_min - approx) <= 1.5


@pytest.mark.parametrize("n", [10, 1_000, 100_000, 1_000_000])
def test_batch_takes_any_number_of_points(n: int) -> None:
    data = _data(n)
    one_row = xmr_batch(data["x"][None, :])
    single = xmr(data["x"])
    assert one_row.centre[0] == single.phases[0].centre
    assert one_row.upper[0] == single.upper[0]
    rows = max(1, n // 1000)
    square = xmr_batch(data["x"][: rows * (n // rows)].reshape(rows, -1))
    assert square.rule.shape == (rows, n // rows)


def test_alternating_million_points_by_hand() -> None:
    # 0, 1, 0, 1, ...: median 0.5, every point useful, a crossing at every step
    # (999,999), the longest run 1; limits: mean 0.5, AMR 1, upper 0.5 + 2.66.
    n = 1_000_000
    values = np.tile([0.0, 1.0], n // 2)
    run = run_chart(values)
    assert run.runs.useful == n and run.runs.crossings == n - 1
    assert run.runs.longest_run == 1 and not run.runs.is_signal
    # qbinom(0.05, 999999, 0.5): scipy.stats.binom.ppf(0.05, 999999, 0.5) = 499177.
    assert run.runs.crossings_min == 499177
    chart = xmr(values)
    assert chart.centre[0] == 0.5 and chart.upper[0] == 0.5 + 2.66
