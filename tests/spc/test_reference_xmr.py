"""Reference tests for the XmR (individuals) chart, with expected values from outside OpenQI.

Sources, named again beside every expected value:

- NHSRplotthedots 0.2.2 (NHS-R community), its tests (tests/testthat/*.R and
  tests/testthat/_snaps/*.md) and its "Deviations from Excel defaults" vignette;
- Montgomery, *Introduction to Statistical Quality Control*, 6th ed. (2009),
  Example 6.5 / Table 6.7 (the data file names the table);
- hand calculations written out in the test, for the rule boundaries of the SPC
  engine's agreed behaviour (docs/methods.md), which is the authority where it
  deliberately differs from NHSRplotthedots;
- the independent Python packages ``controlchartspy`` (the PowerBI-SPC engine)
  and ``shewhart``, imported with ``pytest.importorskip``.

controlchartspy computes XmR limits as mean ± 3 × AMR / 1.128 (= 2.6596 × AMR)
where the contract uses the literal 2.66; the half-widths therefore differ by the
relative amount 1 − 2.6596/2.66 = 1.5e-4, so comparisons with it use a relative
tolerance of 2e-4 on the half-width (and absolute tolerance on the centre).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest

from openqi.spc.charts import mr_chart, spc_chart, xmr

DATA = Path(__file__).parent / "data"

#: The contract's rule and signal vocabulary (openqi/spc/results.py).
CC = "common_cause"


def _read(name: str, column: str) -> list[float]:
    with (DATA / name).open() as handle:
        rows = [line for line in handle if not line.startswith("#")]
    return [float(row[column]) for row in csv.DictReader(rows)]


def _flagged(result: object) -> dict[int, str]:
    """Index -> rule for every point not common cause."""
    return {i: r for i, r in enumerate(result.rule) if r != CC}  # type: ignore[attr-defined]


def _ccpy_limits(
    values: list[float], chart_type: str = "i", **outliers: object
) -> list[dict]:
    """controlchartspy (PowerBI-SPC) limits, in input order.

    Call: controlchartspy.spc(None, keys, values, spc_settings={"chart_type": chart_type},
    outlier_settings={"astronomical": True, "shift": True, "trend": True,
    "two_in_three": True, "shift_n": 7, "trend_n": 7, **outliers}, return_objs="limits").
    Its output is sorted by key, so the keys are zero-padded.
    """
    ccpy = pytest.importorskip("controlchartspy")
    keys = [f"{i:04d}" for i in range(len(values))]
    settings = {
        "astronomical": True,
        "shift": True,
        "trend": True,
        "two_in_three": True,
        "shift_n": 7,
        "trend_n": 7,
    }
    settings.update(outliers)
    out = ccpy.spc(
        None,
        keys,
        list(values),
        spc_settings={"chart_type": chart_type},
        outlier_settings=settings,
        return_objs="limits",
    )
    return sorted(out.limits, key=lambda row: row["date"])


# ---------------------------------------------------------------------------
# NHSRplotthedots published examples
# ---------------------------------------------------------------------------


def test_rnorm20_matches_nhsrplotthedots_snapshot() -> None:
    # Data: R set.seed(123); rnorm(20), the data of NHSRplotthedots 0.2.2
    # tests/testthat/test-ptd_spc_standard.R. Its snapshot
    # tests/testthat/_snaps/ptd_spc_standard.md ("it returns expected values")
    # prints the values to 3 significant figures and mean 0.142, lpl -3.01,
    # upl 3.29 on every row; _snaps/ptd_spc.md shows n = 20, 20 common cause.
    y = _read("r_rnorm20_seed123.csv", "y")
    snapshot_y = [
        -0.560,
        -0.230,
        1.56,
        0.0705,
        0.129,
        1.72,
        0.461,
        -1.27,
        -0.687,
        -0.446,
    ]
    assert np.allclose(
        y[:10], snapshot_y, rtol=5e-3
    )  # the data file is the snapshot's data

    res = xmr(y, improvement="increase")
    assert np.allclose(res.centre, 0.142, atol=5e-4)
    assert np.allclose(res.lower, -3.01, atol=5e-3)
    assert np.allclose(res.upper, 3.29, atol=5e-3)
    assert res.rule == (CC,) * 20  # snapshot: common_cause 20, special causes 0
    assert res.signal == (CC,) * 20
    assert res.variation == "common_cause"
    # Hand calculation: mean = sum(y)/20 = 2.83247607/20 = 0.14162380;
    # sum |diff| = 22.52145284 over 19 -> AMR = 1.18533962; the largest MR,
    # |0.70135590 - (-1.96661716)| = 2.66797306, is below 3.267 x AMR = 3.8725, so
    # screening removes nothing; upper = 0.1416238 + 2.66 x 1.18533962 = 3.29463,
    # lower = -3.01138 (the snapshot's 3.29 and -3.01).
    amr = float(np.mean(np.abs(np.diff(y))))
    assert np.max(np.abs(np.diff(y))) < 3.267 * amr
    assert res.upper[0] == pytest.approx(0.1416238 + 2.66 * amr, abs=1e-6)
    assert res.phases[0].mean_moving_range == pytest.approx(amr, rel=1e-9)


def test_rnorm20_target_assurance_inconsistent() -> None:
    # NHSRplotthedots 0.2.2 _snaps/ptd_spc.md "summary with a target": target 0.5,
    # improvement increase, lpl -3.01 < 0.5 < upl 3.29, so by the contract's
    # assurance rule (and ptd_calculate_assurance_type) the icon is inconsistent.
    y = _read("r_rnorm20_seed123.csv", "y")
    res = xmr(y, improvement="increase", target=0.5)
    assert res.assurance == "inconsistent"
    assert res.target == 0.5


def test_rnorm20_against_controlchartspy() -> None:
    # controlchartspy.spc(None, keys, y, spc_settings={"chart_type": "i"},
    #   outlier_settings={all four rules on, shift_n=7, trend_n=7}) gives
    #   target 0.14162380, ll99 -3.0146727, ul99 3.2979203 (3-sigma with sigma = AMR/1.128)
    #   and no flagged point.
    y = _read("r_rnorm20_seed123.csv", "y")
    ref = _ccpy_limits(y)
    res = xmr(y)
    centre = ref[0]["target"]
    assert res.centre[0] == pytest.approx(centre, abs=1e-9)
    half_ref = ref[0]["ul99"] - centre
    assert res.upper[0] - res.centre[0] == pytest.approx(half_ref, rel=2e-4)
    assert res.centre[0] - res.lower[0] == pytest.approx(
        centre - ref[0]["ll99"], rel=2e-4
    )
    flags = [
        any(r[k] != "none" for k in ("astpoint", "shift", "trend", "two_in_three"))
        for r in ref
    ]
    assert not any(flags)


def test_deviations_vignette_screening() -> None:
    # NHSRplotthedots 0.2.2 vignette "Deviations from Excel defaults", section 1:
    # data c(1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1) with the default
    # screen_outliers = TRUE; figure caption "UPL = 4.6, Mean = 1.94, LPL = -0.72",
    # "a single blue special cause improvement point" (point 5) and the rest grey.
    data = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]
    res = xmr(data, improvement="increase")
    # Hand: mean = 35/18 = 1.9444; MRs 1,1,1,8,9 and twelve 1s, AMR = 32/17 = 1.8824;
    # screening drops MR >= 3.267 x 1.8824 = 6.15 (the 8 and the 9) -> AMR = 15/15 = 1;
    # limits 1.9444 +/- 2.66 = 4.6044 / -0.7156; near lines 1.9444 +/- 1.7733.
    assert res.centre[0] == pytest.approx(35 / 18)
    assert res.upper[0] == pytest.approx(35 / 18 + 2.66)
    assert res.lower[0] == pytest.approx(35 / 18 - 2.66)
    assert (
        round(res.upper[0], 2) == 4.6 and round(res.lower[0], 2) == -0.72
    )  # the caption
    assert res.near_upper[0] == pytest.approx(35 / 18 + 2 / 3 * 2.66)
    assert res.near_lower[0] == pytest.approx(35 / 18 - 2 / 3 * 2.66)
    assert _flagged(res) == {4: "outside_limits"}
    assert res.signal[4] == "improvement"
    assert res.phases[0].mean_moving_range == pytest.approx(1.0)
    assert res.variation == "common_cause"  # last point is 1, common cause
    assert res.warnings == ()  # 18 points: no short-phase warning


def test_deviations_vignette_no_screening_matches_excel_tool() -> None:
    # Same vignette, screen_outliers = FALSE ("to replicate the Excel method").
    # Hand: AMR = 32/17 = 1.882353; limits 1.944444 +/- 2.66 x 1.882353
    #   = 6.951536 / -3.062647; the 10 is still above the upper limit.
    data = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]
    res = xmr(data, improvement="increase", screen=False)
    assert res.upper[0] == pytest.approx(35 / 18 + 2.66 * 32 / 17)
    assert res.lower[0] == pytest.approx(35 / 18 - 2.66 * 32 / 17)
    assert _flagged(res) == {4: "outside_limits"}
    # controlchartspy's default (outliers_in_limits = False) screens moving ranges
    # like NHSRplotthedots: controlchartspy.spc(None, keys, data,
    # spc_settings={"chart_type": "i"}, ...) -> ul99 = 1.9444 + 3 x 1/1.128 = 4.6040.
    ref = _ccpy_limits(data)
    assert ref[0]["ul99"] - ref[0]["target"] == pytest.approx(3 / 1.128, rel=1e-6)


def test_two_of_three_opposite_sides_is_common_cause() -> None:
    # NHSRplotthedots 0.2.2 test-ptd_spc_standard.R, "it only reports special cause
    # for 2 of 3 points close to limits when they are on the same side of the mean":
    # data rep(c(1, -1), 8) with point 15 = 5.5 and point 16 = -5.5; the last two
    # points are common_cause.
    data = [1.0, -1.0] * 8
    data[14], data[15] = 5.5, -5.5
    res = xmr(data)
    # Hand: mean 0, MRs: 13 x 2, |5.5 - (-1)| = 6.5, 11 -> AMR 43.5/15 = 2.9;
    # 3.267 x 2.9 = 9.47 so the 11 is screened out: AMR = 32.5/14 = 2.3214,
    # limits +/- 6.175, near lines +/- 4.117: 5.5 and -5.5 lie in the near zones.
    assert res.upper[0] == pytest.approx(2.66 * 32.5 / 14)
    assert res.rule[-2:] == (CC, CC)
    assert res.signal[-2:] == (CC, CC)


def test_assurance_cases_from_nhsrplotthedots() -> None:
    # NHSRplotthedots 0.2.2 test-ptd_calculate_assurance_type.R: with target 4,
    # limits (1, 3) -> increase: consistent_fail, decrease: consistent_pass;
    # limits (5, 7) -> increase: consistent_pass, decrease: consistent_fail;
    # limits (1, 5) -> inconsistent both ways; neutral direction -> NA.
    # Here the series alternate m - 0.5, m + 0.5 (14 points): mean m, AMR 1,
    # limits m -/+ 2.66. m = 2 gives (-0.66, 4.66) which contains 4, so use
    # targets placed relative to the limits of the series around 10 instead.
    series = [9.5, 10.5] * 7  # mean 10, AMR 1, limits 7.34 / 12.66
    cases = [
        (13.0, "increase", "consistent_fail"),
        (7.0, "increase", "consistent_pass"),
        (10.0, "increase", "inconsistent"),
        (13.0, "decrease", "consistent_pass"),
        (7.0, "decrease", "consistent_fail"),
        (10.0, "decrease", "inconsistent"),
    ]
    for target, direction, expected in cases:
        assert xmr(series, improvement=direction, target=target).assurance == expected
    assert xmr(series, improvement="neither", target=13.0).assurance is None
    assert xmr(series, improvement="increase").assurance is None


def test_assurance_target_exactly_on_limit_is_inconsistent() -> None:
    # Contract: "a target exactly on a limit -> inconsistent". Hand: mean 10.0 and
    # AMR 1.0 are exact, so the limits are exactly 10 + 2.66 and 10 - 2.66.
    series = [9.5, 10.5] * 7
    upper = 10.0 + 2.66 * 1.0
    lower = 10.0 - 2.66 * 1.0
    for direction in ("increase", "decrease"):
        assert (
            xmr(series, improvement=direction, target=upper).assurance == "inconsistent"
        )
        assert (
            xmr(series, improvement=direction, target=lower).assurance == "inconsistent"
        )


def test_assurance_uses_latest_phase() -> None:
    # NHSRplotthedots 0.2.2 test-ptd_calculate_assurance_type.R "when rebase": the
    # icon comes from the last rebase group's limits. Phase 1 alternates 9.5/10.5
    # (limits 7.34 / 12.66), phase 2 alternates 19.5/20.5 (limits 17.34 / 22.66);
    # target 15, increase: phase 2's lower limit 17.34 > 15 -> consistent_pass
    # (phase 1 alone would say consistent_fail).
    series = [9.5, 10.5] * 7 + [19.5, 20.5] * 7
    res = xmr(series, improvement="increase", target=15.0, rebase=["15"])
    assert res.assurance == "consistent_pass"
    assert (
        xmr(series[:14], improvement="increase", target=15.0).assurance
        == "consistent_fail"
    )


def test_short_phase_warning_threshold() -> None:
    # NHSRplotthedots 0.2.2 test-ptd_add_short_group_warnings.R warns for a group of
    # 11 points and not for 12 (threshold "< 12"). The contract deliberately differs:
    # "a phase with 12 or fewer points is computed but carries a warning".
    assert xmr([9.5, 10.5] * 5 + [9.5]).warnings  # 11 points
    twelve = xmr([9.5, 10.5] * 6)
    assert twelve.warnings  # 12 points: contract warns (NHSRplotthedots does not)
    assert np.allclose(twelve.centre, 10.0)  # still computed
    assert xmr([9.5, 10.5] * 6 + [10.0]).warnings == ()  # 13 points


def test_rule_functions_from_nhsrplotthedots_unit_tests() -> None:
    # NHSRplotthedots 0.2.2 test-ptd_calculate_point_type.R:
    #   ptd_seven_point_one_side_mean(rep(1, 6)) flags nothing (6 points);
    #   ptd_seven_point_trend(1:6) flags nothing; (1:7) flags the trend;
    #   ptd_seven_point_trend(c(1:3, 3:6)) flags nothing (a tie breaks the trend).
    # Embedded here in XmR series (hand-checked: no other rule fires):
    base = [10, 12, 10, 12, 10, 12, 10]
    after = [10, 12, 10, 12, 10, 12]
    rising7 = [9.5, 10, 10.5, 11, 11.5, 12, 12.5]
    res = xmr(base + rising7 + after)
    # Hand: mean = 219/20 = 10.95, AMR = 28/19 = 1.4737, limits 7.03 / 14.87,
    # near lines 8.34 / 13.56: nothing outside or near; the 7 rising points cross
    # the mean, so no shift.
    assert res.centre[0] == pytest.approx(10.95)
    assert _flagged(res) == {i: "trend" for i in range(7, 14)}
    assert _flagged(xmr(base + rising7[:6] + after)) == {}
    with_tie = [9.5, 10, 10.5, 10.5, 11, 11.5, 12, 12.5]  # 8 points, rising but a tie
    assert _flagged(xmr(base + with_tie + after)) == {}


# ---------------------------------------------------------------------------
# Montgomery Example 6.5 (individuals chart) and the MR chart
# ---------------------------------------------------------------------------


def test_montgomery_example_6_5_individuals() -> None:
    # Montgomery (6th ed.) Example 6.5, Table 6.7, weeks 1-20: x-bar = 300.5,
    # MR-bar = 7.79, UCL = 321.22, LCL = 279.78 (qicharts2 tests/testthat/
    # test_montgomery.R uses the same data set, tbl_06.07, with chart = 'i').
    cost = _read("montgomery_t6_7_loan_costs.csv", "cost")
    res = xmr(cost)
    # Hand: sum = 6010 -> mean 300.5; sum |MR| = 148 over 19 -> AMR = 7.789474;
    # largest MR 22 < 3.267 x 7.79 = 25.45 so screening removes nothing;
    # limits 300.5 +/- 2.66 x 7.789474 = 321.2200 / 279.7800.
    assert np.allclose(res.centre, 300.5)
    assert np.allclose(res.upper, 300.5 + 2.66 * 148 / 19)
    assert np.allclose(res.lower, 300.5 - 2.66 * 148 / 19)
    assert round(res.upper[0], 2) == 321.22 and round(res.lower[0], 2) == 279.78
    assert res.phases[0].mean_moving_range == pytest.approx(7.79, abs=5e-3)
    assert xmr(cost, screen=False).upper[0] == pytest.approx(res.upper[0])
    # Montgomery: the process is in control.
    assert all(r == CC for r in res.rule)


def test_montgomery_example_6_5_against_shewhart() -> None:
    # shewhart.imr(cost) -> stats i_center 300.5, i_ucl 321.2097, i_lcl 279.7903,
    # mr_center 7.789474. It uses sigma = MR-bar/d2 with d2 = 2/sqrt(pi) = 1.128379,
    # i.e. 2.6587 x MR-bar against the literal 2.66: relative difference 4.9e-4 on
    # the half-width, hence rel = 1e-3.
    shewhart = pytest.importorskip("shewhart")
    cost = _read("montgomery_t6_7_loan_costs.csv", "cost")
    ref = shewhart.imr(cost).stats
    res = xmr(cost)
    assert res.centre[0] == pytest.approx(ref["i_center"])
    assert res.upper[0] - 300.5 == pytest.approx(ref["i_ucl"] - 300.5, rel=1e-3)
    assert res.phases[0].mean_moving_range == pytest.approx(ref["mr_center"])


def test_montgomery_example_6_5_moving_range_chart() -> None:
    # Montgomery (6th ed.) Example 6.5: MR chart centre MR-bar = 7.79,
    # UCL = D4 x MR-bar = 3.267 x 7.79 = 25.45 (contract: "the MR chart's centre is
    # the mean moving range and its upper limit 3.267 x that"); qicharts2
    # test_montgomery.R draws the same chart (chart = 'mr').
    cost = _read("montgomery_t6_7_loan_costs.csv", "cost")
    res = mr_chart(cost)
    amr = 148 / 19
    assert np.nanmax(np.abs(res.centre - amr)) < 1e-9
    assert np.nanmax(np.abs(res.upper - 3.267 * amr)) < 1e-9
    # values are the moving ranges: |288 - 310| = 22, |297 - 288| = 9, ...
    finite = res.values[~np.isnan(res.values)]
    assert finite[:3].tolist() == [22.0, 9.0, 1.0]
    assert len(finite) == 19
    # controlchartspy.spc(None, keys, cost, spc_settings={"chart_type": "mr"}) ->
    # target = 7.789474, ul99 = 25.4482 (= 3.267 x MR-bar).
    ref = _ccpy_limits(cost, "mr")
    assert ref[-1]["target"] == pytest.approx(amr)
    assert ref[-1]["ul99"] == pytest.approx(3.267 * amr, rel=1e-9)


def test_fix_after_freezes_limits() -> None:
    # Contract: fix_after freezes a phase's limits on its first N points (qicharts2
    # `freeze`; Montgomery Example 6.5 in qicharts2 test_montgomery.R uses
    # freeze = 20). Weeks 1-20 of Table 6.7 then 7 hypothetical weeks at 305:
    # frozen mean 300.5, AMR 7.789474 -> limits 279.78 / 321.22 on all 27 points,
    # and the 7 later points are above 300.5 as are weeks 18-20 (306, 301, 304;
    # week 17 is 293) -> shift on the last 10 points (indices 17..26).
    cost = _read("montgomery_t6_7_loan_costs.csv", "cost")
    res = xmr(cost + [305.0] * 7, fix_after=20)
    assert np.allclose(res.centre, 300.5)
    assert np.allclose(res.upper, 300.5 + 2.66 * 148 / 19)
    assert res.phases[0].n_baseline == 20
    assert _flagged(res) == {i: "shift" for i in range(17, 27)}
    # Without fix_after the mean moves to (6010 + 2135)/27 = 301.67.
    free = xmr(cost + [305.0] * 7)
    assert free.centre[0] == pytest.approx(8145 / 27)


# ---------------------------------------------------------------------------
# Hand calculations at every rule boundary (contract, "XmR (individuals) chart")
# ---------------------------------------------------------------------------

#: Baseline for frozen-limit tests: alternating 10, 12 (12 points). Hand: mean 11,
#: AMR 22/11 = 2, limits 11 -/+ 5.32 = 5.68 / 16.32, near lines
#: 11 -/+ (2/3 x 2.66) x 2 = 7.4533 / 14.5467. All exact except the 2/3.
BASE = [10.0, 12.0] * 6


def _frozen(tail: list[float], **kw: object) -> object:
    return xmr(BASE + tail, fix_after=12, **kw)


def test_frozen_baseline_lines() -> None:
    res = _frozen([11.0])
    assert np.allclose(res.centre, 11.0)
    assert np.allclose(res.upper, 16.32)
    assert np.allclose(res.lower, 5.68)
    assert np.allclose(res.near_upper, 11 + 2 / 3 * 2.66 * 2)
    assert np.allclose(res.near_lower, 11 - 2 / 3 * 2.66 * 2)


def test_shift_six_versus_seven_points() -> None:
    # Hand: base alternates about the mean; seven points at 11.5 sit between a 10
    # (index 6) and a 10 (index 14). Mean = 222.5/20 = 11.125, so 11.5 is above it;
    # AMR = 25/19 = 1.3158, near upper 13.458: no other rule fires.
    base = [10, 12, 10, 12, 10, 12, 10]
    after = [10, 12, 10, 12, 10, 12]
    seven = xmr(base + [11.5] * 7 + after)
    assert seven.centre[0] == pytest.approx(11.125)
    assert _flagged(seven) == {i: "shift" for i in range(7, 14)}
    assert _flagged(xmr(base + [11.5] * 6 + after)) == {}


def test_shift_length_option() -> None:
    # shift_length = 6 makes the 6-point run above (previous test) a shift.
    base = [10, 12, 10, 12, 10, 12, 10]
    after = [10, 12, 10, 12, 10, 12]
    res = xmr(base + [11.5] * 6 + after, shift_length=6)
    assert _flagged(res) == {i: "shift" for i in range(7, 13)}


def test_point_on_mean_breaks_shift() -> None:
    # Hand: 18 integers summing to 198 -> mean exactly 11.0. Four 12s, the 11 (on
    # the mean), four 12s. Contract: "a point on the mean breaks it" -> runs of 4
    # and 4, no shift. (Had the 11 been skipped, as Anhoej runs do, the run would be
    # 8.) Replacing the 11 by a 12 (and the last point 7 by 6 to keep mean 11)
    # makes a run of 9 above: shift on indices 5..13.
    x = [9, 13, 9, 13, 9, 12, 12, 12, 12, 11, 12, 12, 12, 12, 9, 13, 9, 7]
    assert sum(x) == 198
    res = xmr(x)
    assert res.centre[0] == 11.0
    assert _flagged(res) == {}
    y = list(x)
    y[9], y[-1] = 12, 6
    assert _flagged(xmr(y)) == {i: "shift" for i in range(5, 14)}


def test_trend_length_option_and_direction() -> None:
    base = [10, 12, 10, 12, 10, 12, 10]
    after = [10, 12, 10, 12, 10, 12]
    six = [9.5, 10, 10.5, 11, 11.5, 12]
    res = xmr(base + six + after, trend_length=6)
    assert _flagged(res) == {i: "trend" for i in range(7, 13)}
    # A rising trend is high whatever its side of the mean: with improvement
    # "decrease" every trend point is concern, with "increase" improvement.
    seven = [9.5, 10, 10.5, 11, 11.5, 12, 12.5]
    up = xmr(base + seven + after, improvement="increase")
    assert {up.signal[i] for i in range(7, 14)} == {"improvement"}
    down = xmr(base + seven + after, improvement="decrease")
    assert {down.signal[i] for i in range(7, 14)} == {"concern"}
    neither = xmr(base + seven + after)
    assert {neither.signal[i] for i in range(7, 14)} == {"neutral_high"}


def test_falling_trend_above_mean_is_concern_for_increase() -> None:
    # NHSRplotthedots pull request #180 ("fix colour of points in trends"): a
    # falling trend that lies above the mean is a concern when higher is better.
    # Frozen baseline (mean 11): tail 14, 13.5, 13, 12.5, 12, 11.8, 11.6 falls
    # strictly (7 points, all above 11 and inside the near line 14.5467), then 12.
    # Hand: indices 11 (the baseline's last 12) to 19 are 9 points above 11, a
    # shift; the trend on 12..18 takes priority, leaving shift on 11 and 19.
    res = _frozen([14, 13.5, 13, 12.5, 12, 11.8, 11.6, 12], improvement="increase")
    assert _flagged(res) == {
        11: "shift",
        19: "shift",
        **{i: "trend" for i in range(12, 19)},
    }
    assert {res.signal[i] for i in range(12, 19)} == {"concern"}


def test_two_of_three_default() -> None:
    # Frozen lines: near upper 14.5467 < 15 < upper 16.32. Window (15, 11.5, 15):
    # all above 11, two strictly in the near zone -> only those two are flagged.
    res = _frozen([15, 11.5, 15, 10, 12, 10])
    assert _flagged(res) == {12: "two_of_three", 14: "two_of_three"}
    # Only one point in the near zone -> nothing.
    assert _flagged(_frozen([15, 11.5, 12, 10, 12, 10])) == {}
    # Near zones on opposite sides (15 and 7) -> nothing.
    assert _flagged(_frozen([15, 7, 10, 12, 10, 12])) == {}


def test_two_of_three_beyond_near_variant() -> None:
    # Window (15, 17, 11.5): 17 is beyond the upper limit 16.32. Contract default:
    # only points strictly between near line and limit count -> one point, so the
    # 15 is common cause and the 17 outside_limits. Option "beyond_near" (MDC 2023)
    # counts the 17 too -> the 15 is two_of_three; the 17 keeps outside_limits by
    # priority.
    tail = [15, 17, 11.5, 10, 12, 10]
    assert _flagged(_frozen(tail)) == {13: "outside_limits"}
    assert _flagged(_frozen(tail, two_of_three="beyond_near")) == {
        12: "two_of_three",
        13: "outside_limits",
    }


def test_point_exactly_on_limit_is_inside() -> None:
    # Frozen limits are exactly 11 + 2.66 x 2 and 11 - 2.66 x 2 (mean 11.0 and AMR
    # 2.0 are exact). A point exactly on either limit is not outside; 16.33 is.
    upper = 11.0 + 2.66 * 2.0
    lower = 11.0 - 2.66 * 2.0
    res = _frozen([upper, 11.5, 10, 12, lower, 10.5, 12, 10])
    assert res.rule[12] == CC and res.rule[16] == CC
    assert _flagged(_frozen([16.33, 11.5, 10, 12])) == {12: "outside_limits"}
    assert _flagged(_frozen([5.67, 11.5, 10, 12])) == {12: "outside_limits"}


def test_rule_priority() -> None:
    # outside_limits > trend: rising 8..13 then 17 (> 16.32): indices 12..17 trend,
    # 18 outside_limits.
    res = _frozen([8, 9, 10, 11, 12, 13, 17, 10, 12])
    assert _flagged(res) == {
        **{i: "trend" for i in range(12, 18)},
        18: "outside_limits",
    }
    # trend > two_of_three: rising 9, 10, 11, 12, 14.8, 15, 15.5 (the last three in
    # the near zone) -> all trend.
    res = _frozen([9, 10, 11, 12, 14.8, 15, 15.5, 10, 12])
    assert _flagged(res) == {i: "trend" for i in range(12, 19)}
    # two_of_three > shift: 12 (baseline end), 11.5, 15, 11.5, 15, 11.5, 11.5, 11.5
    # are 8 points above 11 (shift) and the two 15s make two-of-three.
    res = _frozen([11.5, 15, 11.5, 15, 11.5, 11.5, 11.5, 10, 12])
    expected = {i: "shift" for i in range(11, 19)}
    expected[13] = expected[15] = "two_of_three"
    assert _flagged(res) == expected


@pytest.mark.parametrize(
    ("value", "improvement", "signal", "variation"),
    [
        (30.0, "increase", "improvement", "improvement_high"),
        (30.0, "decrease", "concern", "concern_high"),
        (30.0, "neither", "neutral_high", "neutral_high"),
        (-10.0, "increase", "concern", "concern_low"),
        (-10.0, "decrease", "improvement", "improvement_low"),
        (-10.0, "neither", "neutral_low", "neutral_low"),
    ],
)
def test_signal_and_variation_mapping(
    value: float, improvement: str, signal: str, variation: str
) -> None:
    # Contract: a high/low flagged point is improvement or concern by direction,
    # neutral_high/neutral_low with "neither"; the variation icon is the last point's.
    res = _frozen([value], improvement=improvement)
    assert res.rule[-1] == "outside_limits"
    assert res.signal[-1] == signal
    assert res.variation == variation
    assert res.improvement == improvement
    # A common-cause last point gives the common_cause icon.
    assert _frozen([value, 11.0], improvement=improvement).variation == "common_cause"


# ---------------------------------------------------------------------------
# Rebasing, missing values, exclusions
# ---------------------------------------------------------------------------


def test_rebase_phases_and_no_rule_across_boundary() -> None:
    # Phase 1: 10, 12 x 5 then 9, 10, 11, 12 (14 points); phase 2 (12 points):
    # 13, 14, 15, 12, 14, ... Without rebasing, 9..15 is a 7-point rising trend
    # across the join. Rebased at period "15": each phase has its own mean and AMR
    # and no rule runs across the boundary.
    p1 = [10, 12] * 5 + [9, 10, 11, 12]
    p2 = [13, 14, 15, 12, 14, 12, 14, 12, 14, 12, 14, 12]
    whole = xmr(p1 + p2)
    assert all(whole.rule[i] == "trend" for i in range(10, 17))
    res = xmr(p1 + p2, rebase=["15"])
    # Hand, phase 1: mean 152/14 = 10.857143, MRs 2 x 9, 3, 1, 1, 1 -> AMR 24/13;
    # phase 2: mean 158/12 = 13.166667, MRs 1, 1, 3, 2 x 8 -> AMR 21/11.
    assert np.allclose(res.centre[:14], 152 / 14)
    assert np.allclose(res.centre[14:], 158 / 12)
    assert np.allclose(res.upper[:14], 152 / 14 + 2.66 * 24 / 13)
    assert np.allclose(res.upper[14:], 158 / 12 + 2.66 * 21 / 11)
    assert res.phase.tolist() == [0] * 14 + [1] * 12
    assert len(res.phases) == 2
    assert res.phases[1].first_period == "15"
    assert _flagged(res) == {}
    # Phase 2 has 12 points: the contract warns (12 or fewer); phase 1 (14) does not.
    assert len(res.warnings) == 1


def test_rebase_with_named_periods_and_level_change() -> None:
    # Two stable levels, 10/12 then 20/22, 14 points each, periods 2020-01 ...:
    # unrebased, the level change makes shifts; rebased at 2021-03 each phase has
    # mean 11 / 21 and AMR 2 (the MR of 8 across the join is not used).
    periods = [f"{2020 + m // 12}-{m % 12 + 1:02d}" for m in range(28)]
    values = [10.0, 12.0] * 7 + [20.0, 22.0] * 7
    res = xmr(values, periods, rebase=["2021-03"])
    assert res.periods == tuple(periods)
    assert np.allclose(res.centre, [11.0] * 14 + [21.0] * 14)
    assert np.allclose(res.upper, [16.32] * 14 + [26.32] * 14)
    assert _flagged(res) == {}
    assert _flagged(xmr(values, periods))  # without rebasing: special cause


def test_missing_value_loses_both_moving_ranges() -> None:
    # 14 points, the 8th missing. Hand: 13 valid values sum to 148 -> mean
    # 11.384615; valid MRs: six 2s before the gap and five 2s after; the ranges
    # |NaN - 10| and |13 - NaN| are lost (and |13 - 10| = 3 is NOT used) -> AMR 2.
    x = [10, 12, 10, 12, 10, 12, 10, math.nan, 13, 11, 13, 11, 13, 11]
    res = xmr(x)
    assert np.allclose(res.centre, 148 / 13)
    assert np.allclose(res.upper, 148 / 13 + 2.66 * 2.0)
    assert math.isnan(res.values[7])
    assert res.rule[7] == CC and res.signal[7] == CC
    assert res.to_dict()["points"][7]["value"] is None
    excluded = res.to_dict()["summary"]["excluded"]
    assert [e["period"] for e in excluded] == ["8"]
    assert excluded[0]["reason"]
    # None is accepted as missing too.
    y = [None if isinstance(v, float) and math.isnan(v) else v for v in x]
    assert np.allclose(xmr(y).upper, res.upper)


def test_exclude_leaves_point_out_of_calculations() -> None:
    # The deviations-vignette data with the 10 (period "5") excluded. Hand: mean of
    # the other 17 = 25/17 = 1.470588; every remaining MR is 1 -> AMR 1 (with or
    # without the range across the excluded point), limits 1.470588 -/+ 2.66.
    data = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]
    res = xmr(data, exclude=["5"], screen=False)
    assert np.allclose(res.centre, 25 / 17)
    assert np.allclose(res.upper, 25 / 17 + 2.66)
    assert res.values[4] == 10.0  # still plotted
    assert bool(res.is_excluded[4])
    assert [e.period for e in res.excluded] == ["5"]


def test_duplicate_periods_are_an_error() -> None:
    # Contract: "Duplicate periods are an error."
    with pytest.raises(ValueError, match="period"):
        xmr([1.0, 2.0, 3.0], ["a", "b", "a"])


def test_spc_chart_dispatch_xmr() -> None:
    cost = _read("montgomery_t6_7_loan_costs.csv", "cost")
    assert np.allclose(spc_chart("xmr", cost).upper, xmr(cost).upper)
    assert np.nanmax(spc_chart("mr", cost).upper) == pytest.approx(3.267 * 148 / 19)


def test_to_dict_shape() -> None:
    # Contract "Output contract": chart, options, points, summary with variation,
    # assurance, warnings, excluded.
    res = xmr([9.5, 10.5] * 7, improvement="increase", target=13.0)
    d = res.to_dict()
    assert d["chart"] == "xmr"
    assert d["options"]["improvement"] == "increase"
    assert len(d["points"]) == 14
    p = d["points"][0]
    assert p["period"] == "1" and p["value"] == 9.5
    assert p["centre"] == pytest.approx(10.0) and p["upper"] == pytest.approx(12.66)
    assert p["rule"] == CC and p["signal"] == CC and p["phase"] == 0
    s = d["summary"]
    assert s["variation"] == "common_cause"
    assert s["assurance"] == "consistent_fail"
    assert s["warnings"] == [] and s["excluded"] == []


# ---------------------------------------------------------------------------
# Real data: NHSRplotthedots' own example series (ae_attendances, RJZ type 1)
# ---------------------------------------------------------------------------


def _rjz(shared_data: Path, column: str) -> tuple[list[str], list[float]]:
    rows = []
    with (shared_data / "ae_attendances.csv").open() as handle:
        for row in csv.DictReader(handle):
            if row["org_code"] == "RJZ" and row["type"] == "1":
                rows.append((row["period"], float(row[column])))
    rows.sort()
    return [p for p, _ in rows], [v for _, v in rows]


def test_ae_attendances_rjz_limits_against_controlchartspy(shared_data: Path) -> None:
    # NHSRplotthedots' README example: ae_attendances, org_code "RJZ", type 1,
    # attendances (36 months). Reference: controlchartspy.spc(None, keys, values,
    # spc_settings={"chart_type": "i"}, outlier_settings={astronomical, shift,
    # trend, two_in_three on; shift_n = trend_n = 7}); its default screening
    # (outliers_in_limits = False) drops MR above 3.267 x AMR like the contract.
    # Both find no special cause in this series.
    periods, values = _rjz(shared_data, "attendances")
    assert len(values) == 36
    res = xmr(values, periods)
    ref = _ccpy_limits(values)
    centre = ref[0]["target"]
    assert res.centre[0] == pytest.approx(centre, rel=1e-12)
    assert res.upper[0] - centre == pytest.approx(ref[0]["ul99"] - centre, rel=2e-4)
    assert centre - res.lower[0] == pytest.approx(centre - ref[0]["ll99"], rel=2e-4)
    assert _flagged(res) == {}
    assert not any(
        row[k] != "none"
        for row in ref
        for k in ("astpoint", "shift", "trend", "two_in_three")
    )


def test_ae_breaches_rjz_rules_against_controlchartspy(shared_data: Path) -> None:
    # RJZ type 1 4-hour breaches (fewer is better): a series with every kind of
    # signal. controlchartspy.spc(None, keys, breaches, spc_settings={"chart_type":
    # "i"}, outlier_settings={"astronomical": True, "shift": True, "trend": True,
    # "two_in_three": True, "shift_n": 7, "trend_n": 7, "improvement_direction":
    # "decrease"}) flags each rule separately (a point may carry several); the
    # contract keeps one rule per point by priority outside_limits > trend >
    # two_of_three > shift, so each of our flagged points must carry the same rule
    # (and direction) in controlchartspy, and the flagged sets must agree.
    periods, values = _rjz(shared_data, "breaches")
    res = xmr(values, periods, improvement="decrease")
    ref = _ccpy_limits(values, improvement_direction="decrease")
    centre = ref[0]["target"]
    assert res.upper[0] - centre == pytest.approx(ref[0]["ul99"] - centre, rel=2e-4)
    keys = {
        "outside_limits": "astpoint",
        "trend": "trend",
        "two_of_three": "two_in_three",
        "shift": "shift",
    }
    direction = {"improvement": "improvement", "concern": "deterioration"}
    theirs = {
        i for i, row in enumerate(ref) if any(row[k] != "none" for k in keys.values())
    }
    assert set(_flagged(res)) == theirs
    assert {"outside_limits", "trend", "two_of_three", "shift"} <= set(res.rule)
    for i, rule in _flagged(res).items():
        assert ref[i][keys[rule]] == direction[res.signal[i]], (i, rule)
