"""The vectorised run chart (``run_batch``): equal, series by series, to
``run_chart`` on random and awkward data (ties with the median, gaps, even and
odd counts, long runs, denominators and ``multiply``), to the published Anhøj
thresholds and the hand-worked run charts of the reference tests; no Python loop
over series or points."""

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

from openqi.spc import batch_run
from openqi.spc import run_batch as lazy_run_batch
from openqi.spc.batch_run import run_batch
from openqi.spc.charts import run_chart
from openqi.spc.results import RULES, SIGNALS, VARIATIONS, RunBatchResult

NAN = math.nan
DATA = Path(__file__).parent / "data"


def _check_row(
    result: RunBatchResult,
    s: int,
    values: np.ndarray,
    denominators: np.ndarray | None,
    **options: Any,
) -> None:
    n = len(values)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        single = run_chart(
            list(values),
            denominators=None if denominators is None else list(denominators),
            **options,
        )
    label = f"series {s}: {values.tolist()} {options}"
    assert result.centre[s] == single.phases[0].centre, label
    assert np.array_equal(result.values[s, :n], single.values, equal_nan=True), label
    assert [RULES[c] for c in result.rule[s, :n]] == list(single.rule), label
    assert [SIGNALS[c] for c in result.signal[s, :n]] == list(single.signal), label
    assert VARIATIONS[result.variation[s]] == single.variation, label
    assert single.assurance is None and result.assurance[s] == -1, label
    runs = single.runs
    assert (
        int(result.useful[s]),
        int(result.longest_run[s]),
        int(result.longest_run_max[s]),
        int(result.crossings[s]),
        int(result.crossings_min[s]),
        bool(result.is_long_run[s]),
        bool(result.is_few_crossings[s]),
        bool(result.is_runs_signal[s]),
    ) == (
        runs.useful,
        runs.longest_run,
        runs.longest_run_max,
        runs.crossings,
        runs.crossings_min,
        runs.is_long_run,
        runs.is_few_crossings,
        runs.is_signal,
    ), label
    assert result.n_points[s] == np.count_nonzero(~np.isnan(single.values)), label


def _check(
    values: np.ndarray,
    denominators: np.ndarray | None = None,
    lengths: np.ndarray | None = None,
    **options: Any,
) -> RunBatchResult:
    result = run_batch(values, denominators, **options)
    improvements = options.pop("improvement", "neither")
    targets = options.pop("target", None)
    multiplies = options.pop("multiply", 1.0)
    for s in range(values.shape[0]):
        n = values.shape[1] if lengths is None else int(lengths[s])
        y = values[s, :n]
        d = None if denominators is None else denominators[s, :n]
        with np.errstate(invalid="ignore", divide="ignore"):
            if np.isnan(y if d is None else y / d).all():
                continue  # the single chart needs at least one value
        improvement = improvements if isinstance(improvements, str) else improvements[s]
        target = targets if targets is None or np.ndim(targets) == 0 else targets[s]
        if target is not None and math.isnan(target):
            target = None
        multiply = float(multiplies if np.ndim(multiplies) == 0 else multiplies[s])
        _check_row(
            result, s, y, d,
            improvement=improvement, target=target, multiply=multiply, **options,
        )  # fmt: skip
    return result


def _random_runs(
    seed: int, n_series: int, n_periods: int
) -> tuple[np.ndarray, np.ndarray]:
    """Small integers (many ties with the median), steps (long runs), drifts,
    alternation (many crossings), constant rows, gaps and shorter rows."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_periods)
    x = rng.integers(0, rng.integers(2, 8, n_series)[:, None], (n_series, n_periods))
    x = x.astype(float)
    step = rng.random(n_series) < 0.3
    x[step] += 6.0 * (t >= rng.integers(1, max(2, n_periods), step.sum())[:, None])
    drift = rng.random(n_series) < 0.15
    x[drift] += 0.4 * t
    alternate = rng.random(n_series) < 0.1
    x[alternate] = np.where(t % 2 == 0, 1.0, 5.0)
    x[rng.random(n_series) < 0.05] = 3.0
    decimal = rng.random(n_series) < 0.2
    x[decimal] = np.round(rng.normal(0.5, 0.2, (decimal.sum(), n_periods)), 1)
    x[rng.random((n_series, n_periods)) < 0.07] = NAN
    lengths = np.where(
        rng.random(n_series) < 0.15, rng.integers(1, n_periods + 1, n_series), n_periods
    )
    x[t[None, :] >= lengths[:, None]] = NAN
    return x, lengths


@pytest.mark.parametrize("seed", range(8))
def test_batch_equals_single_chart_on_random_series(seed: int) -> None:
    n_periods = (1, 5, 12, 13, 24, 36, 80, 200)[seed]
    x, lengths = _random_runs(seed, n_series=150, n_periods=n_periods)
    rng = np.random.default_rng(seed)
    improvement = list(rng.choice(["increase", "decrease", "neither"], 150))
    target = np.where(rng.random(150) < 0.5, NAN, 3.0)
    _check(x, None, lengths, improvement=improvement, target=target)


@pytest.mark.parametrize("fix_after", [12, 20])
def test_fix_after_takes_the_median_of_the_first_points(fix_after: int) -> None:
    x, lengths = _random_runs(99 + fix_after, n_series=120, n_periods=40)
    _check(x, None, lengths, improvement="increase", fix_after=fix_after)


def test_denominators_and_multiply() -> None:
    rng = np.random.default_rng(4)
    den = rng.integers(20, 400, (120, 30)).astype(float)
    p = np.clip(0.3 + 0.1 * (np.arange(30) >= 18) * (rng.random((120, 1)) < 0.4), 0, 1)
    num = rng.binomial(den.astype(np.int64), p).astype(float)
    num[rng.random(num.shape) < 0.05] = NAN
    gap = np.isnan(num) & (rng.random(num.shape) < 0.5)
    den[gap] = rng.choice([NAN, 0.0, -1.0], gap.sum())
    multiply = rng.choice([1.0, 100.0, 1000.0], 120)
    improvement = list(rng.choice(["increase", "decrease", "neither"], 120))
    r = _check(num, den, improvement=improvement, multiply=multiply)
    assert r.is_long_run.sum() > 10 and (r.rule == RULES.index("shift")).any()
    # The hand-worked example of the reference tests.
    r = run_batch([[1, 2, 3, 4]], [[10, 10, 10, 10]], multiply=100)
    assert np.allclose(r.values, [[10, 20, 30, 40]]) and r.centre[0] == 25.0


def test_hand_worked_runs() -> None:
    # test_reference_charts: 1..20 (median 10.5, runs of 10, 1 crossing: a
    # signal); points on the median neither break nor join a run; alternation.
    r = _check(
        np.array(
            [
                list(range(1, 21)),
                [1, 2, 3, 3, 3, 4, 5] + [NAN] * 13,
                [1, 9, 2, 8, 3, 7, 1, 9, 2, 8, 5.5] + [NAN] * 9,
            ],
            dtype=float,
        )
    )
    assert r.centre.tolist() == [10.5, 3.0, 5.5]
    assert r.useful.tolist() == [20, 4, 10]
    assert r.longest_run.tolist()[:2] == [10, 2]
    assert r.crossings.tolist()[:2] == [1, 1]
    assert r.is_runs_signal.tolist() == [True, False, False]
    # The two runs of ten are longer than the maximum of 7: every point a shift.
    assert r.rule[0].tolist() == [RULES.index("shift")] * 20


def test_a_run_broken_by_a_gap_or_the_median_is_not_a_shift() -> None:
    # Median 5, 16 useful points (max run round(log2 16) + 3 = 7): eight above
    # and eight below in the compressed order, but a gap breaks the stretch
    # above and a point on the median the stretch below.
    x = np.array(
        [[9, 9, 9, 9, NAN, 9, 9, 9, 9, 1, 1, 1, 1, 5, 1, 1, 1, 1]], dtype=float
    )
    r = _check(x)
    assert r.centre[0] == 5.0 and r.useful[0] == 16
    assert r.longest_run[0] == 8 and r.is_long_run[0]
    assert (r.rule == 0).all()


def test_medians_even_odd_and_decimals() -> None:
    # R's median: the mean of the two middle values as R's mean() takes it.
    r = _check(
        np.array([[0.1, 0.2, 0.3, 0.4], [0.1, 0.1, 5.0, 0.1], [3.0, 1.0, 2.0, NAN]])
    )
    assert r.centre.tolist() == [0.25, 0.1, 2.0]


def test_anhoej_thresholds_follow_the_published_table() -> None:
    with (DATA / "anhoej_critical_values.csv").open() as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    useful = [int(float(row["useful"])) for row in rows]
    # Series of alternating sides, one per row of the table, padded to one width.
    width = max(useful)
    x = np.full((len(useful), width), NAN)
    for s, n in enumerate(useful):  # building the input, not the batch
        x[s, :n] = np.where(np.arange(n) % 2 == 0, -1.0, 1.0)
        if n % 2:
            x[s, 0] = -2.0  # odd: the median is -1, a point on it
    r = run_batch(x)
    for s, row in enumerate(rows):
        n = useful[s] - (useful[s] % 2)
        if n == useful[s]:
            assert r.longest_run_max[s] == int(float(row["longest_run_max"]))
            assert r.crossings_min[s] == int(float(row["crossings_min"]))
    _check(x)


def test_rows_without_values_and_empty_batches() -> None:
    r = run_batch(np.array([[NAN, NAN, NAN], [1.0, 2.0, NAN]]))
    assert math.isnan(r.centre[0]) and r.rule[0].tolist() == [0, 0, 0]
    assert r.useful.tolist() == [0, 2] and r.variation.tolist() == [0, 0]
    r = run_batch(np.zeros((0, 4)))
    assert len(r) == 0 and r.rule.shape == (0, 4)
    r = run_batch(np.zeros((2, 0)))
    assert r.useful.tolist() == [0, 0] and np.isnan(r.centre).all()


def test_bad_input_is_refused_in_the_single_chart_words() -> None:
    with pytest.raises(ValueError, match="run_batch: series 0, period 1"):
        run_batch([[1.0, 2.0]], [[5.0, 0.0]])
    with pytest.raises(ValueError, match="shape"):
        run_batch([[1.0, 2.0]], [[5.0]])
    with pytest.raises(ValueError, match="multiply"):
        run_batch([[1.0]], multiply=0)
    with pytest.raises(ValueError, match="fix_after"):
        run_batch([[1.0]], fix_after=3)
    with pytest.raises(ValueError, match="improvement"):
        run_batch([[1.0]], improvement="up")


def test_exported_lazily_from_the_package() -> None:
    assert lazy_run_batch is run_batch


try:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
except ImportError:  # the numpy + pytest only core venv

    def test_run_property_tests_need_hypothesis() -> None:
        pytest.skip("hypothesis is not installed: property tests skipped")

else:

    @settings(
        max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(
        rows=st.integers(1, 30).flatmap(
            lambda n: st.lists(
                st.lists(
                    st.one_of(st.integers(0, 4).map(float), st.just(NAN)),
                    min_size=n,
                    max_size=n,
                ),
                min_size=1,
                max_size=5,
            )
        ),
        improvement=st.sampled_from(["increase", "decrease", "neither"]),
        fix_after=st.one_of(st.none(), st.integers(12, 20)),
    )
    def test_property_run_batch_equals_single(
        rows: list[list[float]], improvement: str, fix_after: int | None
    ) -> None:
        _check(np.array(rows), improvement=improvement, fix_after=fix_after)


def test_batch_run_module_has_no_loops_over_data() -> None:
    # The one loop allowed runs over the distinct numbers of useful points (the
    # Anhøj crossings minimum of each, computed once and kept).
    tree = ast.parse(inspect.getsource(batch_run))
    offending = []
    for node in ast.walk(tree):
        if isinstance(node, ast.While):
            offending.append(f"while loop at line {node.lineno}")
        elif isinstance(node, (ast.For, ast.comprehension)):
            if ast.unparse(node.iter) != "distinct.tolist()":
                offending.append(f"loop at line {node.iter.lineno}")
    assert offending == []
    source = inspect.getsource(batch_run)
    for name in ("apply_along_axis", "vectorize", "frompyfunc", "apply_over_axes"):
        assert name not in source
