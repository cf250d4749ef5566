"""Funnel plots: openqi.spc.funnel against hand calculations, SciPy, the
PowerBI-SPC engine (controlchartspy) and FunnelPlotR's published test values."""

from __future__ import annotations

import csv
import math
import statistics
import warnings
from pathlib import Path

import numpy as np
import pytest

from openqi.spc.funnel import Z95, Z998, _chi_square_quantile, funnel

# FunnelPlotR's own test data (tests/testthat/test-funnel_plot.R and
# test-OD_adjust_func.R in nhs-r-community/FunnelPlotR): observed and expected.
FPR_OBSERVED = [100, 150, 180, 80, 120, 225]
FPR_EXPECTED = [108, 112, 165, 95, 100, 220]
FPR_UNITS = ["a", "b", "c", "d", "e", "f"]


def _controlchartspy_limits(units, numerators, denominators, **funnel_settings):
    """Limits per unit from controlchartspy 0.1.3 (the PowerBI-SPC funnel engine)."""
    ccp = pytest.importorskip("controlchartspy")
    settings = {"perc_labels": "No", **funnel_settings}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        chart = ccp.funnel(
            {"unit": list(units), "num": list(numerators), "den": list(denominators)},
            "unit",
            "num",
            "den",
            funnel_settings=settings,
            return_objs=("limits",),
        )
    return {row["group"]: row for row in chart.limits}


def _assert_matches_controlchartspy(result, reference, rtol):
    pairs = [
        ("lower95", "ll95"),
        ("upper95", "ul95"),
        ("lower998", "ll99"),
        ("upper998", "ul99"),
    ]
    assert len(reference) == len(result.units)
    for unit in result.units:
        row = reference[unit.unit]
        for ours, theirs in pairs:
            assert getattr(unit, ours) == pytest.approx(
                row[theirs], rel=rtol, abs=1e-12
            )


# --- chi-square quantiles and exact Poisson limits ----------------------------


@pytest.mark.reference
@pytest.mark.parametrize("p", [0.001, 0.025, 0.5, 0.975, 0.999])
@pytest.mark.parametrize(
    "df", [0.02, 0.3, 1.0, 2.0, 3.3, 9.9, 20.0, 21.0, 61.0, 200.0, 2002.0, 2e5]
)
def test_chi_square_quantile_matches_scipy(p, df):
    stats = pytest.importorskip("scipy.stats")
    # expected: scipy.stats.chi2.ppf(p, df), an independent implementation.
    assert _chi_square_quantile(p, [df])[0] == pytest.approx(
        stats.chi2.ppf(p, df), rel=1e-11
    )


@pytest.mark.reference
def test_exact_poisson_limits_match_funnelplotr_published_values():
    # expected: FunnelPlotR 0.6.0 tests/testthat/test-poisson_limits.R (CRAN mirror
    # github.com/cran/FunnelPlotR, commit 1bc9cf6920e02a3481f6193b6cf2aeabe0c86fff),
    # calculate_limits() at number_seq = 15, 20, 30 with target 1, rounded as
    # published there. (Releases up to 0.4.1 published other values, from an
    # earlier form of the limits.)
    result = funnel([15, 20, 30], [15, 20, 30], ["15", "20", "30"], type="ratio")
    assert [round(u.lower95, 7) for u in result.units] == [
        0.5596924,
        0.6108260,
        0.6746958,
    ]
    assert [round(u.upper95, 6) for u in result.units] == [1.649348, 1.544419, 1.427562]
    assert [round(u.lower998, 7) for u in result.units] == [
        0.3862650,
        0.4479107,
        0.5289724,
    ]
    assert [round(u.upper998, 6) for u in result.units] == [
        2.082907,
        1.902094,
        1.702771,
    ]


@pytest.mark.reference
def test_exact_poisson_limits_match_scipy_chi_square():
    stats = pytest.importorskip("scipy.stats")
    expected = np.array([0.37, 1.0, 4.5, 17.25, 96.0, 1234.56, 25000.0])
    observed = np.round(expected)
    result = funnel(
        observed,
        expected,
        [str(e) for e in expected],
        type="ratio",
        overdispersion=False,
    )
    for unit, e in zip(result.units, expected, strict=True):
        # expected: FunnelPlotR's form, qchisq(0.975, 2E, lower.tail=FALSE)/2/E etc.,
        # written with scipy.stats.chi2.ppf.
        assert unit.lower95 == pytest.approx(
            stats.chi2.ppf(0.025, 2 * e) / (2 * e), rel=1e-10
        )
        assert unit.upper95 == pytest.approx(
            stats.chi2.ppf(0.975, 2 * e + 2) / (2 * e), rel=1e-10
        )
        assert unit.lower998 == pytest.approx(
            stats.chi2.ppf(0.001, 2 * e) / (2 * e), rel=1e-10
        )
        assert unit.upper998 == pytest.approx(
            stats.chi2.ppf(0.999, 2 * e + 2) / (2 * e), rel=1e-10
        )
    grid = result.curve_denominator
    # expected: the same scipy.stats.chi2.ppf form along the drawing curve.
    np.testing.assert_allclose(
        result.curve_lower95, stats.chi2.ppf(0.025, 2 * grid) / (2 * grid), rtol=1e-10
    )
    np.testing.assert_allclose(
        result.curve_upper998,
        stats.chi2.ppf(0.999, 2 * grid + 2) / (2 * grid),
        rtol=1e-10,
    )


@pytest.mark.reference
def test_ratio_unadjusted_limits_match_controlchartspy():
    # expected: controlchartspy.funnel(..., funnel_settings={"chart_type": "SR",
    # "od_adjust": "no"}) — its limitFunction is chisqQuantile(p, 2(E + [p > 0.5]))/2/E,
    # the same exact Poisson form as FunnelPlotR.
    reference = _controlchartspy_limits(
        FPR_UNITS, FPR_OBSERVED, FPR_EXPECTED, chart_type="SR", od_adjust="no"
    )
    result = funnel(
        FPR_OBSERVED, FPR_EXPECTED, FPR_UNITS, type="ratio", overdispersion=False
    )
    _assert_matches_controlchartspy(result, reference, rtol=1e-9)


def test_ratio_expected_counts_are_rounded_to_two_places_for_limits_only():
    # FunnelPlotR 0.6 funnel_plot(): round(denominator, 2) for SR, SHMI method (default),
    # while rr = numerator / denominator is taken before rounding.
    result = funnel([15], [15.004], ["x"], type="ratio", overdispersion=False)
    unit = result.units[0]
    # expected: FunnelPlotR test-poisson_limits.R value at E = 15 (see above).
    assert round(unit.lower95, 7) == 0.5596924
    # expected: hand calculation 15 / 15.004.
    assert unit.value == pytest.approx(15 / 15.004, rel=1e-15)


def test_zero_observed_is_always_below_the_exact_poisson_lower_limit():
    # FunnelPlotR's form gives a positive lower limit for every E > 0, so O = 0
    # (value 0) is a low outlier even at E = 0.5.
    result = funnel(
        [0, 1], [0.5, 1.0], ["zero", "one"], type="ratio", overdispersion=False
    )
    assert result.units[0].lower998 > 0
    assert result.units[0].outlier == "low"


# --- proportions --------------------------------------------------------------


def test_proportion_limits_by_hand():
    numerators = [2, 12, 40]
    denominators = [100, 200, 300]
    result = funnel(
        numerators, denominators, ["A", "B", "C"], overdispersion=False, limit="95"
    )
    # hand calculation: target = 54 / 600 = 0.09; asin(sqrt(0.09)) = asin(0.3).
    assert result.target == pytest.approx(0.09, rel=1e-15)
    centre = math.asin(0.3)
    for unit, n in zip(result.units, denominators, strict=True):
        s = 1 / (2 * math.sqrt(n))
        assert unit.lower95 == pytest.approx(
            math.sin(centre - 1.959964 * s) ** 2, rel=1e-13
        )
        assert unit.upper95 == pytest.approx(
            math.sin(centre + 1.959964 * s) ** 2, rel=1e-13
        )
        assert unit.lower998 == pytest.approx(
            math.sin(centre - 3.090232 * s) ** 2, rel=1e-13
        )
        assert unit.upper998 == pytest.approx(
            math.sin(centre + 3.090232 * s) ** 2, rel=1e-13
        )
    # hand calculation at n = 300: s = 1/(2*sqrt(300)) = 0.0288675;
    # upper95 = sin²(0.3046927 + 1.959964 * 0.0288675) = sin²(0.3612719) = 0.1249.
    assert round(result.units[2].upper95, 4) == 0.1249
    # values 0.02, 0.06, 0.1333 against the 95% limits written out above.
    assert [u.outlier for u in result.units] == ["low", "none", "high"]


def test_proportion_lower_limit_is_clipped_at_zero_not_folded_back():
    # hand calculation: target 0.05, n = 10: asin(sqrt(0.05)) = 0.2255;
    # 0.2255 − 3.090232/(2·sqrt(10)) = −0.2631 < 0, so the lower 99.8% limit is 0
    # (unclipped, sin²(−0.2631) = 0.0676 would fold back; FunnelPlotR 0.6 sets such
    # non-monotonic stretches of its limit curve to 0 too).
    # The 95% angle, 0.2255 − 1.959964/(2·sqrt(10)) = −0.0844, is below 0 too.
    result = funnel([1, 9], [10, 190], ["small", "large"], overdispersion=False)
    assert result.target == pytest.approx(0.05)
    assert result.units[0].lower998 == 0.0
    assert result.units[0].lower95 == 0.0


@pytest.mark.reference
def test_proportion_unadjusted_limits_match_controlchartspy():
    numerators = [2, 12, 40, 7, 1, 30]
    denominators = [100, 200, 300, 90, 12, 250]
    units = ["A", "B", "C", "D", "E", "F"]
    # expected: controlchartspy.funnel(..., funnel_settings={"chart_type": "PR",
    # "od_adjust": "no", "perc_labels": "No"}); it uses exact normal quantiles
    # (1.95996398…, 3.09023231…) where we use FunnelPlotR's six-decimal ones,
    # hence rtol 1e-6.
    reference = _controlchartspy_limits(
        units, numerators, denominators, chart_type="PR", od_adjust="no"
    )
    result = funnel(numerators, denominators, units, overdispersion=False)
    _assert_matches_controlchartspy(result, reference, rtol=1e-6)


# --- over-dispersion ----------------------------------------------------------


def _dersimonian_laird_by_hand(z, s):
    """phi and tau2 written out with plain Python, as in the SPC contract."""
    n = len(z)
    phi = sum(v * v for v in z) / n
    if n * phi < n - 1:
        return phi, 0.0
    w = [1 / (v * v) for v in s]
    return phi, max(
        0.0, (n * phi - (n - 1)) / (sum(w) - sum(x * x for x in w) / sum(w))
    )


def test_proportion_overdispersion_by_hand():
    numerators = [15, 40, 22, 70, 31, 9, 55, 48, 18, 60, 5]
    denominators = [100, 200, 180, 300, 150, 90, 260, 320, 110, 240, 70]
    units = [f"u{i}" for i in range(len(numerators))]
    result = funnel(numerators, denominators, units)
    # hand calculation: arcsine z-scores around the pooled proportion, winsorised
    # at the type-7 10th/90th percentiles (statistics.quantiles, method "inclusive",
    # is R's type 7), then phi and DerSimonian–Laird tau2.
    target = sum(numerators) / sum(denominators)
    centre = math.asin(math.sqrt(target))
    s = [1 / (2 * math.sqrt(n)) for n in denominators]
    z = [
        (math.asin(math.sqrt(y / n)) - centre) / si
        for y, n, si in zip(numerators, denominators, s, strict=True)
    ]
    deciles = statistics.quantiles(z, n=10, method="inclusive")
    low, high = deciles[0], deciles[-1]
    winsorised = [min(max(v, low), high) for v in z]
    phi, tau2 = _dersimonian_laird_by_hand(winsorised, s)
    assert phi > 1
    assert result.phi == pytest.approx(phi, rel=1e-12)
    assert result.tau2 == pytest.approx(tau2, rel=1e-12)
    assert result.adjusted is True
    for unit, si in zip(result.units, s, strict=True):
        spread = math.sqrt(si * si + tau2)
        assert unit.upper998 == pytest.approx(
            math.sin(centre + 3.090232 * spread) ** 2, rel=1e-12
        )
        assert unit.lower95 == pytest.approx(
            math.sin(centre - 1.959964 * spread) ** 2, rel=1e-12
        )


def test_ratio_overdispersion_by_hand_on_funnelplotr_example():
    result = funnel(FPR_OBSERVED, FPR_EXPECTED, FPR_UNITS, type="ratio")
    # hand calculation, SHMI method: z = sqrt(E)·ln(O/E), s = 1/sqrt(E). With six
    # units, floor(rank·10/7) is 1, 2, 4, 5, 7, 8 — all within 1..8, so none is
    # truncated.
    z = [
        math.sqrt(e) * math.log(o / e)
        for o, e in zip(FPR_OBSERVED, FPR_EXPECTED, strict=True)
    ]
    s = [1 / math.sqrt(e) for e in FPR_EXPECTED]
    phi, tau2 = _dersimonian_laird_by_hand(z, s)
    # phi = 2.948, tau2 = 0.01948 to four figures.
    assert round(phi, 3) == 2.948
    assert result.phi == pytest.approx(phi, rel=1e-12)
    assert result.tau2 == pytest.approx(tau2, rel=1e-12)
    assert result.adjusted is True
    for unit, e in zip(result.units, FPR_EXPECTED, strict=True):
        spread = math.sqrt(1 / e + tau2)
        assert unit.lower95 == pytest.approx(math.exp(-1.959964 * spread), rel=1e-13)
        assert unit.upper998 == pytest.approx(math.exp(3.090232 * spread), rel=1e-13)
    # FunnelPlotR test-funnel_plot.R asserts that the unadjusted 95% lower limit of
    # unit "e" is above its over-dispersion-adjusted one.
    unadjusted = funnel(
        FPR_OBSERVED, FPR_EXPECTED, FPR_UNITS, type="ratio", overdispersion=False
    )
    assert unadjusted.units[4].lower95 > result.units[4].lower95
    # controlchartspy's SR over-dispersion ("od_adjust": "yes") is not comparable:
    # it uses the CQC/Spiegelhalter square-root scale (Y = sqrt(O/E), s = 1/(2 sqrt E),
    # winsorised z, limits (1 ± z sqrt(s² + tau2))²), not the SHMI log scale with
    # truncation that the contract and FunnelPlotR's default use; on this example
    # its adjusted 95% lower limit at E = 100 is 0.7207 against our 0.7143.


def test_ratio_truncation_drops_top_and_bottom_tenth_by_hand():
    observed = [30, 52, 61, 75, 90, 104, 120, 150, 170, 260]
    expected = [50, 55, 60, 70, 80, 95, 100, 120, 130, 150]
    units = [f"t{i}" for i in range(10)]
    result = funnel(observed, expected, units, type="ratio")
    z = [
        math.sqrt(e) * math.log(o / e) for o, e in zip(observed, expected, strict=True)
    ]
    # hand calculation: with n = 10 the band floor(rank·10/11) is 0 for rank 1 and
    # 9 for rank 10, so the lowest and highest z-scores are dropped.
    order = sorted(range(10), key=lambda i: z[i])
    kept = order[1:-1]
    phi, tau2 = _dersimonian_laird_by_hand(
        [z[i] for i in kept], [1 / math.sqrt(expected[i]) for i in kept]
    )
    assert result.phi == pytest.approx(phi, rel=1e-12)
    assert result.tau2 == pytest.approx(tau2, rel=1e-12)


def test_ratio_with_zero_observed_left_out_of_overdispersion_with_warning():
    observed = [0, 12, 30, 9, 25]
    expected = [4.0, 10.0, 20.0, 15.0, 18.0]
    units = ["none", "b", "c", "d", "e"]
    result = funnel(observed, expected, units, type="ratio")
    # hand calculation: n = 5 is too few for any truncation (bands 1..8), and the
    # unit with O = 0 has z = −inf, so phi uses the other four units.
    z = [
        math.sqrt(e) * math.log(o / e)
        for o, e in zip(observed[1:], expected[1:], strict=True)
    ]
    phi, tau2 = _dersimonian_laird_by_hand(z, [1 / math.sqrt(e) for e in expected[1:]])
    assert result.phi == pytest.approx(phi, rel=1e-12)
    assert result.tau2 == pytest.approx(tau2, rel=1e-12)
    assert any("'none'" in w and "observed count of 0" in w for w in result.warnings)


@pytest.mark.reference
def test_proportion_overdispersion_matches_controlchartspy():
    numerators = [15, 40, 22, 70, 31, 9, 55, 48, 18, 60, 5]
    denominators = [100, 200, 180, 300, 150, 90, 260, 320, 110, 240, 70]
    units = [f"u{i}" for i in range(len(numerators))]
    # expected: controlchartspy.funnel(..., funnel_settings={"chart_type": "PR",
    # "od_adjust": "yes"}): arcsine z, winsorised at type-7 10%/90% quantiles,
    # DerSimonian–Laird tau2 — the contract's method (phi > 1 here).
    reference = _controlchartspy_limits(
        units, numerators, denominators, chart_type="PR", od_adjust="yes"
    )
    result = funnel(numerators, denominators, units)
    assert result.adjusted is True
    _assert_matches_controlchartspy(result, reference, rtol=1e-6)


def test_phi_just_below_one_keeps_unadjusted_limits_unlike_controlchartspy():
    # phi = 0.937 with 12 units: n·phi = 11.24 ≥ n − 1 = 11, so tau2 > 0. The
    # contract and FunnelPlotR 0.6 (funnel_plot(): "phi <= 1" → unadjusted) keep the
    # unadjusted limits; controlchartspy ("od_adjust": "yes") adjusts whenever
    # tau2 > 0, so we compare with its "od_adjust": "no" limits instead.
    numerators = [36, 47, 69, 59, 77, 88, 84, 113, 114, 143, 156, 139]
    denominators = list(range(200, 800, 50))
    units = [str(n) for n in denominators]
    result = funnel(numerators, denominators, units)
    assert 11 / 12 < result.phi <= 1
    assert result.tau2 > 0
    assert result.adjusted is False
    assert any("No over-dispersion" in w for w in result.warnings)
    # expected: controlchartspy.funnel(..., {"chart_type": "PR", "od_adjust": "no"}).
    reference = _controlchartspy_limits(
        units, numerators, denominators, chart_type="PR", od_adjust="no"
    )
    _assert_matches_controlchartspy(result, reference, rtol=1e-6)


def test_overdispersion_off_reports_no_phi():
    result = funnel(
        FPR_OBSERVED, FPR_EXPECTED, FPR_UNITS, type="ratio", overdispersion=False
    )
    assert result.phi is None
    assert result.tau2 == 0.0
    assert result.adjusted is False


# --- outliers, multiplier and curves -------------------------------------------


def test_outliers_follow_the_chosen_limit():
    numerators = [2, 12, 40]
    denominators = [100, 200, 300]
    at95 = funnel(
        numerators, denominators, ["A", "B", "C"], overdispersion=False, limit="95"
    )
    at998 = funnel(numerators, denominators, ["A", "B", "C"], overdispersion=False)
    assert [u.outlier for u in at95.units] == ["low", "none", "high"]
    # hand calculation at 99.8%: C = 40/300 = 0.1333 is below the upper limit
    # sin²(0.304693 + 3.090232·0.028868) = sin²(0.393900) = 0.1473, so not an outlier;
    # A = 0.02 is below the lower limit sin²(0.304693 − 3.090232·0.05) = 0.0224: low.
    assert [u.outlier for u in at998.units] == ["low", "none", "none"]
    assert at998.limit == "99.8"


def test_multiply_scales_values_target_and_limits():
    plain = funnel([2, 12, 40], [100, 200, 300], ["A", "B", "C"])
    percent = funnel([2, 12, 40], [100, 200, 300], ["A", "B", "C"], multiply=100)
    assert percent.target == pytest.approx(100 * plain.target)
    for a, b in zip(plain.units, percent.units, strict=True):
        assert b.value == pytest.approx(100 * a.value)
        assert b.upper998 == pytest.approx(100 * a.upper998)
        assert b.lower95 == pytest.approx(100 * a.lower95)
        assert b.outlier == a.outlier
        assert b.numerator == a.numerator and b.denominator == a.denominator
    np.testing.assert_allclose(percent.curve_upper95, 100 * plain.curve_upper95)
    np.testing.assert_array_equal(percent.curve_denominator, plain.curve_denominator)


def test_curves_span_the_denominators_on_a_log_grid():
    result = funnel([2, 12, 40], [100, 200, 300], ["A", "B", "C"], overdispersion=False)
    grid = result.curve_denominator
    assert grid.shape == (200,)
    assert grid[0] == pytest.approx(100) and grid[-1] == pytest.approx(300)
    np.testing.assert_allclose(np.diff(np.log(grid)), math.log(3) / 199)
    for curve in (result.curve_lower95, result.curve_lower998):
        assert np.all(np.diff(curve) >= 0)
    for curve in (result.curve_upper95, result.curve_upper998):
        assert np.all(np.diff(curve) <= 0)
    assert np.all(result.curve_lower998 <= result.curve_lower95)
    assert np.all(result.curve_upper95 <= result.curve_upper998)


def test_to_dict_has_the_contract_shape():
    out = funnel([2, 12, 40], [100, 200, 300], ["A", "B", "C"]).to_dict()
    assert {"type", "phi", "tau2", "adjusted", "units"} <= out.keys()
    assert set(out["units"][0]) == {
        "unit",
        "numerator",
        "denominator",
        "value",
        "lower95",
        "upper95",
        "lower998",
        "upper998",
        "outlier",
    }


def test_z_constants_are_the_normal_quantiles():
    stats = pytest.importorskip("scipy.stats")
    # expected: scipy.stats.norm.ppf(0.975) and norm.ppf(0.999), to 6 decimals.
    assert Z95 == round(stats.norm.ppf(0.975), 6)
    assert Z998 == round(stats.norm.ppf(0.999), 6)


# --- edge cases -----------------------------------------------------------------


def test_one_unit_gives_unadjusted_limits_with_a_warning():
    result = funnel([10], [100], ["only"])
    assert result.target == 0.1
    assert result.phi is None and result.tau2 == 0.0
    assert result.adjusted is False
    assert result.units[0].outlier == "none"
    assert any("at least two units" in w for w in result.warnings)
    assert np.all(result.curve_denominator == 100)


def test_one_ratio_unit_and_a_tiny_expected_count_are_handled_with_warnings():
    result = funnel([2], [0.004], ["tiny"], type="ratio")
    # 0.004 would round to 0.00, so it is kept as given, and said so.
    assert any("not rounded" in w and "'tiny'" in w for w in result.warnings)
    assert result.phi is None and result.adjusted is False
    assert result.units[0].value == pytest.approx(500.0)
    assert result.units[0].upper95 > 500.0


def test_identical_proportions_have_phi_zero_and_unadjusted_limits():
    result = funnel([10, 20, 30, 40], [100, 200, 300, 400], ["a", "b", "c", "d"])
    # hand calculation: every proportion is 0.1 = the target, so every z is 0.
    assert result.phi == 0.0
    assert result.tau2 == 0.0
    assert result.adjusted is False
    assert any("No over-dispersion" in w for w in result.warnings)
    assert all(u.outlier == "none" for u in result.units)


def test_all_zero_numerators_sit_on_a_lower_limit_of_zero():
    result = funnel([0, 0, 0], [50, 100, 200], ["a", "b", "c"])
    # hand calculation: target 0, asin(0) = 0, lower limit sin²(max(0, −z·s)) = 0,
    # upper 99.8% limit sin²(3.090232/(2·sqrt(n))); each value 0 sits exactly on the
    # lower limit, which is not an outlier.
    assert result.target == 0.0
    for unit, n in zip(result.units, [50, 100, 200], strict=True):
        assert unit.lower998 == 0.0 and unit.lower95 == 0.0
        assert unit.upper998 == pytest.approx(
            math.sin(3.090232 / (2 * math.sqrt(n))) ** 2
        )
        assert unit.outlier == "none"


def test_proportions_of_one_sit_on_an_upper_limit_of_one():
    result = funnel([50, 100], [50, 100], ["a", "b"], overdispersion=False)
    # hand calculation: target 1, asin(1) = π/2; the upper limit angle is clipped at
    # π/2, so the upper limit is exactly 1 and each value 1 is on it (not an outlier).
    assert result.target == 1.0
    assert all(u.upper998 == 1.0 and u.upper95 == 1.0 for u in result.units)
    assert all(u.outlier == "none" for u in result.units)
    assert result.units[0].lower998 == pytest.approx(
        math.sin(math.pi / 2 - 3.090232 / (2 * math.sqrt(50))) ** 2
    )


def test_a_proportion_of_zero_among_others_is_a_low_outlier_when_the_limit_is_above_zero():
    result = funnel(
        [0, 300, 320], [1000, 1000, 1000], ["zero", "b", "c"], overdispersion=False
    )
    # hand calculation: target 620/3000 = 0.2067; lower 99.8% at n = 1000 is
    # sin²(0.4717 − 3.090232/(2·sqrt(1000))) = sin²(0.4228) = 0.1685 > 0.
    assert result.units[0].outlier == "low"


# --- bad input ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"numerators": [1, 2], "denominators": [5], "units": ["a", "b"]},
            "one denominator",
        ),
        ({"numerators": [], "denominators": [], "units": []}, "at least one unit"),
        (
            {"numerators": [1, 2], "denominators": [5, 0], "units": ["a", "b"]},
            "'b' (row 2)",
        ),
        (
            {"numerators": [1, 2], "denominators": [5, -3], "units": ["a", "b"]},
            "above 0",
        ),
        (
            {"numerators": [-1, 2], "denominators": [5, 5], "units": ["a", "b"]},
            "negative",
        ),
        (
            {"numerators": [1, 6], "denominators": [5, 5], "units": ["a", "b"]},
            "above its",
        ),
        ({"numerators": [1, 2], "denominators": [5, 5], "units": ["a", "a"]}, "twice"),
        (
            {"numerators": [1, None], "denominators": [5, 5], "units": ["a", "b"]},
            "None",
        ),
        ({"numerators": [1, "x"], "denominators": [5, 5], "units": ["a", "b"]}, "'x'"),
        (
            {"numerators": [1, math.nan], "denominators": [5, 5], "units": ["a", "b"]},
            "nan",
        ),
    ],
)
def test_bad_input_names_the_unit_and_the_fix(kwargs, message):
    with pytest.raises(ValueError, match="funnel") as caught:
        funnel(**kwargs)
    assert message in str(caught.value)


def test_numerator_above_denominator_is_fine_for_ratios():
    result = funnel([12], [10], ["a"], type="ratio")
    assert result.units[0].value == pytest.approx(1.2)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"type": "rate"}, "type must be"),
        ({"limit": "99"}, "limit must be"),
        ({"multiply": 0}, "multiply must be"),
        ({"multiply": "lots"}, "multiply must be"),
    ],
)
def test_bad_options_are_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        funnel([1, 2], [5, 5], ["a", "b"], **kwargs)


# --- real data ------------------------------------------------------------------


def _ae_one_month(shared_data: Path, period: str = "2019-03-01"):
    units, breaches, attendances = [], [], []
    with (shared_data / "ae_attendances.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row["type"] == "1" and row["period"] == period:
                units.append(row["org_code"])
                breaches.append(int(row["breaches"]))
                attendances.append(int(row["attendances"]))
    return units, breaches, attendances


@pytest.mark.reference
def test_ae_four_hour_breaches_by_trust_match_controlchartspy(shared_data):
    units, breaches, attendances = _ae_one_month(shared_data)
    assert len(units) == 134
    result = funnel(breaches, attendances, units)
    # hand calculation: target = total breaches / total attendances.
    assert result.target == pytest.approx(sum(breaches) / sum(attendances), rel=1e-15)
    # Trusts differ far more than binomial noise: heavily over-dispersed.
    assert result.phi > 100 and result.adjusted is True
    # expected: controlchartspy.funnel(..., {"chart_type": "PR", "od_adjust": "yes"}).
    reference = _controlchartspy_limits(
        units, breaches, attendances, chart_type="PR", od_adjust="yes"
    )
    _assert_matches_controlchartspy(result, reference, rtol=1e-6)
    # expected: controlchartspy.funnel(..., {"chart_type": "PR", "od_adjust": "no"}).
    unadjusted = funnel(breaches, attendances, units, overdispersion=False)
    reference = _controlchartspy_limits(
        units, breaches, attendances, chart_type="PR", od_adjust="no"
    )
    _assert_matches_controlchartspy(unadjusted, reference, rtol=1e-6)
    # Without the adjustment most trusts would be flagged; with it, few are.
    flagged = sum(u.outlier != "none" for u in result.units)
    flagged_unadjusted = sum(u.outlier != "none" for u in unadjusted.units)
    assert flagged < flagged_unadjusted


def _los_deaths_by_trust(shared_data: Path):
    """Deaths, patients and age-standardised expected deaths for each trust."""
    ages, deaths, trusts = [], [], []
    with (shared_data / "LOS_model.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            ages.append(float(row["Age"]))
            deaths.append(int(row["Death"]))
            trusts.append(row["Organisation"])
    # indirect standardisation: each patient's expected death is the death rate of
    # their age band (<40, 40–59, 60–79, 80+) over all 300 patients.
    bands = [sum(age >= cut for cut in (40, 60, 80)) for age in ages]
    rate = {
        b: sum(d for d, bb in zip(deaths, bands, strict=True) if bb == b)
        / bands.count(b)
        for b in set(bands)
    }
    names = sorted(set(trusts), key=lambda t: int(t.removeprefix("Trust")))
    observed = [
        sum(d for d, t in zip(deaths, trusts, strict=True) if t == n) for n in names
    ]
    patients = [trusts.count(n) for n in names]
    expected = [
        sum(rate[b] for b, t in zip(bands, trusts, strict=True) if t == n)
        for n in names
    ]
    return names, observed, patients, expected


@pytest.mark.reference
def test_los_model_deaths_as_standardised_ratios(shared_data):
    names, observed, _, expected = _los_deaths_by_trust(shared_data)
    assert len(names) == 10
    # hand calculation: indirect standardisation makes total expected = total observed.
    assert sum(expected) == pytest.approx(sum(observed))
    result = funnel(observed, expected, names, type="ratio")
    assert result.target == 1.0
    # Ten synthetic trusts of 30 patients show no over-dispersion.
    assert result.phi is not None and result.phi <= 1
    assert result.adjusted is False
    assert all(u.outlier == "none" for u in result.units)
    # expected: controlchartspy.funnel(..., {"chart_type": "SR", "od_adjust": "no"})
    # given the expected counts rounded to 2 dp, as FunnelPlotR rounds them.
    reference = _controlchartspy_limits(
        names,
        observed,
        [round(e, 2) for e in expected],
        chart_type="SR",
        od_adjust="no",
    )
    _assert_matches_controlchartspy(result, reference, rtol=1e-9)


def test_los_model_deaths_as_proportions(shared_data):
    names, observed, patients, _ = _los_deaths_by_trust(shared_data)
    result = funnel(observed, patients, names)
    # hand calculation: 53 deaths among 300 patients (sum of the Death column).
    assert result.target == pytest.approx(sum(observed) / 300)
    assert patients == [30] * 10
    # Equal denominators: every unit has the same limits.
    assert len({(u.lower998, u.upper998) for u in result.units}) == 1


# --- R's round() for expected counts ------------------------------------------


def test_expected_counts_are_rounded_as_r_rounds_them():
    # FunnelPlotR rounds expected counts with R's round(x, 2) (R >= 4.0.0,
    # src/nmath/fround.c): 1.425 is stored as 1.42500000000000004441, and
    # xu - x = 1.43 - 1.425 = 0.00499999999999989 < x - xd = 0.00500000000000012,
    # so R gives 1.43; np.round(1.425, 2) gives 1.42. The unit's limits are those
    # at E = 1.43, not 1.42.
    as_r = funnel(
        [2, 20], [1.425, 20.0], ["a", "b"], type="ratio", overdispersion=False
    )
    at_143 = funnel(
        [2, 20], [1.43, 20.0], ["a", "b"], type="ratio", overdispersion=False
    )
    at_142 = funnel(
        [2, 20], [1.42, 20.0], ["a", "b"], type="ratio", overdispersion=False
    )
    assert as_r.units[0].lower95 == at_143.units[0].lower95
    assert as_r.units[0].upper998 == at_143.units[0].upper998
    assert as_r.units[0].upper998 != at_142.units[0].upper998
    # The plotted value uses the unrounded E (FunnelPlotR: rr = O / E first).
    assert as_r.units[0].value == 2 / 1.425
    # 2.675 (stored 2.67499999999999982236) rounds down to 2.67 in R.
    down = funnel(
        [3, 20], [2.675, 20.0], ["a", "b"], type="ratio", overdispersion=False
    )
    at_267 = funnel(
        [3, 20], [2.67, 20.0], ["a", "b"], type="ratio", overdispersion=False
    )
    assert down.units[0].upper95 == at_267.units[0].upper95


def test_rounding_reaches_phi_and_tau2():
    # Six units (none truncated: floor(10 r / 7) runs 1..8), one with E = 1.425.
    # phi and tau2 use z = sqrt(E) ln(O/E) with E rounded as R does: 1.43.
    observed = [4, 30, 12, 50, 9, 22]
    expected = [1.425, 20.0, 15.0, 40.0, 12.0, 25.0]
    as_r = funnel(observed, expected, list("abcdef"), type="ratio")
    rounded = funnel(observed, [1.43, *expected[1:]], list("abcdef"), type="ratio")
    numpy_rounded = funnel(
        observed, [1.42, *expected[1:]], list("abcdef"), type="ratio"
    )
    assert as_r.phi == rounded.phi and as_r.tau2 == rounded.tau2
    assert as_r.phi != numpy_rounded.phi
    # Hand calculation of phi: mean of E (ln(O/E))^2 over the six units.
    e = np.array([1.43, *expected[1:]])
    z = np.sqrt(e) * np.log(np.array(observed) / e)
    assert as_r.phi == pytest.approx(float(np.mean(z**2)), rel=1e-12)


def test_zero_observed_unit_is_left_out_of_the_estimate_with_a_warning():
    # The SPC contract's documented difference from FunnelPlotR: O = 0 has no
    # log-scale z-score (ln 0), so the unit is left out of phi and tau2 and the
    # warnings say so. Hand: phi over the other five units only.
    observed = [0, 30, 12, 50, 9, 22]
    expected = [3.0, 20.0, 15.0, 40.0, 12.0, 25.0]
    result = funnel(observed, expected, list("abcdef"), type="ratio")
    e, o = np.array(expected[1:]), np.array(observed[1:])
    assert result.phi == pytest.approx(
        float(np.mean(e * np.log(o / e) ** 2)), rel=1e-12
    )
    assert any("observed count of 0" in w and "'a'" in w for w in result.warnings)


def test_proportion_lower_limit_never_folds_back_above_the_target():
    # sin^2 of an angle below 0 would rise again; the angle is clipped at 0, so
    # for small n the lower limit is 0, never above the target (contract).
    result = funnel([1, 2, 300], [2, 3, 1000], ["a", "b", "c"], overdispersion=False)
    for unit in result.units:
        assert unit.lower998 <= result.target and unit.lower95 <= result.target
    assert result.units[0].lower998 == 0.0
    assert (result.curve_lower998 <= result.target).all()
    assert (np.diff(result.curve_lower998) >= 0).all()
