"""Property tests of the XmR chart: invariants that hold for any finite input.

The rule checks here restate each rule's definition from the SPC contract as a
brute-force search over windows, independent of the implementation in rules.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from openqi.spc import xmr  # noqa: E402

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
# Small integers give plenty of ties, points on the mean and exact limit hits.
coarse = st.integers(min_value=0, max_value=6).map(float)
series = st.lists(st.one_of(coarse, finite), min_size=1, max_size=60)
gappy = st.lists(st.one_of(coarse, st.none()), min_size=1, max_size=60).filter(
    lambda v: any(x is not None for x in v)
)

PRIORITY = {"outside_limits": 1, "trend": 2, "two_of_three": 3, "shift": 4}


def _windows_holding(values, judged, length, predicate):
    """Indices of points lying in some window of `length` judged points where predicate holds."""
    hit = set()
    for start in range(len(values) - length + 1):
        idx = range(start, start + length)
        if all(judged[i] for i in idx) and predicate([values[i] for i in idx]):
            hit.update(idx)
    return hit


def _expected_rules(
    values, centre, lower, upper, near_lower, near_upper, trend_len, shift_len
):
    """Which rules' definitions hold at each point (for one phase, no exclusions)."""
    n = len(values)
    judged = [not math.isnan(v) for v in values]
    holds = [set() for _ in range(n)]
    for i, v in enumerate(values):
        if judged[i] and (v > upper or v < lower):
            holds[i].add("outside_limits")

    def rising(w):
        return all(b > a for a, b in zip(w, w[1:], strict=False))

    def falling(w):
        return all(b < a for a, b in zip(w, w[1:], strict=False))

    for i in _windows_holding(values, judged, trend_len, rising) | _windows_holding(
        values, judged, trend_len, falling
    ):
        holds[i].add("trend")
    for start in range(n - 2):
        idx = range(start, start + 3)
        if not all(judged[i] for i in idx):
            continue
        w = [values[i] for i in idx]
        for above in (True, False):
            same_side = all((x > centre) if above else (x < centre) for x in w)
            near = [
                i
                for i in idx
                if (
                    near_upper < values[i] < upper
                    if above
                    else lower < values[i] < near_lower
                )
            ]
            if same_side and len(near) >= 2:
                for i in near:
                    holds[i].add("two_of_three")
    for i in _windows_holding(
        values, judged, shift_len, lambda w: all(x > centre for x in w)
    ) | (
        _windows_holding(
            values, judged, shift_len, lambda w: all(x < centre for x in w)
        )
    ):
        holds[i].add("shift")
    return holds


def _check_rules(result, values, trend_len=7, shift_len=7):
    vals = [math.nan if v is None else float(v) for v in values]
    holds = _expected_rules(
        vals,
        result.centre[0],
        result.lower[0],
        result.upper[0],
        result.near_lower[0],
        result.near_upper[0],
        trend_len,
        shift_len,
    )
    for i, rule in enumerate(result.rule):
        if holds[i]:
            # The point carries the highest-priority rule whose definition holds.
            assert rule == min(holds[i], key=PRIORITY.__getitem__), (i, rule, holds[i])
        else:
            assert rule == "common_cause", (i, rule)


@settings(max_examples=300, deadline=None)
@given(series)
def test_no_crash_on_any_finite_input(values):
    r = xmr(values)
    assert len(r.rule) == len(values)
    assert r.variation in {
        "common_cause",
        "improvement_high",
        "improvement_low",
        "concern_high",
        "concern_low",
        "neutral_high",
        "neutral_low",
    }
    r.to_dict()


@settings(max_examples=300, deadline=None)
@given(st.lists(coarse, min_size=2, max_size=50), st.sampled_from([2.0, 10.0, 1000.0]))
def test_shifting_all_values_shifts_centre_and_limits(values, delta):
    a = xmr(values)
    b = xmr([v + delta for v in values])
    np.testing.assert_allclose(b.centre, a.centre + delta, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(b.upper, a.upper + delta, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(b.lower, a.lower + delta, rtol=1e-9, atol=1e-9)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(coarse, min_size=1, max_size=40),
    st.sampled_from(["default", "beyond_near"]),
)
def test_rule_flags_only_where_the_definition_holds(values, variant):
    r = xmr(values, two_of_three=variant)
    if variant == "default":
        _check_rules(r, values)
    else:
        # beyond_near also counts points beyond the limits: check the flag set only.
        for i, rule in enumerate(r.rule):
            if rule == "two_of_three":
                assert values[i] > r.near_upper[0] or values[i] < r.near_lower[0]


@settings(max_examples=300, deadline=None)
@given(
    gappy, st.integers(min_value=3, max_value=8), st.integers(min_value=3, max_value=8)
)
def test_rule_flags_with_missing_values_and_other_lengths(values, trend_len, shift_len):
    r = xmr(values, trend_length=trend_len, shift_length=shift_len)
    _check_rules(r, values, trend_len, shift_len)
    for i, v in enumerate(values):
        if v is None:
            assert r.rule[i] == "common_cause" and r.signal[i] == "common_cause"


@settings(max_examples=200, deadline=None)
@given(
    st.lists(coarse, min_size=1, max_size=40),
    st.sampled_from(["increase", "decrease", "neither"]),
)
def test_signal_agrees_with_side_and_direction(values, improvement):
    r = xmr(values, improvement=improvement)
    for i, (rule, signal) in enumerate(zip(r.rule, r.signal, strict=True)):
        if rule == "common_cause":
            assert signal == "common_cause"
        elif improvement == "neither":
            assert signal in ("neutral_high", "neutral_low")
        else:
            assert signal in ("improvement", "concern")
        if rule in ("outside_limits", "shift", "two_of_three"):
            high = values[i] > r.centre[i]
            if improvement == "increase":
                assert signal == ("improvement" if high else "concern")
            elif improvement == "decrease":
                assert signal == ("concern" if high else "improvement")
