"""The vectorised batch engine: hand-worked examples, equality with the
single-series ``xmr`` and with a plain reading of the SPC contract, and a check
that the code really is vectorised.

Three independent oracles are used:

* small examples worked out by hand in the test (the arithmetic is written out);
* ``_contract_xmr`` below: a deliberately naive, loop-per-point transcription of
  the SPC contract (design/spc-contract.md, "XmR (individuals) chart"), sharing
  no code with ``openqi.spc``;
* ``openqi.spc.charts.xmr``, the single-series function the batch must equal.
"""

from __future__ import annotations

import ast
import inspect
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from openqi.spc import batch
from openqi.spc.batch import xmr_batch
from openqi.spc.results import ASSURANCES, RULES, SIGNALS, VARIATIONS, BatchResult

NAN = math.nan

# --------------------------------------------------------------------------
# The naive oracle: the contract read line by line, one series at a time.
# --------------------------------------------------------------------------


def _r_mean(values: Sequence[float]) -> float:
    """R's mean(): the exact mean rounded once to a double (SPC contract amendment).

    R sums in long double and adds a correcting pass (src/main/summary.c), which
    gives the double nearest the exact mean; fractions.Fraction gives it here.
    """
    if not values:
        return NAN
    return float(sum(Fraction(v) for v in values) / len(values))


def _contract_xmr(
    row: Sequence[float],
    *,
    improvement: str = "neither",
    target: float | None = None,
    screen: bool = True,
    fix_after: int | None = None,
    shift_length: int = 7,
    trend_length: int = 7,
    two_of_three: str = "default",
) -> dict[str, Any]:
    vals: list[float | None] = [None if math.isnan(v) else float(v) for v in row]
    n = len(vals)
    base = vals if fix_after is None else vals[:fix_after]
    present = [v for v in base if v is not None]
    mean = _r_mean(present)
    mrs = [
        abs(base[i] - base[i - 1])  # type: ignore[operator]
        for i in range(1, len(base))
        if base[i] is not None and base[i - 1] is not None
    ]
    amr = _r_mean(mrs)
    if screen and mrs:
        kept = [m for m in mrs if m < 3.267 * amr]
        if kept:
            amr = _r_mean(kept)
    upper, lower = mean + 2.66 * amr, mean - 2.66 * amr
    near_upper, near_lower = mean + (2 / 3 * 2.66) * amr, mean - (2 / 3 * 2.66) * amr

    def side(i: int) -> int:
        v = vals[i]
        if v is None or math.isnan(mean):
            return 0
        return 1 if v > mean else -1 if v < mean else 0

    def is_near(i: int) -> bool:
        v = vals[i]
        if v is None or math.isnan(amr):
            return False
        if two_of_three == "default":
            return near_upper < v < upper or lower < v < near_lower
        return v > near_upper or v < near_lower

    outside = [v is not None and (v > upper or v < lower) for v in vals]
    in_trend = [False] * n
    trend_dir = [0] * n
    for start in range(n - trend_length + 1):
        window = vals[start : start + trend_length]
        if any(v is None for v in window):
            continue
        for direction in (1, -1):
            if all(
                (window[k + 1] - window[k]) * direction > 0  # type: ignore[operator]
                for k in range(trend_length - 1)
            ):
                for k in range(start, start + trend_length):
                    in_trend[k] = True
    for i in range(n):
        if in_trend[i]:
            # the step to the next point if it is in the same trend, else from the previous
            same_trend_next = False
            for start in range(max(0, i - trend_length + 2), i + 1):
                stop = start + trend_length
                if stop <= n and all(in_trend[start:stop]) and start <= i < stop - 1:
                    w = vals[start:stop]
                    if None not in w and all(
                        (w[k + 1] - w[k]) * (w[1] - w[0]) > 0  # type: ignore[operator]
                        for k in range(trend_length - 1)
                    ):
                        same_trend_next = True
            nxt, prev = (
                vals[i + 1] if i + 1 < n else None,
                vals[i - 1] if i > 0 else None,
            )
            if same_trend_next:
                trend_dir[i] = 1 if nxt > vals[i] else -1  # type: ignore[operator]
            else:
                trend_dir[i] = 1 if vals[i] > prev else -1  # type: ignore[operator]
    two = [False] * n
    for start in range(n - 2):
        sides = {side(k) for k in range(start, start + 3)}
        if len(sides) == 1 and 0 not in sides:
            near = [k for k in range(start, start + 3) if is_near(k)]
            if len(near) >= 2:
                for k in near:
                    two[k] = True
    shift = [False] * n
    for start in range(n - shift_length + 1):
        sides = {side(k) for k in range(start, start + shift_length)}
        if len(sides) == 1 and 0 not in sides:
            for k in range(start, start + shift_length):
                shift[k] = True

    rules, signals, highs = [], [], []
    for i in range(n):
        if outside[i]:
            rule = "outside_limits"
        elif in_trend[i]:
            rule = "trend"
        elif two[i]:
            rule = "two_of_three"
        elif shift[i]:
            rule = "shift"
        else:
            rule = "common_cause"
        high = trend_dir[i] > 0 if rule == "trend" else side(i) > 0
        if rule == "common_cause":
            signal = "common_cause"
        elif improvement == "neither":
            signal = "neutral_high" if high else "neutral_low"
        else:
            good = high == (improvement == "increase")
            signal = "improvement" if good else "concern"
        rules.append(rule)
        signals.append(signal)
        highs.append(high)
    last = max((i for i in range(n) if vals[i] is not None), default=None)
    if last is None or signals[last] == "common_cause":
        variation = "common_cause"
    elif signals[last].startswith("neutral"):
        variation = signals[last]
    else:
        variation = signals[last] + ("_high" if highs[last] else "_low")
    assurance: str | None = None
    # No limits (fewer than two consecutive values): no assurance icon, as the
    # single-series xmr decides (the contract is silent on this case).
    has_limits = not math.isnan(upper)
    if (
        target is not None
        and not math.isnan(target)
        and improvement != "neither"
        and has_limits
    ):
        if target > upper:
            assurance = (
                "consistent_fail" if improvement == "increase" else "consistent_pass"
            )
        elif target < lower:
            assurance = (
                "consistent_pass" if improvement == "increase" else "consistent_fail"
            )
        else:
            assurance = "inconsistent"
    return {
        "centre": mean,
        "amr": amr,
        "lower": lower,
        "upper": upper,
        "near_lower": near_lower,
        "near_upper": near_upper,
        "n_points": sum(v is not None for v in vals),
        "rule": rules,
        "signal": signals,
        "variation": variation,
        "assurance": assurance,
    }


def _row(result: BatchResult, s: int) -> dict[str, Any]:
    """Series ``s`` of a batch result, with codes turned back into names."""
    assurance = int(result.assurance[s])
    return {
        "centre": float(result.centre[s]),
        "amr": float(result.mean_moving_range[s]),
        "lower": float(result.lower[s]),
        "upper": float(result.upper[s]),
        "near_lower": float(result.near_lower[s]),
        "near_upper": float(result.near_upper[s]),
        "n_points": int(result.n_points[s]),
        "rule": [RULES[c] for c in result.rule[s]],
        "signal": [SIGNALS[c] for c in result.signal[s]],
        "variation": VARIATIONS[result.variation[s]],
        "assurance": None if assurance < 0 else ASSURANCES[assurance],
    }


def _same_float(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(
        b, rel=1e-12, abs=1e-12
    )


def _assert_matches(got: dict[str, Any], want: dict[str, Any], label: str) -> None:
    for key in ("centre", "amr", "lower", "upper", "near_lower", "near_upper"):
        assert _same_float(got[key], want[key]), (label, key, got[key], want[key])
    for key in ("n_points", "rule", "signal", "variation", "assurance"):
        assert got[key] == want[key], (label, key, got[key], want[key])


def _check_against_contract(matrix: np.ndarray, **options: Any) -> None:
    result = xmr_batch(matrix, **options)
    improvements = options.pop("improvement", "neither")
    targets = options.pop("target", None)
    for s in range(matrix.shape[0]):
        improvement = improvements if isinstance(improvements, str) else improvements[s]
        target = targets if targets is None or np.ndim(targets) == 0 else targets[s]
        want = _contract_xmr(
            matrix[s], improvement=improvement, target=target, **options
        )
        _assert_matches(_row(result, s), want, f"series {s}")


# --------------------------------------------------------------------------
# Hand-worked examples
# --------------------------------------------------------------------------


def test_rising_series_is_a_trend_with_both_ends_outside_the_limits() -> None:
    # Hand calculation: 1..8, mean 36/8 = 4.5, moving ranges all 1, AMR = 1
    # (screen limit 3.267 keeps them all); limits 4.5 ± 2.66 = 1.84 and 7.16.
    # 1 < 1.84 and 8 > 7.16 are outside the limits; 2..7 belong to the
    # eight-point rise (≥ 7 points), so they are a trend.
    r = xmr_batch(np.arange(1.0, 9.0)[None, :], improvement="increase", target=10.0)
    assert r.centre[0] == pytest.approx(4.5)
    assert r.mean_moving_range[0] == pytest.approx(1.0)
    assert r.lower[0] == pytest.approx(1.84)
    assert r.upper[0] == pytest.approx(7.16)
    assert r.near_upper[0] == pytest.approx(4.5 + 2 / 3 * 2.66)
    assert [RULES[c] for c in r.rule[0]] == ["outside_limits"] + ["trend"] * 6 + [
        "outside_limits"
    ]
    # increase: low point (1) is concern, rising trend and high point improvement.
    assert [SIGNALS[c] for c in r.signal[0]] == ["concern"] + ["improvement"] * 7
    assert r.variation_labels() == ["improvement_high"]
    # target 10 > upper 7.16 with direction increase: consistently failing.
    assert r.assurance_labels() == ["consistent_fail"]


def test_screening_drops_the_large_moving_range() -> None:
    # Hand calculation: [1, 2, 1, 2, 30]; mean 36/5 = 7.2; MRs 1, 1, 1, 28,
    # AMR 31/4 = 7.75; 3.267 × 7.75 = 25.319 so 28 is dropped: AMR' = 1.
    # Limits 7.2 ± 2.66 = 4.54 and 9.86: every point is outside.
    values = np.array([[1.0, 2.0, 1.0, 2.0, 30.0]])
    r = xmr_batch(values)
    assert r.mean_moving_range[0] == pytest.approx(1.0)
    assert (r.lower[0], r.upper[0]) == pytest.approx((4.54, 9.86))
    assert [RULES[c] for c in r.rule[0]] == ["outside_limits"] * 5
    assert [SIGNALS[c] for c in r.signal[0]] == ["neutral_low"] * 4 + ["neutral_high"]
    # Unscreened: AMR 7.75, limits 7.2 ± 20.615 = -13.415 and 27.815: only 30 is out.
    r = xmr_batch(values, screen=False)
    assert r.mean_moving_range[0] == pytest.approx(7.75)
    assert (r.lower[0], r.upper[0]) == pytest.approx((-13.415, 27.815))
    assert [RULES[c] for c in r.rule[0]] == ["common_cause"] * 4 + ["outside_limits"]


def test_missing_value_loses_both_moving_ranges_and_is_common_cause() -> None:
    # Hand calculation: [1, 2, NaN, 4, 5]: mean (1+2+4+5)/4 = 3; MRs |2-1| = 1
    # and |5-4| = 1 (the two touching the gap are lost), AMR 1, limits 3 ± 2.66.
    r = xmr_batch(np.array([[1.0, 2.0, NAN, 4.0, 5.0]]))
    assert r.centre[0] == pytest.approx(3.0)
    assert r.mean_moving_range[0] == pytest.approx(1.0)
    assert r.n_points[0] == 4
    assert r.rule[0].tolist() == [0, 0, 0, 0, 0]
    assert r.variation_labels() == ["common_cause"]


def test_two_of_three_outranks_shift() -> None:
    # Hand calculation: 1,2,1,2,1,2,1 then 5,6,5,6,5,6,5 (14 points).
    # mean = (10 + 38) / 14 = 3.428571; MRs: twelve of 1 and one of |5-1| = 4,
    # AMR = 16/13 = 1.230769 (3.267 × AMR = 4.021 > 4 keeps all).
    # limits 3.428571 ± 2.66 × 1.230769 = 0.154725 and 6.702418;
    # near lines 3.428571 ± 1.773333 × 1.230769 = 1.246007 and 5.611136.
    # Near zone: the 1s (0.1547 < 1 < 1.2460) and the 6s (5.6111 < 6 < 6.7024).
    # Windows 1,2,1 (all below) and 6,5,6 (all above) hold two near points, so
    # every 1 and every 6 is two_of_three; the other points are in runs of 7
    # on one side of the mean: shift.
    row = [1.0, 2, 1, 2, 1, 2, 1, 5, 6, 5, 6, 5, 6, 5]
    r = xmr_batch(np.array([row]), improvement="decrease", target=7.0)
    assert r.mean_moving_range[0] == pytest.approx(16 / 13)
    assert r.near_lower[0] == pytest.approx(1.246007, abs=1e-6)
    assert r.near_upper[0] == pytest.approx(5.611136, abs=1e-6)
    expected = [
        "two_of_three" if v in (1.0, 6.0) else "shift" for v in row
    ]  # from the hand calculation above
    assert [RULES[c] for c in r.rule[0]] == expected
    # decrease: below the mean is improvement, above is concern.
    assert [SIGNALS[c] for c in r.signal[0]] == ["improvement"] * 7 + ["concern"] * 7
    # The last point (5, shift above the mean) is a concern, high.
    assert r.variation_labels() == ["concern_high"]
    # decrease and target 7 > upper 6.7024: consistently passing.
    assert r.assurance_labels() == ["consistent_pass"]


def test_beyond_near_counts_points_past_the_limit() -> None:
    # Hand calculation: baseline 10, 12 × 6 frozen by fix_after=12: mean 11,
    # MRs all 2, AMR 2; limits 11 ± 5.32 = 5.68 / 16.32; near lines
    # 11 ± (2/3 × 2.66) × 2 = 11 ± 3.546667 = 7.453333 / 14.546667.
    # Then 15 (near zone), 17 (beyond the limit), 11.5 (above, not near):
    # one window, all above the mean. Default: one near point, no flag.
    # beyond_near: 15 and 17 both count, so 15 is two_of_three (17 stays
    # outside_limits, the higher rule).
    row = np.array([[10.0, 12.0] * 6 + [15.0, 17.0, 11.5]])
    default = xmr_batch(row, fix_after=12)
    assert (default.near_lower[0], default.near_upper[0]) == pytest.approx(
        (7.453333, 14.546667), abs=1e-6
    )
    assert [RULES[c] for c in default.rule[0, 12:]] == [
        "common_cause",
        "outside_limits",
        "common_cause",
    ]
    beyond = xmr_batch(row, fix_after=12, two_of_three="beyond_near")
    assert [RULES[c] for c in beyond.rule[0, 12:]] == [
        "two_of_three",
        "outside_limits",
        "common_cause",
    ]


def test_trend_point_between_two_trends_takes_the_slope_of_its_own_trend() -> None:
    # Hand calculation, trend_length 3: [1, 2, 3, 2.5, 3.5, 4.5]. Points 0-2
    # rise and points 3-5 rise; the step 3 -> 2.5 belongs to no trend.
    # Point 2's next point is in a trend but not in point 2's trend, so the
    # contract takes the step from the previous point (2 -> 3): rising.
    # mean 16.5/6 = 2.75, MRs 1, 1, 0.5, 1, 1, AMR 0.9, limits 2.75 ± 2.394:
    # nothing outside; the only near point (4.5 > 4.346) has no partner.
    r = xmr_batch(np.array([[1.0, 2.0, 3.0, 2.5, 3.5, 4.5]]), trend_length=3)
    assert [RULES[c] for c in r.rule[0]] == ["trend"] * 6
    assert [SIGNALS[c] for c in r.signal[0]] == ["neutral_high"] * 6


def test_falling_trend_is_low() -> None:
    # Hand calculation: 10, 9, ..., 4 (7 falling points) then 7.
    # mean = (49 + 7) / 8 = 7; MRs six of 1 and 3: AMR 9/7 = 1.285714,
    # 3.267 × AMR = 4.2 keeps all; limits 7 ± 3.42 = 3.58 and 10.42: none out.
    # Points 0-6 are a falling trend (low); the final 7 is on the mean.
    r = xmr_batch(np.array([[10.0, 9, 8, 7, 6, 5, 4, 7]]), improvement="increase")
    assert [RULES[c] for c in r.rule[0]] == ["trend"] * 7 + ["common_cause"]
    assert [SIGNALS[c] for c in r.signal[0]] == ["concern"] * 7 + ["common_cause"]
    assert r.variation_labels() == ["common_cause"]


def test_tie_breaks_a_trend() -> None:
    # Hand calculation: 1, 2, 3, 3, 4, 5, 6: mean 24/7 = 3.428571; MRs 1, 1, 0,
    # 1, 1, 1, AMR 5/6 (3.267 × AMR = 2.72 keeps all); limits
    # 3.428571 ± 2.216667 = 1.211905 / 5.645238, so 1 and 6 are outside.
    # The tie 3, 3 breaks the rise: the longest strict rise is 3, 4, 5, 6 —
    # a trend for trend_length 4, not for 7. (5 is in the near zone, above
    # 4.906349, but its window 4, 5, 6 holds only one near point.)
    row = np.array([[1.0, 2, 3, 3, 4, 5, 6]])
    out, cc, trend = "outside_limits", "common_cause", "trend"
    assert [RULES[c] for c in xmr_batch(row).rule[0]] == [out, cc, cc, cc, cc, cc, out]
    four = xmr_batch(row, trend_length=4)
    assert [RULES[c] for c in four.rule[0]] == [out, cc, cc, trend, trend, trend, out]


def test_point_on_the_mean_breaks_a_shift() -> None:
    # Hand calculation: baseline 10, 12 × 6 frozen (mean 11, limits 5.68 /
    # 16.32, near lines 7.453 / 14.547). Seven 12s after it are a shift (all
    # strictly above 11, none near or outside); with the middle one replaced
    # by 11 — exactly on the mean — the run splits into 3 + 3: no shift.
    baseline = [10.0, 12.0] * 6
    rows = np.array(
        [baseline + [12.0] * 7, baseline + [12.0] * 3 + [11.0] + [12.0] * 3]
    )
    r = xmr_batch(rows, fix_after=12)
    assert [RULES[c] for c in r.rule[0, 12:]] == ["shift"] * 7
    assert [RULES[c] for c in r.rule[1, 12:]] == ["common_cause"] * 7


def test_constant_series_keeps_zero_moving_range_and_has_no_signal() -> None:
    # Hand calculation: fifteen 5s: mean 5, every MR 0, AMR 0; screening would
    # drop every MR (0 ≥ 3.267 × 0), so the unscreened AMR 0 is kept.
    # Limits 5 and 5; no point is strictly outside, none is off the mean.
    r = xmr_batch(np.full((3, 15), 5.0), improvement="increase", target=[5.0, 6.0, NAN])
    assert r.mean_moving_range.tolist() == [0.0, 0.0, 0.0]
    assert r.upper.tolist() == [5.0, 5.0, 5.0]
    assert r.rule.max() == 0
    # target 5 is on a limit: inconsistent; 6 > upper 5: consistent_fail; NaN: none.
    assert r.assurance_labels() == ["inconsistent", "consistent_fail", None]


def test_fixed_limits_come_from_the_first_columns() -> None:
    # Hand calculation: baseline 10, 12 × 6 (12 columns): mean 11, MRs all 2,
    # AMR 2 (3.267 × 2 = 6.534 keeps all), limits 11 ± 5.32 = 5.68 and 16.32.
    # Later points 20 (outside), 11, 11 (on the mean) are judged against them.
    row = [10.0, 12.0] * 6 + [20.0, 11.0, 11.0]
    r = xmr_batch(np.array([row]), fix_after=12, improvement="decrease")
    assert r.centre[0] == pytest.approx(11.0)
    assert r.mean_moving_range[0] == pytest.approx(2.0)
    assert (r.lower[0], r.upper[0]) == pytest.approx((5.68, 16.32))
    assert [RULES[c] for c in r.rule[0]] == ["common_cause"] * 12 + [
        "outside_limits",
        "common_cause",
        "common_cause",
    ]
    assert SIGNALS[r.signal[0, 12]] == "concern"


def test_fix_after_accepts_a_whole_float_and_more_columns_than_there_are() -> None:
    # 12.0 is 12 (as the single-series xmr accepts it); a baseline longer than
    # the series is the whole series.
    row = np.array([[10.0, 12.0] * 6 + [20.0, 11.0, 11.0]])
    assert (
        xmr_batch(row, fix_after=12.0).rule.tolist()
        == xmr_batch(row, fix_after=12).rule.tolist()
    )
    assert xmr_batch(row, fix_after=40).upper[0] == xmr_batch(row).upper[0]


def test_short_and_empty_series_have_no_limits_and_no_signals() -> None:
    # No moving range can be formed from 0 or 1 value, nor from values that
    # are never consecutive: AMR and limits are NaN, every point common cause.
    values = np.array(
        [
            [NAN] * 8,
            [4.0] + [NAN] * 7,
            [1.0, NAN, 2.0, NAN, 3.0, NAN, 4.0, NAN],
        ]
    )
    r = xmr_batch(values, improvement="increase", target=1.0)
    assert np.isnan(r.centre[0])
    assert r.centre[1:].tolist() == [4.0, 2.5]  # (1 + 2 + 3 + 4) / 4
    assert np.isnan(r.upper).all() and np.isnan(r.mean_moving_range).all()
    assert r.n_points.tolist() == [0, 1, 4]
    assert r.rule.max() == 0 and r.signal.max() == 0
    assert r.variation_labels() == ["common_cause"] * 3


def test_padded_rows_of_different_lengths_match_their_own_lengths() -> None:
    # Padding a series with NaN must not change its result.
    short = [3.0, 5.0, 4.0, 6.0, 5.0, 7.0, 6.0, 8.0, 9.0, 1.0]
    padded = np.array([short + [NAN] * 5, short + [2.0, 2.0, 2.0, 2.0, 2.0]])
    r_pad = xmr_batch(padded)
    r_alone = xmr_batch(np.array([short]))
    assert r_pad.rule[0, :10].tolist() == r_alone.rule[0].tolist()
    assert r_pad.rule[0, 10:].tolist() == [0] * 5
    assert r_pad.centre[0] == r_alone.centre[0]
    assert r_pad.variation[0] == r_alone.variation[0]


def test_per_series_improvement_and_target() -> None:
    # The same rising series under three directions (see the first test for its
    # limits 1.84 / 7.16): the last point (8, above the upper limit) is
    # improvement_high, concern_high and neutral_high; targets 0 < lower and
    # 5 between the limits give pass for increase and inconsistent for decrease.
    values = np.tile(np.arange(1.0, 9.0), (3, 1))
    r = xmr_batch(
        values, improvement=["increase", "decrease", "neither"], target=[0.0, 5.0, 0.0]
    )
    assert r.variation_labels() == ["improvement_high", "concern_high", "neutral_high"]
    assert r.assurance_labels() == ["consistent_pass", "inconsistent", None]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"values": [1.0, 2.0]}, "2-D"),
        ({"values": [[1.0, math.inf]]}, "finite"),
        ({"values": [["a", "b"]]}, "2-D array of numbers"),
        ({"improvement": "up"}, "improvement"),
        ({"improvement": ["increase"]}, "one per series"),
        ({"improvement": ["increase", "sideways"]}, "sideways"),
        ({"target": [1.0, 2.0, 3.0]}, "target"),
        ({"fix_after": 5}, "fix_after"),
        ({"fix_after": 12.5}, "fix_after"),
        ({"fix_after": "12"}, "fix_after"),
        ({"shift_length": 1}, "shift_length"),
        ({"trend_length": 0}, "trend_length"),
        ({"two_of_three": "beyond"}, "two_of_three"),
    ],
)
def test_bad_input_names_the_argument(kwargs: dict[str, Any], message: str) -> None:
    values = kwargs.pop("values", [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    with pytest.raises(ValueError, match=message):
        xmr_batch(values, **kwargs)


def test_empty_batch() -> None:
    r = xmr_batch(np.empty((0, 10)))
    assert len(r) == 0 and r.rule.shape == (0, 10)
    r = xmr_batch(np.empty((2, 0)))
    assert r.rule.shape == (2, 0) and r.variation_labels() == ["common_cause"] * 2


# --------------------------------------------------------------------------
# Equality with the contract oracle, over many random series
# --------------------------------------------------------------------------


def _random_matrix(seed: int, n_series: int, n_periods: int) -> np.ndarray:
    """Integer-valued data (so every sum is exact) with shifts, trends, ties and gaps."""
    rng = np.random.default_rng(seed)
    level = rng.integers(0, 6, size=(n_series, 1)) * np.ones((1, n_periods))
    jumps = rng.random((n_series, n_periods)) < 0.05
    level += np.cumsum(jumps * rng.integers(-8, 9, size=(n_series, n_periods)), axis=1)
    slope = (rng.random((n_series, 1)) < 0.2) * np.arange(n_periods)
    x = level + slope + rng.integers(-3, 4, size=(n_series, n_periods))
    x[rng.random((n_series, n_periods)) < 0.06] = np.nan
    lengths = rng.integers(0, n_periods + 1, size=n_series)
    x[np.arange(n_periods)[None, :] >= lengths[:, None]] = np.nan
    return x


def _decimal_matrix(seed: int, n_series: int, n_periods: int) -> np.ndarray:
    """Decimals (tenths and hundredths), many constant rows, gaps: where a plain
    float mean misses the value a point equals."""
    rng = np.random.default_rng(seed)
    level = np.round(rng.uniform(0, 50, (n_series, 1)), 1)
    x = level + np.round(rng.normal(0, 1, (n_series, n_periods)), 1)
    x[rng.random(n_series) < 0.3] = np.round(rng.uniform(0, 5, (1, n_periods)), 2)
    constant = rng.random(n_series) < 0.4
    x[constant] = level[constant]
    x[rng.random((n_series, n_periods)) < 0.05] = np.nan
    return x


@pytest.mark.parametrize("screen", [True, False])
def test_batch_on_decimals_equals_single_and_contract(screen: bool) -> None:
    matrix = _decimal_matrix(seed=11, n_series=150, n_periods=24)
    _check_against_contract(matrix, screen=screen)
    _check_against_single(matrix, screen=screen)


def test_constant_decimal_rows_have_their_value_as_centre() -> None:
    # R: mean(rep(0.1, 3)) == 0.1; a plain mean gives 0.10000000000000002 and
    # puts every point below the lower limit.
    values = np.array([[0.1, 0.1, 0.1], [4.1] * 3, [0.7] * 3])
    result = xmr_batch(values, screen=False)
    assert result.centre.tolist() == [0.1, 4.1, 0.7]
    assert (result.rule == 0).all()
    rng = np.random.default_rng(4)
    levels = np.round(rng.uniform(-100, 100, 2000), 2)
    constant = np.repeat(levels[:, None], 35, axis=1)
    result = xmr_batch(constant)
    assert (result.centre == levels).all() and (result.rule == 0).all()


OPTION_SETS: list[dict[str, Any]] = [
    {},
    {"screen": False},
    {"two_of_three": "beyond_near"},
    {"shift_length": 5, "trend_length": 4},
    {"shift_length": 2, "trend_length": 2},
    {"fix_after": 12},
    {"fix_after": 20, "screen": False, "two_of_three": "beyond_near"},
    {"improvement": "increase", "target": 3.0},
    {"improvement": "decrease", "target": 0.0},
]


@pytest.mark.parametrize("options", OPTION_SETS)
def test_batch_equals_contract_reading_on_random_series(
    options: dict[str, Any],
) -> None:
    matrix = _random_matrix(seed=len(str(options)), n_series=150, n_periods=30)
    _check_against_contract(matrix, **dict(options))


def test_batch_equals_contract_with_per_series_options() -> None:
    matrix = _random_matrix(seed=7, n_series=120, n_periods=25)
    rng = np.random.default_rng(8)
    improvement = rng.choice(["increase", "decrease", "neither"], size=120)
    target = np.where(rng.random(120) < 0.3, np.nan, rng.integers(-5, 15, size=120))
    _check_against_contract(matrix, improvement=list(improvement), target=target)


# --------------------------------------------------------------------------
# Equality with the single-series xmr (openqi.spc.charts)
# --------------------------------------------------------------------------


def _single_xmr() -> Any:
    charts = pytest.importorskip("openqi.spc.charts")
    if not hasattr(charts, "xmr"):
        pytest.skip("openqi.spc.charts.xmr not written yet")
    return charts.xmr


def _single_as_row(result: Any) -> dict[str, Any]:
    phase = result.phases[0]
    return {
        "centre": float(phase.centre),
        "amr": NAN
        if phase.mean_moving_range is None
        else float(phase.mean_moving_range),
        "lower": float(result.lower[0]),
        "upper": float(result.upper[0]),
        "near_lower": float(result.near_lower[0]),
        "near_upper": float(result.near_upper[0]),
        "n_points": int(np.count_nonzero(~np.isnan(result.values))),
        "rule": list(result.rule),
        "signal": list(result.signal),
        "variation": result.variation,
        "assurance": result.assurance,
    }


def _check_against_single(matrix: np.ndarray, **options: Any) -> None:
    xmr = _single_xmr()
    result = xmr_batch(matrix, **options)
    improvements = options.pop("improvement", "neither")
    targets = options.pop("target", None)
    for s in range(matrix.shape[0]):
        improvement = improvements if isinstance(improvements, str) else improvements[s]
        target = targets if targets is None or np.ndim(targets) == 0 else targets[s]
        if target is not None and math.isnan(target):
            target = None
        row = matrix[s]
        if np.isnan(row).all():
            continue  # the single-series function needs at least one value
        single = _single_as_row(
            xmr(list(row), improvement=improvement, target=target, **options)
        )
        _assert_matches(_row(result, s), single, f"series {s}: {row.tolist()}")


def test_trend_point_between_two_trends_matches_single() -> None:
    # The hand-worked case of
    # test_trend_point_between_two_trends_takes_the_slope_of_its_own_trend:
    # point 2 (value 3) tops the rise 1, 2, 3; the next point starts another
    # rise after a fall. The contract gives it the slope from the previous
    # point (rising: neutral_high).
    xmr = _single_xmr()
    single = xmr([1.0, 2.0, 3.0, 2.5, 3.5, 4.5], trend_length=3)
    assert list(single.signal) == ["neutral_high"] * 6


@pytest.mark.parametrize("options", OPTION_SETS)
def test_batch_equals_single_series_xmr(options: dict[str, Any]) -> None:
    matrix = _random_matrix(seed=100 + len(str(options)), n_series=100, n_periods=30)
    _check_against_single(matrix, **dict(options))


def test_batch_equals_single_series_xmr_on_real_data(shared_data: Any) -> None:
    # Monthly A&E attendances of every type-1 provider (NHSRdatasets, CC0/OGL):
    # real data, continuous-valued, 36 months, some providers shorter.
    import csv

    rows: dict[str, dict[str, float]] = {}
    with open(shared_data / "ae_attendances.csv", newline="") as handle:
        for record in csv.DictReader(handle):
            if record["type"] == "1":
                rows.setdefault(record["org_code"], {})[record["period"]] = float(
                    record["attendances"]
                )
    periods = sorted({p for series in rows.values() for p in series})
    matrix = np.array(
        [[series.get(p, NAN) for p in periods] for series in rows.values()]
    )
    _check_against_single(matrix, improvement="decrease", target=8000.0)
    _check_against_contract(matrix, improvement="decrease", target=8000.0)


# --------------------------------------------------------------------------
# Property tests (hypothesis is a dev dependency; the core venv lacks it)
# --------------------------------------------------------------------------

try:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
except ImportError:  # the numpy + pytest only core venv

    def test_property_tests_need_hypothesis() -> None:
        pytest.skip("hypothesis is not installed: property tests skipped")

else:
    # Values on a grid of quarters keep every sum exact, so ties with the mean,
    # the limits and between neighbours really happen.
    _cell = st.one_of(
        st.integers(-12, 12).map(lambda k: k / 4),
        st.just(NAN),
    )
    _options = st.fixed_dictionaries(
        {
            "screen": st.booleans(),
            "fix_after": st.one_of(st.none(), st.integers(12, 30)),
            "shift_length": st.integers(2, 9),
            "trend_length": st.integers(2, 9),
            "two_of_three": st.sampled_from(["default", "beyond_near"]),
        }
    )

    @st.composite
    def _batches(draw: Any) -> tuple[np.ndarray, Any, Any]:
        n_series = draw(st.integers(1, 6))
        n_periods = draw(st.integers(1, 26))
        rows = []
        for _ in range(n_series):
            kind = draw(st.sampled_from(["free", "constant", "walk"]))
            if kind == "constant":
                row = [draw(_cell)] * n_periods
            elif kind == "walk":
                steps = draw(
                    st.lists(st.integers(-2, 2), min_size=n_periods, max_size=n_periods)
                )
                row = [float(v) for v in np.cumsum(steps)]
            else:
                row = draw(st.lists(_cell, min_size=n_periods, max_size=n_periods))
            rows.append(row)
        improvement = draw(
            st.one_of(
                st.sampled_from(["increase", "decrease", "neither"]),
                st.lists(
                    st.sampled_from(["increase", "decrease", "neither"]),
                    min_size=n_series,
                    max_size=n_series,
                ),
            )
        )
        target = draw(
            st.one_of(
                st.none(),
                _cell,
                st.lists(_cell, min_size=n_series, max_size=n_series),
            )
        )
        return np.array(rows, dtype=float), improvement, target

    @settings(
        max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(batch_input=_batches(), options=_options)
    def test_property_batch_equals_contract(
        batch_input: Any, options: dict[str, Any]
    ) -> None:
        matrix, improvement, target = batch_input
        _check_against_contract(
            matrix, improvement=improvement, target=target, **options
        )

    @settings(
        max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(batch_input=_batches(), options=_options)
    def test_property_batch_equals_single(
        batch_input: Any, options: dict[str, Any]
    ) -> None:
        matrix, improvement, target = batch_input
        _check_against_single(matrix, improvement=improvement, target=target, **options)

    # Tenths are not exact in binary: constant rows and points equal to the
    # mean are where a plain float mean went wrong (R's mean() is the oracle).
    _tenth = st.integers(-30, 30).map(lambda k: k / 10)

    @st.composite
    def _decimal_rows(draw: Any) -> np.ndarray:
        n_series = draw(st.integers(1, 5))
        n_periods = draw(st.integers(1, 20))
        rows = []
        for _ in range(n_series):
            if draw(st.booleans()):
                rows.append([draw(_tenth)] * n_periods)
            else:
                cells = st.one_of(_tenth, st.just(NAN))
                rows.append(
                    draw(st.lists(cells, min_size=n_periods, max_size=n_periods))
                )
        return np.array(rows, dtype=float)

    @settings(
        max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(matrix=_decimal_rows(), options=_options)
    def test_property_decimals_batch_equals_contract_and_single(
        matrix: np.ndarray, options: dict[str, Any]
    ) -> None:
        _check_against_contract(matrix, **options)
        _check_against_single(matrix, **options)

    @settings(max_examples=100, deadline=None)
    @given(batch_input=_batches())
    def test_property_rows_are_independent(batch_input: Any) -> None:
        # Each series alone gives the same answer as inside the batch.
        matrix, _, _ = batch_input
        together = xmr_batch(matrix)
        for s in range(matrix.shape[0]):
            alone = xmr_batch(matrix[s : s + 1])
            assert together.rule[s].tolist() == alone.rule[0].tolist()
            assert together.signal[s].tolist() == alone.signal[0].tolist()
            assert together.variation[s] == alone.variation[0]


# --------------------------------------------------------------------------
# Vectorisation: no Python loop over series or points
# --------------------------------------------------------------------------


def _is_small_constant_range(it: ast.expr) -> bool:
    return (
        isinstance(it, ast.Call)
        and isinstance(it.func, ast.Name)
        and it.func.id == "range"
        and all(
            isinstance(a, ast.Constant) and isinstance(a.value, int) for a in it.args
        )
        and all(a.value <= 16 for a in it.args)  # type: ignore[attr-defined]
    )


def _is_doubling(it: ast.expr) -> bool:
    return (
        isinstance(it, ast.Call)
        and isinstance(it.func, ast.Name)
        and it.func.id == "_doubling_offsets"
    )


def test_batch_module_has_no_loops_over_data() -> None:
    # A loop in openqi/spc/batch.py may only run over a small constant range
    # or over _doubling_offsets(rule length) — about log2(length) window
    # shifts, checked below — never over series or points.
    tree = ast.parse(inspect.getsource(batch))
    exempt = {
        id(node)
        for function in ast.walk(tree)
        if isinstance(function, ast.FunctionDef)
        and function.name == "_doubling_offsets"
        for node in ast.walk(function)
    }
    offending = []
    for node in ast.walk(tree):
        if id(node) in exempt:
            continue
        if isinstance(node, ast.While):
            offending.append(f"while loop at line {node.lineno}")
        elif isinstance(node, (ast.For, ast.comprehension)):
            if not (_is_small_constant_range(node.iter) or _is_doubling(node.iter)):
                offending.append(f"loop at line {node.iter.lineno}")
    assert offending == []


def test_doubling_offsets_are_logarithmic_and_exact() -> None:
    # The only loop helper: a window of 1 grown by each offset (never more
    # than the span reached) must reach exactly `length`, in at most
    # 2·log2(length) + 1 steps.
    source = inspect.getsource(batch._doubling_offsets)
    assert "while" not in source
    for length in range(1, 5000):
        offsets = batch._doubling_offsets(length)
        span = 1
        for offset in offsets:
            assert 1 <= offset <= span
            span += offset
        assert span == length
        assert len(offsets) <= 2 * math.log2(length) + 1


def test_batch_module_does_not_use_apply_along_axis_or_vectorize() -> None:
    source = inspect.getsource(batch)
    for name in ("apply_along_axis", "vectorize", "frompyfunc", "apply_over_axes"):
        assert name not in source
