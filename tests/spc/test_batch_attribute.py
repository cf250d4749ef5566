"""The vectorised p and u charts (``p_batch``, ``u_batch``): equal, series by
series, to ``p_chart`` and ``u_chart`` on random and awkward data; the published
figures of the reference tests through the batch; no Python loop over series
or points.

Two oracles are used: the single-series charts of ``openqi.spc.charts`` (every
centre, limit, near line, rule, signal, icon and the over-dispersion warning
must be the same double or the same word), and the published figures of
Montgomery's examples already checked against the single charts in
``test_reference_charts.py``, read here through the batch.
"""

from __future__ import annotations

import ast
import csv
import inspect
import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from openqi.spc import batch_attribute
from openqi.spc.batch_attribute import (
    invalid_series,
    p_batch,
    pp_batch,
    u_batch,
    up_batch,
)
from openqi.spc.charts import p_chart, pp_chart, u_chart, up_chart
from openqi.spc.dispersion import is_overdispersion_warning
from openqi.spc.results import (
    ASSURANCES,
    RULES,
    SIGNALS,
    VARIATIONS,
    AttributeBatchResult,
)

NAN = math.nan
DATA = Path(__file__).parent / "data"
#: The p and u charts, and Laney's p′ and u′ (tests/spc/test_batch_laney.py uses
#: the same checks).
BATCHES = {"p": p_batch, "u": u_batch, "pp": pp_batch, "up": up_batch}
SINGLES = {"p": p_chart, "u": u_chart, "pp": pp_chart, "up": up_chart}


# --------------------------------------------------------------------------
# Comparing one row of a batch with the single-series chart
# --------------------------------------------------------------------------


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    """The same doubles, NaN equal to NaN (no tolerance)."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.all((a == b) | (np.isnan(a) & np.isnan(b))))


def _check_row(
    result: AttributeBatchResult,
    s: int,
    chart: str,
    numerators: np.ndarray,
    denominators: np.ndarray,
    **options: Any,
) -> None:
    """Series ``s`` of ``result`` against the single chart of its first ``n`` points."""
    n = len(numerators)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # 0 or negative denominators
        single = SINGLES[chart](list(numerators), list(denominators), **options)
    label = f"series {s}: {numerators.tolist()} / {denominators.tolist()} {options}"
    assert result.centre[s] == single.phases[0].centre or (
        math.isnan(result.centre[s]) and math.isnan(single.phases[0].centre)
    ), label
    for name in ("values", "lower", "upper", "near_lower", "near_upper"):
        assert _same(getattr(result, name)[s, :n], getattr(single, name)), (
            f"{name}: {label}"
        )
    assert _same(np.full(n, result.centre[s]), single.centre), label
    assert [RULES[c] for c in result.rule[s, :n]] == list(single.rule), label
    assert [SIGNALS[c] for c in result.signal[s, :n]] == list(single.signal), label
    assert VARIATIONS[result.variation[s]] == single.variation, label
    code = int(result.assurance[s])
    assert (None if code < 0 else ASSURANCES[code]) == single.assurance, label
    assert result.n_points[s] == np.count_nonzero(~np.isnan(single.values)), label
    if chart in ("pp", "up"):
        # No limits in the batch exactly when the single chart warns of it; a
        # Laney chart allows for over-dispersion, so it makes no test of it.
        no_limits = any("too few values to set limits" in w for w in single.warnings)
        assert bool(np.isnan(result.upper[s, :n]).all()) == no_limits, label
        assert not result.is_overdispersed[s] and result.dispersion_message(s) == ""
        return
    dispersion = [w for w in single.warnings if is_overdispersion_warning(w)]
    assert bool(result.is_overdispersed[s]) == bool(dispersion), label
    assert result.dispersion_message(s) == (dispersion[0] if dispersion else ""), label


def _check(
    chart: str,
    numerators: np.ndarray,
    denominators: np.ndarray,
    lengths: np.ndarray | None = None,
    **options: Any,
) -> AttributeBatchResult:
    """The batch against the single chart on every series with a value."""
    result = BATCHES[chart](numerators, denominators, **options)
    assert result.chart == chart
    improvements = options.pop("improvement", "neither")
    targets = options.pop("target", None)
    multiplies = options.pop("multiply", 1.0)
    for s in range(numerators.shape[0]):
        n = numerators.shape[1] if lengths is None else int(lengths[s])
        y, d = numerators[s, :n], denominators[s, :n]
        with np.errstate(invalid="ignore", divide="ignore"):
            if np.isnan(y / d).all():
                continue  # the single chart needs at least one value
        improvement = improvements if isinstance(improvements, str) else improvements[s]
        target = targets if targets is None or np.ndim(targets) == 0 else targets[s]
        if target is not None and math.isnan(target):
            target = None
        multiply = float(multiplies if np.ndim(multiplies) == 0 else multiplies[s])
        _check_row(
            result, s, chart, y, d,
            improvement=improvement, target=target, multiply=multiply, **options,
        )  # fmt: skip
    return result


def _random_attribute(
    chart: str, seed: int, n_series: int, n_periods: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Proportions or rates of many shapes, with every awkward case mixed in.

    Denominators from 1 (limits clipped at 0 and 1) to 20,000 (over-dispersed
    when the proportion wanders); steps, drifts and beta-binomial noise; rows
    at 0 or 1 throughout; missing numerators, missing denominators, and zero or
    negative denominators under a missing numerator; fractional exposures for
    u; some rows shorter (padded with NaN in both arrays). Returns numerators,
    denominators and each row's length.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(n_periods)
    scale = rng.choice([5.0, 50.0, 500.0, 20_000.0], n_series)
    den = np.maximum(
        1.0, np.round(scale[:, None] * rng.uniform(0.5, 1.5, (n_series, n_periods)))
    )
    if chart == "u":
        fractional = rng.random(n_series) < 0.3
        den[fractional] += 0.5
    level = rng.uniform(0.01, 0.6, n_series)[:, None]
    step = (rng.random(n_series) < 0.3)[:, None] * (t >= n_periods // 2)
    level = np.clip(level + 0.1 * step, 0.0, 0.95)
    wander = (rng.random(n_series) < 0.3)[:, None] * rng.normal(
        0, 0.05, (n_series, n_periods)
    )
    p = np.clip(level + wander, 0.0, 1.0)
    if chart == "p":
        num = rng.binomial(den.astype(np.int64), p).astype(float)
        num[rng.random(n_series) < 0.03] = 0.0
        full = rng.random(n_series) < 0.03
        num[full] = den[full]
    else:
        num = rng.poisson(p * den * rng.uniform(0.2, 3.0, (n_series, 1))).astype(float)
        num[rng.random(n_series) < 0.03] = 0.0
    missing = rng.random((n_series, n_periods)) < 0.04
    num[missing] = NAN
    odd = missing & (rng.random((n_series, n_periods)) < 0.5)
    den[odd] = rng.choice([NAN, 0.0, -3.0, 7.0], odd.sum())
    lengths = np.where(
        rng.random(n_series) < 0.15,
        rng.integers(1, n_periods + 1, n_series),
        n_periods,
    )
    pad = t[None, :] >= lengths[:, None]
    num[pad] = NAN
    den[pad] = NAN
    return num, den, lengths


OPTION_SETS: list[dict[str, Any]] = [
    {},
    {"two_of_three": "beyond_near"},
    {"shift_length": 5, "trend_length": 5},
    {"shift_length": 2, "trend_length": 3},
    {"fix_after": 12},
    {"fix_after": 20, "two_of_three": "beyond_near"},
]


@pytest.mark.parametrize("chart", ["p", "u"])
@pytest.mark.parametrize("options", OPTION_SETS)
def test_batch_equals_single_chart_on_random_series(
    chart: str, options: dict[str, Any]
) -> None:
    seed = 300 + len(str(options)) + (chart == "u")
    num, den, lengths = _random_attribute(chart, seed, n_series=150, n_periods=36)
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


@pytest.mark.parametrize("chart", ["p", "u"])
def test_batch_equals_single_chart_on_long_series(chart: str) -> None:
    num, den, lengths = _random_attribute(chart, 77, n_series=40, n_periods=150)
    _check(chart, num, den, lengths, improvement="increase", target=0.2)


@pytest.mark.parametrize("chart", ["p", "u"])
def test_over_dispersion_matches_the_single_chart_warning(chart: str) -> None:
    # Large denominators and beta-binomial (gamma-Poisson) noise: most series
    # over-dispersed, some not, so both sides of the verdict are compared.
    rng = np.random.default_rng(5)
    den = rng.integers(800, 5000, (200, 30)).astype(float)
    spread = rng.choice([0.0, 0.002, 0.01, 0.05], 200)[:, None]
    p = np.clip(0.3 + spread * rng.standard_normal((200, 30)), 0.01, 0.99)
    num = (
        rng.binomial(den.astype(np.int64), p) if chart == "p" else rng.poisson(p * den)
    ).astype(float)
    result = _check(chart, num, den)
    assert 20 < result.is_overdispersed.sum() < 190
    assert np.isnan(result.dispersion_ratio).sum() == 0


def test_the_critical_value_and_the_tail_give_the_same_verdicts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Statistics near the 1% critical value go to chi_square_sf, as the single
    # chart sends every one; with the margin wide open every verdict comes from
    # the tail, and the verdicts are the same.
    rng = np.random.default_rng(8)
    den = rng.integers(100, 3000, (300, 24)).astype(float)
    p = np.clip(0.2 + rng.choice([0.0, 0.005, 0.01], 300)[:, None]
                * rng.standard_normal((300, 24)), 0.01, 0.99)  # fmt: skip
    num = rng.binomial(den.astype(np.int64), p).astype(float)
    quick = p_batch(num, den)
    monkeypatch.setattr(batch_attribute, "_CRITICAL_MARGIN", 10.0)
    slow = p_batch(num, den)
    assert 10 < quick.is_overdispersed.sum() < 290
    assert quick.is_overdispersed.tolist() == slow.is_overdispersed.tolist()
    _check("p", num[:60], den[:60])


def test_over_dispersion_is_not_assessed_below_twelve_points_or_at_zero() -> None:
    short = p_batch([[100, 900] * 5 + [NAN] * 4], [[1000] * 14])
    assert short.n_points.tolist() == [10]
    assert math.isnan(short.sigma_z[0]) and not short.is_overdispersed[0]
    zero = p_batch([[0.0] * 14], [[1000.0] * 14])
    assert math.isnan(zero.dispersion_ratio[0]) and zero.dispersion_message(0) == ""


# --------------------------------------------------------------------------
# Hand-worked and edge cases
# --------------------------------------------------------------------------


def test_p_limits_vary_with_n_and_are_clipped_to_0_and_1() -> None:
    # p̄ = 4/50 = 0.08, σ = √(0.08 × 0.92 / 10) = 0.08579: lower 0.08 − 0.2574 → 0.
    # p̄ = 46/50 = 0.92: upper 0.92 + 0.2574 → 1. (test_reference_charts, by hand.)
    r = p_batch([[0, 1, 0, 2, 1], [10, 9, 10, 8, 9]], [[10] * 5, [10] * 5])
    assert r.lower[0].tolist() == [0.0] * 5
    assert r.upper[0] == pytest.approx(0.08 + 3 * math.sqrt(0.08 * 0.92 / 10))
    assert r.upper[1].tolist() == [1.0] * 5
    assert r.near_upper[1].tolist() == [1.0] * 5
    assert r.lower[1] == pytest.approx(0.92 - 3 * math.sqrt(0.08 * 0.92 / 10))


def test_u_limits_per_point_and_lower_bound() -> None:
    # Hand (test_reference_charts): counts 2, 0, 5, 1 over 1, 2, 4, 1 → ū = 1;
    # σᵢ = √(1/nᵢ): upper 4, 1 + 3/√2, 2.5, 4; lower 1 − 3σᵢ < 0 → 0.
    r = u_batch([[2, 0, 5, 1]], [[1, 2, 4, 1]])
    assert r.centre.tolist() == [1.0]
    assert r.upper[0] == pytest.approx([4.0, 1 + 3 / math.sqrt(2), 2.5, 4.0])
    assert r.lower[0].tolist() == [0.0] * 4
    _check("u", np.array([[2.0, 0, 5, 1]]), np.array([[1.0, 2, 4, 1]]))


def test_missing_numerator_or_denominator_and_zero_denominator_under_a_gap() -> None:
    # A value needs its denominator (p_chart refuses one without); a missing
    # value may have any denominator, or none.
    num = np.array([[5, NAN, NAN, 4, NAN, 5, 30, NAN]], dtype=float)
    den = np.array([[50, 50, NAN, 50, 0, 50, 50, -2]], dtype=float)
    r = _check("p", num, den, improvement="decrease", target=0.5)
    # The gap with a denominator keeps its limits; with 0 they open to 0 and 1;
    # with none (or a negative one) there are none.
    assert not math.isnan(r.upper[0, 1])
    assert (r.lower[0, 4], r.upper[0, 4]) == (0.0, 1.0)
    assert math.isnan(r.upper[0, 2]) and math.isnan(r.upper[0, 7])
    assert RULES[r.rule[0, 6]] == "outside_limits"
    # The assurance reads the last point with limits (period 6, not the last).
    _check("u", num, den, improvement="increase", target=0.01)


def test_multiply_scales_values_lines_and_target_but_not_the_rules() -> None:
    d = _read("montgomery_t7_1_orange_juice.csv")
    num = np.array([d["nonconforming"]])
    den = np.array([d["n"]])
    plain = p_batch(num, den)
    pct = p_batch(num, den, multiply=100, improvement="decrease", target=10.0)
    assert pct.centre[0] == pytest.approx(100 * plain.centre[0])
    assert pct.values[0, 0] == pytest.approx(24.0)  # 12/50
    assert pct.rule.tolist() == plain.rule.tolist()
    # A target of 10% lies between the limits (5.24% and 41.02%).
    assert pct.assurance_labels() == ["inconsistent"]
    _check("p", num, den, multiply=100.0, improvement="decrease", target=10.0)


def test_constant_proportions_sit_on_their_centre() -> None:
    # 0.1 is not exact in binary: p̄ = Σy/Σn must still equal every y/n.
    num = np.array([[1.0] * 15, [3.0] * 15])
    den = np.array([[10.0] * 15, [30.0] * 15])
    r = _check("p", num, den)
    assert r.rule.tolist() == [[0] * 15] * 2
    assert (r.values[0] == r.centre[0]).all()


def test_a_row_without_values_has_no_lines_and_no_signals() -> None:
    r = p_batch([[NAN, NAN], [1, 2]], [[10, 10], [10, 10]])
    assert math.isnan(r.centre[0]) and r.n_points.tolist() == [0, 2]
    assert r.rule[0].tolist() == [0, 0] and r.variation_labels()[0] == "common_cause"
    assert r.assurance.tolist() == [-1, -1]


def test_empty_batches() -> None:
    r = p_batch(np.zeros((0, 5)), np.zeros((0, 5)))
    assert len(r) == 0 and r.rule.shape == (0, 5)
    r = u_batch(np.zeros((3, 0)), np.zeros((3, 0)))
    assert r.variation.tolist() == [0, 0, 0]


def test_per_series_options() -> None:
    num, den, _ = _random_attribute("p", 9, n_series=30, n_periods=24)
    num[np.isnan(den)] = NAN
    ok = ~invalid_series("p", num, den)
    _check(
        "p", num[ok], den[ok],
        improvement=["increase", "decrease", "neither"] * 10,
        target=np.linspace(0, 1, 30)[ok],
        multiply=np.arange(1, 31, dtype=float)[ok],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("chart", "num", "den", "message"),
    [
        (
            "p",
            [[5, 11]],
            [[10, 10]],
            "p_batch: series 0, period 1, numerator: 11 is more",
        ),
        (
            "p",
            [[1, 2], [0, 1]],
            [[5, 5], [0, 10]],
            "series 1, period 0, denominator: 0",
        ),
        (
            "u",
            [[1, 2, 3]],
            [[5, NAN, 5]],
            "u_batch: series 0, period 1, denominator: empty",
        ),
        ("u", [[1, -2]], [[5, 5]], "numerator: -2 is below zero"),
        ("p", [[1, 2]], [[5, 5, 5]], "needs a denominator for every numerator"),
        ("p", [1, 2], [5, 5], "numerators must be 2-D"),
        ("u", [[1, 2]], [[5, math.inf]], "denominators must be finite"),
    ],
)
def test_bad_data_are_refused_in_the_single_chart_words(
    chart: str, num: Any, den: Any, message: str
) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        BATCHES[chart](num, den)


def test_u_takes_a_numerator_above_its_denominator() -> None:
    assert invalid_series("u", [[11, 2]], [[10, 5]]).tolist() == [False]
    assert invalid_series("p", [[11, 2]], [[10, 5]]).tolist() == [True]
    _check("u", np.array([[11.0, 2, 30, 4]]), np.array([[10.0, 5, 12, 4]]))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"multiply": 0}, "multiply must be a positive number"),
        ({"multiply": [1, 2]}, "multiply must be one number or one per series"),
        ({"improvement": "up"}, "improvement must be"),
        ({"fix_after": 5}, "fix_after must be a whole number of at least 12"),
        ({"shift_length": 1}, "shift_length"),
        ({"two_of_three": "any"}, "two_of_three"),
        ({"target": [1, 2]}, "target must be one number or one per series"),
    ],
)
def test_bad_options_name_the_argument(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        p_batch([[1, 2, 3]], [[5, 5, 5]], **options)


# --------------------------------------------------------------------------
# Published figures, through the batch (the reference tests' data and sources)
# --------------------------------------------------------------------------


def _read(name: str) -> dict[str, list[float]]:
    with (DATA / name).open() as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    return {key: [float(row[key]) for row in rows] for key in rows[0]}


@pytest.mark.reference
def test_p_batch_montgomery_example_7_1() -> None:
    # Montgomery (6th ed.) Example 7.1, Table 7.1: 30 samples of n = 50;
    # p̄ = 347/1500 = 0.2313, UCL 0.4102, LCL 0.0524; samples 15 and 23 above the UCL
    # (qicharts2 tests/testthat/test_montgomery.R, tbl_07.03).
    d = _read("montgomery_t7_1_orange_juice.csv")
    r = p_batch([d["nonconforming"]], [d["n"]], improvement="decrease")
    assert round(float(r.centre[0]), 4) == 0.2313
    assert round(float(r.upper[0, 0]), 4) == 0.4102
    assert round(float(r.lower[0, 0]), 4) == 0.0524
    outside = [i for i, c in enumerate(r.rule[0]) if RULES[c] == "outside_limits"]
    assert outside == [14, 22]
    assert SIGNALS[r.signal[0, 14]] == SIGNALS[r.signal[0, 22]] == "concern"


@pytest.mark.reference
def test_u_batch_montgomery_example_7_4() -> None:
    # Montgomery (6th ed.) Example 7.4, Table 7.10: ū = 1.93, UCL 3.79, LCL 0.07,
    # in control (qicharts2 tbl_07.10).
    d = _read("montgomery_t7_10_personal_computers.csv")
    r = u_batch([d["nonconformities"]], [d["n"]])
    assert r.centre[0] == pytest.approx(1.93)
    assert round(float(r.upper[0, 0]), 2) == 3.79
    assert round(float(r.lower[0, 0]), 2) == 0.07
    assert RULES.index("outside_limits") not in r.rule[0].tolist()


@pytest.mark.reference
def test_reference_series_side_by_side_in_one_batch(shared_data: Path) -> None:
    # Montgomery's Table 7.1 beside RJZ's A&E four-hour performance (36 months of
    # NHSRdatasets ae_attendances, denominators ≈ 10,000, over-dispersed:
    # φ ≈ 390, σ_z ≈ 8.7 in docs/methods.md), padded to one width: each row is
    # its own single chart.
    d = _read("montgomery_t7_1_orange_juice.csv")
    rows = []
    with (shared_data / "ae_attendances.csv").open() as handle:
        for row in csv.DictReader(handle):
            if row["org_code"] == "RJZ" and row["type"] == "1":
                rows.append(
                    (row["period"], float(row["attendances"]), float(row["breaches"]))
                )
    rows.sort()
    width = max(len(rows), 30)
    num = np.full((2, width), NAN)
    den = np.full((2, width), NAN)
    num[0, :30], den[0, :30] = d["nonconforming"], d["n"]
    num[1, : len(rows)] = [r[2] for r in rows]
    den[1, : len(rows)] = [r[1] for r in rows]
    r = _check("p", num, den, np.array([30, len(rows)]), improvement="decrease")
    # Table 7.1 with its two out-of-control samples fails the test too, as
    # p_chart says (checked above); RJZ by far.
    assert r.is_overdispersed.tolist() == [True, True]
    assert r.dispersion_ratio[1] == pytest.approx(390, rel=0.05)
    assert r.sigma_z[1] == pytest.approx(8.7, rel=0.05)


# --------------------------------------------------------------------------
# Property tests (hypothesis is a dev dependency; the core venv lacks it)
# --------------------------------------------------------------------------

try:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
except ImportError:  # the numpy + pytest only core venv

    def test_attribute_property_tests_need_hypothesis() -> None:
        pytest.skip("hypothesis is not installed: property tests skipped")

else:

    @st.composite
    def _attribute_rows(draw: Any) -> tuple[str, np.ndarray, np.ndarray]:
        chart = draw(st.sampled_from(["p", "u"]))
        n_series = draw(st.integers(1, 5))
        n_periods = draw(st.integers(1, 30))
        nums, dens = [], []
        for _ in range(n_series):
            size = draw(st.integers(1, 60))
            den = draw(
                st.lists(
                    st.one_of(st.integers(1, size), st.just(size)),
                    min_size=n_periods,
                    max_size=n_periods,
                )
            )
            most = 1 if chart == "p" else 2  # a rate may exceed its exposure
            is_constant = draw(st.booleans())  # ties with the centre
            num = []
            for k in den:
                if draw(st.integers(0, 9)) == 0:
                    num.append(NAN)  # a missing value
                elif is_constant:
                    num.append(float(k // 2))
                else:
                    num.append(float(draw(st.integers(0, most * k))))
            nums.append(num)
            dens.append([float(k) for k in den])
        return chart, np.array(nums), np.array(dens)

    _attribute_options = st.fixed_dictionaries(
        {
            "improvement": st.sampled_from(["increase", "decrease", "neither"]),
            "target": st.one_of(st.none(), st.integers(0, 8).map(lambda k: k / 8)),
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
    @given(batch_input=_attribute_rows(), options=_attribute_options)
    def test_property_attribute_batch_equals_single(
        batch_input: Any, options: dict[str, Any]
    ) -> None:
        chart, num, den = batch_input
        _check(chart, num, den, **options)


# --------------------------------------------------------------------------
# Vectorisation: no Python loop over series or points
# --------------------------------------------------------------------------


def test_batch_attribute_module_has_no_loops_over_data() -> None:
    # The one loop allowed runs over the statistics within 1e-7 of the
    # chi-square critical value (the tail itself decides those, as the single
    # chart does): in practice none.
    tree = ast.parse(inspect.getsource(batch_attribute))
    offending = []
    for node in ast.walk(tree):
        if isinstance(node, ast.While):
            offending.append(f"while loop at line {node.lineno}")
        elif isinstance(node, (ast.For, ast.comprehension)):
            if ast.unparse(node.iter) != "close.tolist()":
                offending.append(f"loop at line {node.iter.lineno}")
    assert offending == []
    source = inspect.getsource(batch_attribute)
    for name in ("apply_along_axis", "vectorize", "frompyfunc", "apply_over_axes"):
        assert name not in source
