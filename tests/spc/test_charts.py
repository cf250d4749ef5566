"""Behaviour of the chart functions: the contract's edge cases, each worked by hand."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from openqi.spc import (
    InsufficientDataError,
    c_chart,
    g_chart,
    mr_chart,
    p_chart,
    pp_chart,
    run_chart,
    spc_chart,
    t_chart,
    u_chart,
    up_chart,
    xmr,
)

# A quiet baseline: mean 10, moving ranges alternate 1 and 0 -> by hand below.
QUIET = [10, 11, 10, 9, 10, 11, 10, 9, 10, 11, 10, 9, 10, 11, 10, 9]


def test_xmr_limits_by_hand():
    # Hand calculation: mean = 160/16 = 10; moving ranges are all 1 (15 of them),
    # AMR = 1; screening keeps all (1 < 3.267); limits 10 ± 2.66; near 10 ± 1.7733.
    r = xmr(QUIET)
    assert r.centre[0] == pytest.approx(10.0)
    assert r.upper[0] == pytest.approx(12.66)
    assert r.lower[0] == pytest.approx(7.34)
    assert r.near_upper[0] == pytest.approx(10 + 2 / 3 * 2.66)
    assert r.phases[0].mean_moving_range == pytest.approx(1.0)
    assert set(r.rule) == {"common_cause"}
    assert r.variation == "common_cause"
    assert r.assurance is None


def test_screening_drops_large_moving_ranges_once():
    # values 10,11,10,11,10,40: MRs 1,1,1,1,30; AMR = 34/5 = 6.8; 3.267*6.8 = 22.2;
    # screened AMR = mean(1,1,1,1) = 1 -> upper = mean + 2.66.
    values = [10, 11, 10, 11, 10, 40]
    mean = sum(values) / 6
    assert xmr(values).upper[0] == pytest.approx(mean + 2.66 * 1.0)
    assert xmr(values, screen=False).upper[0] == pytest.approx(mean + 2.66 * 6.8)


def test_point_exactly_on_a_limit_is_inside():
    # mean of [0,2]*6 + [x] pattern is awkward; build limits by hand instead:
    # values 0,2 alternating (12 points): mean 1, AMR 2, upper = 1 + 5.32 = 6.32.
    base = [0, 2] * 6
    r = xmr([*base, 6.32], fix_after=12)
    assert r.upper[-1] == pytest.approx(6.32)
    on_limit = xmr([*base, float(r.upper[-1])], fix_after=12)
    assert on_limit.rule[-1] == "common_cause"
    just_over = xmr([*base, float(r.upper[-1]) + 1e-9], fix_after=12)
    assert just_over.rule[-1] == "outside_limits"


def test_shift_needs_seven_points_on_one_side():
    six = [12, 8, 12, 8, 12, 8, 11, 11, 11, 11, 11, 11, 8, 12, 8, 12]
    assert "shift" not in xmr(six).rule
    seven = [12, 8, 12, 8, 12, 8, 11, 11, 11, 11, 11, 11, 11, 8, 12, 8]
    r = xmr(seven)
    # mean = 165/16 = 10.3125, the seven 11s strictly above it; AMR = 40/15, so the
    # near lines (mean ± 4.73) are far from every point and only the shift fires.
    assert r.rule[6:13] == ("shift",) * 7
    assert r.signals[0].n_points == 7 and r.signals[0].side == "high"


def test_point_on_the_mean_breaks_a_shift():
    # Six below, four 12s, a point exactly on the mean (10), four 12s, then 9, 11, 9:
    # sum = 45 + 48 + 10 + 48 + 29 = 180 over 18 points -> mean exactly 10.
    values = [6, 9, 6, 9, 6, 9, 12, 12, 12, 12, 10, 12, 12, 12, 12, 9, 11, 9]
    r = xmr(values)
    assert r.centre[0] == pytest.approx(10.0)
    assert "shift" not in r.rule


# A noisy background (moving ranges of 10) keeps small steps well inside the limits.
NOISE = [0, 10, 0, 10, 0, 10]


def test_tie_breaks_a_trend():
    rising = [5, 5.1, 5.2, 5.3, 5.4, 5.5, 5.6]
    r = xmr([*NOISE, *rising, 0, 10, 0, 10])
    assert r.rule[6:13] == ("trend",) * 7
    assert r.rule[5] == r.rule[13] == "common_cause"
    tied = [5, 5.1, 5.2, 5.2, 5.4, 5.5, 5.6, 5.7]
    assert "trend" not in xmr([*NOISE, *tied, 0, 10, 0, 10]).rule


def test_trend_needs_seven_points():
    six = [5, 5.1, 5.2, 5.3, 5.4, 5.5]
    assert "trend" not in xmr([*NOISE, *six, 0, 10, 0, 10]).rule
    assert "trend" in xmr([*NOISE, *six, 0, 10, 0, 10], trend_length=6).rule


def test_rule_priority_outside_beats_trend():
    values = [*NOISE, 5, 5.1, 5.2, 5.3, 5.4, 5.5, 60, 0, 10, 0, 10]
    r = xmr(values)
    assert r.rule[12] == "outside_limits"
    assert r.rule[6:12] == ("trend",) * 6


def test_signals_follow_improvement_direction():
    values = [*QUIET, 30]
    assert xmr(values, improvement="increase").signal[-1] == "improvement"
    assert xmr(values, improvement="decrease").signal[-1] == "concern"
    assert xmr(values, improvement="neither").signal[-1] == "neutral_high"
    assert xmr(values, improvement="increase").variation == "improvement_high"
    assert xmr(values, improvement="decrease").variation == "concern_high"
    low = [*QUIET, -10]
    assert xmr(low, improvement="increase").variation == "concern_low"
    assert xmr(low, improvement="decrease").variation == "improvement_low"
    assert xmr(low).variation == "neutral_low"


@pytest.mark.parametrize(
    ("improvement", "target", "expected"),
    [
        # QUIET's limits are 7.34 and 12.66 (hand calculation above).
        ("increase", 13.0, "consistent_fail"),
        ("increase", 7.0, "consistent_pass"),
        ("increase", 10.0, "inconsistent"),
        ("decrease", 13.0, "consistent_pass"),
        ("decrease", 7.0, "consistent_fail"),
        ("decrease", 12.66, "inconsistent"),
        ("neither", 13.0, None),
        ("increase", None, None),
    ],
)
def test_assurance_icon(improvement, target, expected):
    assert xmr(QUIET, improvement=improvement, target=target).assurance == expected


def test_target_exactly_on_a_limit_is_inconsistent():
    r = xmr(QUIET)
    upper = float(r.upper[0])
    assert xmr(QUIET, improvement="increase", target=upper).assurance == "inconsistent"


def test_rebasing_gives_each_phase_its_own_limits_and_no_rule_crosses():
    before = [10, 11, 10, 9, 10, 11, 10, 9, 10, 11, 10, 9, 10]
    after = [20, 21, 20, 19, 20, 21, 20, 19, 20, 21, 20, 19, 20]
    periods = [f"p{i:02d}" for i in range(26)]
    r = xmr(before + after, periods, rebase=["p13"])
    assert r.phase.tolist() == [0] * 13 + [1] * 13
    assert r.centre[0] == pytest.approx(10.0) and r.centre[-1] == pytest.approx(20.0)
    assert set(r.rule) == {"common_cause"}
    # Without rebasing the jump is special cause.
    assert set(xmr(before + after).rule) != {"common_cause"}


def test_fix_after_freezes_the_limits_on_the_first_points():
    values = QUIET[:12] + [30, 31, 32, 33]
    r = xmr(values, fix_after=12)
    # mean of first 12 = 120/12 = 10; MRs of first 12 all 1 -> limits 10 ± 2.66.
    assert r.centre[-1] == pytest.approx(10.0)
    assert r.upper[-1] == pytest.approx(12.66)
    assert r.rule[12:] == ("outside_limits",) * 4
    assert r.phases[0].n_baseline == 12


def test_fix_after_below_twelve_is_refused():
    with pytest.raises(
        ValueError, match="fix_after must be a whole number of at least 12"
    ):
        xmr(QUIET, fix_after=5)


def test_missing_values_lose_both_moving_ranges_and_are_reported():
    # 10, 12, (gap), 40, 42: MRs 2 and 2 survive; AMR 2; mean 26.
    r = xmr([10, 12, None, 40, 42], ["a", "b", "c", "d", "e"], screen=False)
    assert r.centre[0] == pytest.approx(26.0)
    assert r.phases[0].mean_moving_range == pytest.approx(2.0)
    assert math.isnan(r.values[2])
    assert r.rule[2] == "common_cause" and r.signal[2] == "common_cause"
    assert [e.period for e in r.excluded] == ["c"]
    point = r.to_dict()["points"][2]
    assert point["value"] is None


def test_excluded_points_are_plotted_but_left_out():
    values = [*QUIET, 100]
    periods = [str(i) for i in range(len(values))]
    r = xmr(values, periods, exclude=["16"])
    assert r.centre[0] == pytest.approx(10.0)
    assert r.values[-1] == 100
    assert r.rule[-1] == "common_cause"
    assert r.excluded[0].period == "16" and "excluded" in r.excluded[0].reason


def test_short_phase_carries_a_warning():
    assert xmr(QUIET[:12]).warnings
    assert "12 or fewer" in xmr(QUIET[:12]).warnings[0]
    assert xmr(QUIET[:13]).warnings == ()


def test_duplicate_periods_are_an_error():
    with pytest.raises(ValueError, match="appears twice"):
        xmr([1, 2, 3], ["a", "b", "a"])


def test_unknown_rebase_period_is_an_error():
    with pytest.raises(ValueError, match="rebase period 'z' is not one of"):
        xmr([1, 2, 3], ["a", "b", "c"], rebase=["z"])


def test_text_value_is_an_error_naming_the_position():
    with pytest.raises(ValueError, match=r"values\[1\] is 'n/a'"):
        xmr([1, "n/a", 3])


def test_all_missing_is_insufficient_data():
    with pytest.raises(InsufficientDataError):
        xmr([None, None])


def test_all_values_equal_gives_zero_width_limits_and_no_signal():
    r = xmr([5.0] * 15)
    assert r.upper[0] == r.lower[0] == 5.0
    assert set(r.rule) == {"common_cause"}


def test_single_value_has_no_limits_but_a_centre():
    r = xmr([5.0])
    assert r.centre[0] == 5.0 and math.isnan(r.upper[0])
    assert any("too few values" in w for w in r.warnings)


def test_to_dict_has_the_contract_shape():
    d = xmr(QUIET, improvement="increase", target=11).to_dict()
    assert d["chart"] == "xmr"
    assert {"improvement", "target", "screen", "rebase", "fix_after", "exclude"} <= set(
        d["options"]
    )
    point_keys = {
        "period",
        "value",
        "denominator",
        "centre",
        "lower",
        "upper",
        "phase",
        "rule",
        "signal",
    }
    assert point_keys <= set(d["points"][0])
    assert {"variation", "assurance", "warnings", "excluded"} <= set(d["summary"])
    json.dumps(d)  # plain JSON, no NumPy types


def test_signal_description_reads_as_words():
    values = [12, 8, 12, 8, 12, 8, 11, 11, 11, 11, 11, 11, 11, 8, 12, 8]
    periods = [f"2024-{m:02d}" for m in range(1, 13)] + [
        f"2025-{m:02d}" for m in range(1, 5)
    ]
    r = xmr(values, periods, improvement="increase")
    assert r.signals[0].description == (
        "7 points in a row above the mean from July 2024 to January 2025: "
        "special cause improvement (shift)."
    )


def test_a_signal_on_one_day_reads_on_that_day_and_one_month_in_it():
    # English takes "on" for a day and "in" for a month: "on 1 December 2016",
    # never "in 1 December 2016".
    values = [10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 40]
    days = [f"2016-11-{d:02d}" for d in range(19, 31)] + ["2016-12-01"]
    last = xmr(values, days).signals[-1]
    assert last.description.startswith(
        "A point above the upper process limit on 1 December 2016:"
    )
    months = [f"2016-{m:02d}" for m in range(1, 13)] + ["2017-01"]
    last = xmr(values, months).signals[-1]
    assert last.description.startswith(
        "A point above the upper process limit in January 2017:"
    )


# --------------------------------------------------------------------------- other charts


def test_p_chart_limits_are_clipped_to_zero_and_one():
    # p̄ = 1/60; σ at n=20 = sqrt(p̄(1-p̄)/20) = 0.02869; p̄ - 3σ < 0 -> 0.
    r = p_chart([0, 1, 0], [20, 20, 20])
    assert r.lower[0] == 0.0
    assert r.upper[0] == pytest.approx(
        1 / 60 + 3 * math.sqrt((1 / 60) * (59 / 60) / 20)
    )
    r = p_chart([20, 19, 20], [20, 20, 20])
    assert r.upper[0] == 1.0


def test_p_chart_multiply_scales_values_and_limits():
    plain = p_chart([10, 12, 8], [100, 100, 100])
    pct = p_chart([10, 12, 8], [100, 100, 100], multiply=100)
    assert pct.values.tolist() == pytest.approx([10, 12, 8])
    assert pct.upper[0] == pytest.approx(plain.upper[0] * 100)


@pytest.mark.parametrize("chart", [p_chart, u_chart, pp_chart, up_chart])
def test_zero_denominator_is_refused(chart):
    with pytest.raises(ValueError, match="a denominator must be above zero"):
        chart([1, 2], [10, 0])


def test_numerator_above_denominator_is_refused_for_proportions():
    with pytest.raises(ValueError, match="more than its denominator"):
        p_chart([11], [10])


def test_u_chart_limits_by_hand():
    # ū = 15/3000 = 0.005; σ at n=1000 = sqrt(0.005/1000) = 0.0022361
    r = u_chart([4, 6, 5], [1000, 1000, 1000])
    assert r.upper[0] == pytest.approx(0.005 + 3 * math.sqrt(0.005 / 1000))
    assert r.lower[0] == 0.0


def test_c_chart_limits_by_hand():
    # c̄ = 6; limits 6 ± 3·√6 = 6 ± 7.348 -> lower clipped at 0.
    r = c_chart([4, 9, 6, 5])
    assert r.upper[0] == pytest.approx(6 + 3 * math.sqrt(6))
    assert r.lower[0] == 0.0


def test_g_chart_draws_the_median_with_limits_about_the_mean():
    # mean = 20, median = 20 for 10,30,20,25,15 -> take an asymmetric set:
    # 1, 2, 3, 10, 50: mean 13.2, median 3; upper = 13.2 + 3·√(13.2·14.2)
    r = g_chart([1, 2, 3, 10, 50])
    assert r.centre[0] == 3
    assert r.upper[0] == pytest.approx(13.2 + 3 * math.sqrt(13.2 * 14.2))
    assert r.lower[0] == 0.0


def test_t_chart_transforms_and_back_transforms():
    values = [10, 12, 9, 11, 10, 14, 8]
    z = np.array(values, dtype=float) ** (1 / 3.6)
    ref = xmr(z)
    r = t_chart(values)
    assert r.centre[0] == pytest.approx(ref.centre[0] ** 3.6)
    assert r.upper[0] == pytest.approx(ref.upper[0] ** 3.6)
    assert r.lower[0] == pytest.approx(max(ref.lower[0], 0) ** 3.6)


def test_t_chart_refuses_zero_time():
    with pytest.raises(ValueError, match="must be above zero"):
        t_chart([1, 0, 2])


def test_laney_limits_by_hand():
    # p = [0.10, 0.12, 0.08, 0.11] at n = 1000; p̄ = 0.1025; σ = sqrt(p̄(1-p̄)/1000)
    # z_i = (p_i - p̄)/σ; σ_z = mean|Δz|/1.128; upper = p̄ + 3·σ·σ_z.
    p = np.array([0.10, 0.12, 0.08, 0.11])
    pbar = 0.1025
    sigma = math.sqrt(pbar * (1 - pbar) / 1000)
    z = (p - pbar) / sigma
    sigma_z = np.abs(np.diff(z)).mean() / 1.128
    r = pp_chart([100, 120, 80, 110], [1000] * 4)
    assert r.upper[0] == pytest.approx(pbar + 3 * sigma * sigma_z)


def test_mr_chart_by_hand():
    # MRs of 1,3,2,6 = 2,1,4; mean 7/3; upper 3.267·7/3
    r = mr_chart([1, 3, 2, 6])
    assert r.centre[1] == pytest.approx(7 / 3)
    assert r.upper[1] == pytest.approx(3.267 * 7 / 3)


def test_run_chart_reports_runs_and_flags_a_long_run():
    # 14 points: 2 below then 12 above the median -> longest run far above max.
    values = [1, 1, 1] + [5] * 0 + [2, 2, 2, 2, 2, 2, 9, 9, 9, 9, 9, 9, 9, 9, 9]
    r = run_chart(values)
    assert r.runs is not None
    # median of 3×1, 6×2, 9×9 (18 values) = (2+9)/2 = 5.5; 9 useful below, 9 above
    assert r.centre[0] == pytest.approx(5.5)
    assert r.runs.useful == 18 and r.runs.longest_run == 9
    # round(log2(18)) + 3 = 4 + 3 = 7
    assert r.runs.longest_run_max == 7 and r.runs.is_signal
    assert "shift" in r.rule
    assert "runs" in r.to_dict()["summary"]


def test_spc_chart_dispatches_and_checks_options():
    assert spc_chart("p", [1, 2], [10, 10]).chart == "p"
    with pytest.raises(ValueError, match="needs denominators"):
        spc_chart("u", [1, 2])
    with pytest.raises(ValueError, match="takes no denominators"):
        spc_chart("c", [1, 2], [3, 4])
    with pytest.raises(ValueError, match="does not take screen"):
        spc_chart("p", [1, 2], [10, 10], screen=False)
    with pytest.raises(ValueError, match="chart must be one of"):
        spc_chart("zz", [1])


# --------------------------------------------------------------------------- R's mean()
# Centre lines are computed as R's mean() computes them (the SPC contract's
# amendment of December 2026): a constant phase has its value as centre exactly,
# and a point equal to the mean is on neither side. Each case below failed with
# a plain floating-point mean (the centre came out one bit off the value).


@pytest.mark.parametrize(
    ("chart", "build"),
    [
        ("xmr", lambda: xmr([4.1] * 35)),
        ("c", lambda: c_chart([4.1] * 35)),
        ("t", lambda: t_chart([4.2] * 35)),
        ("g", lambda: g_chart([4.1] * 35)),
        ("run", lambda: run_chart([4.1] * 35)),
        ("mr", lambda: mr_chart([4.1, 5.2] * 35)),
        ("p", lambda: p_chart([243] * 35, [345] * 35)),
        ("u", lambda: u_chart([243] * 35, [345] * 35)),
        ("pp", lambda: pp_chart([243] * 35, [345] * 35)),
        ("up", lambda: up_chart([243] * 35, [345] * 35)),
    ],
)
def test_constant_series_sits_on_its_centre_line(chart, build):
    # By hand: every point equals the centre, so no point is on either side
    # (no run, no crossing, no useful point) and every limit collapses onto or
    # around the centre without excluding a point: all common cause.
    r = build()
    observed = r.values[~np.isnan(r.values)]
    if chart != "t":
        assert (observed == r.centre[~np.isnan(r.values)]).all(), chart
    # The t chart's centre is judged where it is computed, on the y^(1/3.6)
    # scale; drawn back by ^3.6 it may differ from y in the last bit (4.2 →
    # 4.200000000000001), which must not make every point "outside the limits".
    assert set(r.rule) == {"common_cause"}, chart
    assert r.runs.useful == 0 and not r.runs.is_signal, chart


def test_three_equal_decimals_are_not_outside_their_limits():
    # The case: xmr([0.1, 0.1, 0.1], screen=False) had centre
    # 0.10000000000000002 and limits equal to it, so every point was "below the
    # lower limit". R: mean(c(0.1, 0.1, 0.1)) == 0.1; AMR 0; limits 0.1.
    r = xmr([0.1, 0.1, 0.1], screen=False)
    assert r.centre[0] == 0.1 == r.lower[0] == r.upper[0]
    assert r.rule == ("common_cause",) * 3


def test_point_on_the_mean_is_not_counted_in_a_shift():
    # The series (NHSRplotthedots 0.2.2 gives no shift at points 1–4).
    # By hand: sum = 22.5, mean = 22.5 / 15 = 1.5, and the fourth point is 1.5,
    # on the mean, so 0.8, 0.9, 0.7 | 1.5 | 0.0, 0.6, 0.3, 0.4 are runs of 3 and 4
    # below — no shift. Moving ranges: 0.1 0.2 0.8 1.5 0.6 0.3 0.1 2.0 0.3 0.1 0.4
    # 0.1 0.7 0.9 (sum 8.1, AMR 8.1/14 = 0.578571); unscreened limits
    # 1.5 ± 2.66 × 0.578571 = -0.03900 / 3.03900, near lines 1.5 ± 1.026 =
    # 0.47400 / 2.52600. Points 5, 7, 8 (0.0, 0.3, 0.4) are below the near line
    # in windows (0.0, 0.6, 0.3) and (0.6, 0.3, 0.4): two of three. Points 9–15
    # are seven above the mean: a shift, of which 10 and 11 (2.7, 2.6, beyond
    # the near line, in the window 2.4, 2.7, 2.6) are claimed first by two of
    # three; 14 (3.0) is near too, but no window holds a second near point.
    values = [0.8, 0.9, 0.7, 1.5, 0.0, 0.6, 0.3, 0.4, 2.4, 2.7, 2.6, 2.2, 2.3, 3.0, 2.1]
    r = xmr(values, screen=False)
    assert r.centre[0] == 1.5
    assert r.lower[0] == pytest.approx(-0.039, abs=1e-6)
    cc, two, sh = "common_cause", "two_of_three", "shift"
    assert r.rule == (cc, cc, cc, cc, two, cc, two, two) + (
        sh,
        two,
        two,
        sh,
        sh,
        sh,
        sh,
    )


def test_point_on_the_median_is_not_useful():
    # R's median of (0.1, 0.2, 0.3, 0.1 ...) averages the middle values as
    # mean() does; a point equal to the median is not useful (Anhøj 2014).
    r = run_chart([0.3, 0.1, 0.2, 0.3, 0.1])  # median 0.2
    assert r.centre[0] == 0.2 and r.runs.useful == 4


def test_p_and_u_centres_are_the_pooled_counts_not_rebuilt_ones():
    # qicharts2: cl = sum(y) / sum(n). y = 243, n = 345 gives 243/345 per point;
    # rebuilding y as (243/345) × 345 and summing gave a centre one bit away.
    assert p_chart([243] * 35, [345] * 35).centre[0] == 243 / 345
    assert u_chart([243, 486], [345, 690]).centre[0] == 729 / 1035
