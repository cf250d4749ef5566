"""The vectorised Laney p′ and u′ charts (``pp_batch``, ``up_batch``): equal,
series by series, to ``pp_chart`` and ``up_chart`` on random and awkward data,
and to the published and hand-worked figures of the reference tests.

The oracle is the single-series chart: every centre, limit and near line must be
the same double, every rule, signal and icon the same word, and a series the
single chart warns has too few values to set limits must have no limits.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from openqi.spc import pp_batch as lazy_pp_batch
from openqi.spc import up_batch as lazy_up_batch
from openqi.spc.batch_attribute import invalid_series, p_batch, pp_batch, up_batch
from openqi.spc.results import (
    AttributeBatchResult,
)
from tests.spc.test_batch_attribute import _check, _random_attribute

NAN = math.nan
#: The same counts as events over 1,000 cases: qicharts2 0.8.1's p′ example
#: (test_reference_charts.py), limits 0.4922 to 0.5492 screened.
LANEY_Y = [520, 505, 498, 510, 640, 502, 515, 507, 499, 511]


OPTION_SETS: list[dict[str, Any]] = [
    {},
    {"screen": False},
    {"two_of_three": "beyond_near"},
    {"shift_length": 5, "trend_length": 5},
    {"shift_length": 2, "trend_length": 3, "screen": False},
    {"fix_after": 12},
    {"fix_after": 20, "two_of_three": "beyond_near"},
]


@pytest.mark.parametrize("chart", ["pp", "up"])
@pytest.mark.parametrize("options", OPTION_SETS)
def test_batch_equals_single_chart_on_random_series(
    chart: str, options: dict[str, Any]
) -> None:
    seed = 900 + len(str(options)) + (chart == "up")
    num, den, lengths = _random_attribute(chart[0], seed, n_series=150, n_periods=36)
    rng = np.random.default_rng(seed)
    improvement = list(rng.choice(["increase", "decrease", "neither"], 150))
    multiply = rng.choice([1.0, 100.0, 1000.0], 150)
    centre = np.nanmean(num / np.where(den > 0, den, NAN), axis=1)
    target = (
        np.where(
            rng.random(150) < 0.3, NAN, np.round(centre * rng.uniform(0.3, 2, 150), 3)
        )
        * multiply
    )
    _check(
        chart, num, den, lengths,
        improvement=improvement, target=target, multiply=multiply, **options,
    )  # fmt: skip


@pytest.mark.parametrize("chart", ["pp", "up"])
@pytest.mark.parametrize("seed", range(6))
def test_batch_equals_single_chart_on_many_seeds(chart: str, seed: int) -> None:
    n_periods = (3, 13, 24, 60, 150, 7)[seed]
    num, den, lengths = _random_attribute(chart[0], 40 + seed, 60, n_periods)
    _check(chart, num, den, lengths, improvement="decrease", target=0.3)


@pytest.mark.parametrize("chart", ["pp", "up"])
def test_over_dispersed_series_get_wider_limits_than_p_and_u(chart: str) -> None:
    rng = np.random.default_rng(5)
    den = rng.integers(800, 5000, (100, 30)).astype(float)
    spread = rng.choice([0.0, 0.01, 0.05], 100)[:, None]
    p = np.clip(0.3 + spread * rng.standard_normal((100, 30)), 0.01, 0.99)
    num = (
        rng.binomial(den.astype(np.int64), p) if chart == "pp" else rng.poisson(p * den)
    ).astype(float)
    laney = _check(chart, num, den)
    plain = p_batch(num, den) if chart == "pp" else _plain_u(num, den)
    over = plain.is_overdispersed
    assert 10 < over.sum() < 95
    # Where the plain chart's test finds over-dispersion, σ_z > 1 and p′ (u′) is wider.
    assert (laney.sigma_z[over] > 1).all()
    width = laney.upper - laney.lower
    assert (width[over] > (plain.upper - plain.lower)[over]).all()
    # The σ_z of the limits is the one the plain chart's test computed (screened).
    assert np.allclose(laney.sigma_z[over], plain.sigma_z[over], rtol=1e-12)


def _plain_u(num: np.ndarray, den: np.ndarray) -> AttributeBatchResult:
    from openqi.spc.batch_attribute import u_batch

    return u_batch(num, den)


# --------------------------------------------------------------------------
# Edge cases
# --------------------------------------------------------------------------


def test_no_limits_where_sigma_z_cannot_be_taken() -> None:
    # p̄ = 0, p̄ = 1, one point, no two consecutive points: NaN σ_z, no limits,
    # no signals, no assurance — as the single chart, which warns.
    num = np.array(
        [
            [0.0] * 14,
            [50.0] * 14,
            [5.0] + [NAN] * 13,
            [5.0, NAN, 6.0, NAN, 4.0, NAN, 5.0, NAN, 6.0, NAN, 5.0, NAN, 5.0, NAN],
        ]
    )
    den = np.full(num.shape, 50.0)
    r = _check("pp", num, den, improvement="increase", target=0.5)
    assert np.isnan(r.sigma_z).all()
    assert np.isnan(r.upper).all() and (r.rule == 0).all()
    assert (r.assurance == -1).all()


def test_constant_proportions_have_sigma_z_zero_and_sit_on_their_centre() -> None:
    r = _check("pp", np.full((2, 15), 30.0), np.full((2, 15), 100.0))
    assert r.sigma_z.tolist() == [0.0, 0.0]
    assert (r.upper == r.lower).all() and (r.rule == 0).all()


def test_gaps_lose_both_moving_ranges_and_zero_denominators_under_a_gap() -> None:
    num = np.array([LANEY_Y + [NAN, 505.0, 512.0], LANEY_Y + [NAN, NAN, 515.0]])
    den = np.array(
        [[1000.0] * 10 + [0.0, 1000.0, 990.0], [1000.0] * 10 + [NAN, -2.0, 1010.0]]
    )
    _check("pp", num, den)
    _check("up", num, den, screen=False)


def test_qicharts2_screened_and_unscreened_limits() -> None:
    r = pp_batch([LANEY_Y], [[1000.0] * 10])
    assert (round(float(r.lower[0, 0]), 4), round(float(r.upper[0, 0]), 4)) == (
        0.4922,
        0.5492,
    )
    raw = pp_batch([LANEY_Y], [[1000.0] * 10], screen=False)
    assert (round(float(raw.lower[0, 0]), 4), round(float(raw.upper[0, 0]), 4)) == (
        0.4193,
        0.6221,
    )
    n = [10_000.0, 9_800.0, 10_100.0, 9_900.0, 10_200.0] * 2
    _check("up", np.array([LANEY_Y]), np.array([n]))
    _check("up", np.array([LANEY_Y]), np.array([n]), screen=False)


def test_bad_data_are_refused_as_the_single_chart_refuses() -> None:
    with pytest.raises(ValueError, match="pp_batch: series 1, period 2"):
        pp_batch([[1, 2, 3], [1, 2, 9]], [[5, 5, 5], [5, 5, 5]])
    # A rate may exceed its exposure.
    up_batch([[1, 2, 9]], [[5, 5, 5]])
    assert invalid_series("pp", [[1, 9]], [[5, 5]]).tolist() == [True]
    assert invalid_series("up", [[1, 9]], [[5, 5]]).tolist() == [False]
    with pytest.raises(ValueError, match="chart must be"):
        invalid_series("run", [[1]], [[1]])


def test_exported_lazily_from_the_package() -> None:
    assert lazy_pp_batch is pp_batch and lazy_up_batch is up_batch


def test_empty_batches() -> None:
    for run in (pp_batch, up_batch):
        r = run(np.zeros((0, 5)), np.zeros((0, 5)))
        assert len(r) == 0 and r.rule.shape == (0, 5)
        r = run(np.zeros((3, 0)), np.zeros((3, 0)))
        assert r.variation.tolist() == [0, 0, 0] and np.isnan(r.sigma_z).all()


# --------------------------------------------------------------------------
# Reference data: RJZ's A&E four-hour performance (NHSRdatasets, over-dispersed,
# σ_z ≈ 8.7) and admissions per attendance, as test_reference_charts.py checks
# pp_chart and up_chart against hand calculation and the shewhart package.
# --------------------------------------------------------------------------


@pytest.mark.reference
def test_reference_rjz_side_by_side_in_one_batch(shared_data: Path) -> None:
    rows = []
    with (shared_data / "ae_attendances.csv").open() as handle:
        for row in csv.DictReader(handle):
            if row["org_code"] == "RJZ" and row["type"] == "1":
                rows.append(
                    (
                        row["period"],
                        float(row["attendances"]),
                        float(row["breaches"]),
                        float(row["admissions"]),
                    )
                )
    rows.sort()
    n = np.array([r[1] for r in rows])
    seen = n - np.array([r[2] for r in rows])
    admitted = np.array([r[3] for r in rows])
    width = len(rows) + 5
    num = np.full((3, width), NAN)
    den = np.full((3, width), NAN)
    num[0, : len(rows)], den[0, : len(rows)] = seen, n
    num[1, : len(rows)], den[1, : len(rows)] = admitted, n
    num[2, :10], den[2, :10] = LANEY_Y, 1000.0
    lengths = np.array([len(rows), len(rows), 10])
    pp = _check("pp", num[[0, 2]], den[[0, 2]], lengths[[0, 2]], improvement="increase")
    assert pp.sigma_z[0] == pytest.approx(8.7, rel=0.05)
    up = _check("up", num[:2], den[:2], lengths[:2])
    # shewhart.laney_u: σ_z 2.136893 with d2 = 1.128379 (ours 1.128), unscreened.
    unscreened = up_batch(num[1:2], den[1:2], screen=False)
    assert unscreened.sigma_z[0] == pytest.approx(2.136893 * 1.128379 / 1.128, rel=1e-4)
    assert up.sigma_z[1] > 1


# --------------------------------------------------------------------------
# Property tests (hypothesis is a dev dependency; the core venv lacks it)
# --------------------------------------------------------------------------

try:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
except ImportError:  # the numpy + pytest only core venv

    def test_laney_property_tests_need_hypothesis() -> None:
        pytest.skip("hypothesis is not installed: property tests skipped")

else:

    @st.composite
    def _laney_rows(draw: Any) -> tuple[str, np.ndarray, np.ndarray]:
        chart = draw(st.sampled_from(["pp", "up"]))
        n_series = draw(st.integers(1, 5))
        n_periods = draw(st.integers(1, 30))
        nums, dens = [], []
        for _ in range(n_series):
            size = draw(st.integers(1, 60))
            den = draw(
                st.lists(st.integers(1, size), min_size=n_periods, max_size=n_periods)
            )
            most = 1 if chart == "pp" else 2
            is_constant = draw(st.booleans())
            num = []
            for k in den:
                if draw(st.integers(0, 9)) == 0:
                    num.append(NAN)
                elif is_constant:
                    num.append(float(k // 2))
                else:
                    num.append(float(draw(st.integers(0, most * k))))
            nums.append(num)
            dens.append([float(k) for k in den])
        return chart, np.array(nums), np.array(dens)

    _laney_options = st.fixed_dictionaries(
        {
            "improvement": st.sampled_from(["increase", "decrease", "neither"]),
            "target": st.one_of(st.none(), st.integers(0, 8).map(lambda k: k / 8)),
            "screen": st.booleans(),
            "fix_after": st.one_of(st.none(), st.integers(12, 20)),
            "shift_length": st.integers(2, 8),
            "trend_length": st.integers(2, 8),
            "two_of_three": st.sampled_from(["default", "beyond_near"]),
            "multiply": st.sampled_from([1.0, 100.0, 0.5]),
        }
    )

    @settings(
        max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(batch_input=_laney_rows(), options=_laney_options)
    def test_property_laney_batch_equals_single(
        batch_input: Any, options: dict[str, Any]
    ) -> None:
        chart, num, den = batch_input
        _check(chart, num, den, **options)
