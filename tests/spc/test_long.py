"""chart_long: many series in long form, each phase charted by the batch
functions, give every series exactly what the single chart gives it alone — the
same doubles for every line, the same rules, signals, icons and warnings."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from openqi.spc import charts
from openqi.spc.long import LONG_CHARTS, chart_long
from openqi.spc.results import ASSURANCES, RULES, SIGNALS, VARIATIONS

SINGLE = {
    "xmr": charts.xmr,
    "run": charts.run_chart,
    "p": charts.p_chart,
    "u": charts.u_chart,
    "pp": charts.pp_chart,
    "up": charts.up_chart,
}


def _series(rng: np.random.Generator, chart: str, length: int) -> dict[str, Any]:
    """One random series: values (numerators), denominators, phase starts."""
    level = rng.uniform(5, 500)
    if chart in ("p", "pp"):
        den = rng.integers(20, 4000, length).astype(float)
        p = np.clip(rng.normal(rng.uniform(0.05, 0.9), 0.03, length), 0, 1)
        if rng.random() < 0.3:
            p[rng.integers(0, length)] = min(1.0, p.max() + 0.2)
        num = np.floor(den * p)
    elif chart in ("u", "up"):
        den = rng.uniform(10, 5000, length).round(1)
        num = rng.poisson(den * rng.uniform(0.01, 2.0)).astype(float)
    else:
        den = None
        num = rng.normal(level, level * 0.1, length).round(int(rng.integers(0, 3)))
        if rng.random() < 0.4:  # a step
            num[length // 2 :] += level * 0.3
        if rng.random() < 0.2:
            num[rng.integers(0, length)] += level
    if chart == "run" and rng.random() < 0.3:
        den = rng.uniform(50, 500, length).round()
        num = np.floor(den * rng.uniform(0.1, 0.5, length))
    missing = rng.random(length) < 0.05
    missing[0] = False
    num[missing] = np.nan
    phases = np.zeros(length, dtype=bool)
    if length > 20 and rng.random() < 0.4:
        phases[rng.integers(2, length - 1, int(rng.integers(1, 3)))] = True
    return {"values": num, "den": den, "phases": phases}


def _chart_alone(
    chart: str, s: dict[str, Any], periods: list[str], opts: dict[str, Any]
):  # type: ignore[no-untyped-def]
    rebase = [periods[i] for i in np.flatnonzero(s["phases"])]
    if chart in ("p", "u", "pp", "up"):
        return SINGLE[chart](s["values"], s["den"], periods, rebase=rebase, **opts)
    if chart == "run":
        return charts.run_chart(
            s["values"], periods, denominators=s["den"], rebase=rebase, **opts
        )
    return charts.xmr(s["values"], periods, rebase=rebase, **opts)


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.array_equal(a, b, equal_nan=True))


def _options(rng: np.random.Generator, chart: str) -> dict[str, Any]:
    taken = LONG_CHARTS[chart]
    opts: dict[str, Any] = {
        "improvement": str(rng.choice(["increase", "decrease", "neither"]))
    }
    if rng.random() < 0.5:
        opts["target"] = None  # set per series below
    if "fix_after" in taken and rng.random() < 0.3:
        opts["fix_after"] = int(rng.integers(12, 20))
    if "screen" in taken and rng.random() < 0.3:
        opts["screen"] = False
    if "shift_length" in taken and rng.random() < 0.3:
        opts["shift_length"] = int(rng.integers(5, 9))
        opts["trend_length"] = int(rng.integers(5, 8))
    if "two_of_three" in taken and rng.random() < 0.3:
        opts["two_of_three"] = "beyond_near"
    if "multiply" in taken and rng.random() < 0.5:
        opts["multiply"] = 100.0
    return opts


@pytest.mark.parametrize("chart", list(LONG_CHARTS))
@pytest.mark.parametrize("seed", range(10))
def test_each_series_is_charted_as_alone(chart: str, seed: int) -> None:
    rng = np.random.default_rng([seed, list(LONG_CHARTS).index(chart)])
    opts = _options(rng, chart)
    lengths = rng.integers(1, 70, 40)
    lengths[:3] = [8, 13, 60]
    if seed < 4:  # series of one length: the batch matrix is a view of the rows
        lengths[:] = 37
    series = [_series(rng, chart, int(n)) for n in lengths]
    # Every series has a value: the single chart refuses one with none.
    targets = None
    if "target" in opts:
        targets = np.array(
            [
                np.nanmean(s["values"] / (s["den"] if s["den"] is not None else 1))
                for s in series
            ]
        ) * opts.get("multiply", 1.0)
        opts.pop("target")
    values = np.concatenate([s["values"] for s in series])
    has_den = any(s["den"] is not None for s in series)
    if chart == "run" and has_den:
        for s in series:
            if s["den"] is None:
                s["den"] = np.ones(len(s["values"]))
    den = np.concatenate([s["den"] for s in series]) if has_den else None
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    new_phase = np.concatenate([s["phases"] for s in series])
    periods = [f"2020-{i:03d}" for i in range(int(lengths.max()))]
    labels = np.array([periods[i] for n in lengths for i in range(int(n))])

    result = chart_long(
        chart,
        values,
        starts=starts,
        denominators=den,
        new_phase=new_phase,
        period_labels=lambda rows: labels[rows].tolist(),
        max_cells=500,  # several blocks
        target=targets,
        **opts,
    )

    for k, s in enumerate(series):
        n = int(lengths[k])
        rows = slice(int(starts[k]), int(starts[k]) + n)
        alone_opts = dict(opts)
        if targets is not None:
            alone_opts["target"] = float(targets[k])
        alone = _chart_alone(chart, s, periods[:n], alone_opts)
        for line in ("centre", "lower", "upper", "near_lower", "near_upper"):
            assert _same(getattr(result, line)[rows], getattr(alone, line)), (k, line)
        assert _same(result.value[rows], alone.values), k
        assert result.phase[rows].tolist() == alone.phase.tolist()
        assert [RULES[c] for c in result.rule[rows]] == list(alone.rule), k
        assert [SIGNALS[c] for c in result.signal[rows]] == list(alone.signal), k
        assert VARIATIONS[result.variation[k]] == alone.variation, k
        code = int(result.assurance[k])
        assert (None if code < 0 else ASSURANCES[code]) == alone.assurance, k
        words = result.warnings[result.warning_series == k].tolist()
        assert words == list(alone.warnings), k
        assert result.n_phases[k] == len(alone.phases)
        assert result.n_points[k] == sum(p.n_points for p in alone.phases)


def test_a_bad_denominator_is_named_by_its_row() -> None:
    with pytest.raises(ValueError, match="trust B, 2024-03"):
        chart_long(
            "p",
            [1, 2, 3, 4],
            denominators=[10, 10, 10, 2],
            starts=[0, 2],
            describe=lambda i: ["trust A, 2024-02", "x", "y", "trust B, 2024-03"][i],
        )


def test_an_option_the_chart_does_not_take_is_refused() -> None:
    with pytest.raises(ValueError, match="xmr chart does not take multiply"):
        chart_long("xmr", [1.0, 2.0], starts=[0], multiply=100)
