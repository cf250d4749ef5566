"""Benchmarks of the SPC core: the batch engine and the command line's start-up."""

from __future__ import annotations

import functools
import math
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bench.report import Row, si

__all__ = ["cli_startup", "realistic_series", "xmr_batch_throughput"]

#: Batch throughput the engine must reach on 10,000 series × 60 points
#: (a bare NumPy computation of the same rules reaches about 2.8e7 here).
BATCH_TARGET = 1.5e7
#: ``openqi spc`` on a 60-point CSV may take at most this many times as long as
#: a Python process that only imports NumPy.
CLI_RATIO_TARGET = 2.0
#: Series timed through the per-series loop; the rest is extrapolated per point.
LOOP_SUBSET = 300
SHAPES = ((10_000, 60), (1_000, 200))


def realistic_series(
    n_series: int, n_periods: int, seed: int = 20240601
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Monthly-indicator-like data: values, improvement directions and targets.

    Levels spread like NHS counts (log-normal around 55), noise of 3–15 % of the
    level, a step change in 40 % of the series and a drift in 10 %, values
    rounded to one decimal (so ties happen), 1 % missing values and 10 % of the
    series shorter (NaN-padded at the end). A third of the series have no
    target; directions are drawn evenly.
    """
    rng = np.random.default_rng(seed)
    level = rng.lognormal(4.0, 1.0, n_series)
    sd = level * rng.uniform(0.03, 0.15, n_series)
    t = np.arange(n_periods)
    x = level[:, None] + sd[:, None] * rng.standard_normal((n_series, n_periods))
    has_step = rng.random(n_series) < 0.4
    step_at = rng.integers(n_periods // 4, n_periods, n_series)
    step = rng.normal(0.0, 2.5, n_series) * sd * has_step
    x += step[:, None] * (t[None, :] >= step_at[:, None])
    drift = (rng.random(n_series) < 0.1) * rng.normal(0.0, 0.2, n_series) * sd
    x += drift[:, None] * t[None, :]
    x = np.round(x, 1)
    x[rng.random((n_series, n_periods)) < 0.01] = np.nan
    length = np.where(
        rng.random(n_series) < 0.1,
        rng.integers(n_periods // 2, n_periods, n_series),
        n_periods,
    )
    x[t[None, :] >= length[:, None]] = np.nan
    improvement = rng.choice(np.array(["increase", "decrease", "neither"]), n_series)
    target = level * (1 + rng.normal(0.0, 0.1, n_series))
    target[rng.random(n_series) < 1 / 3] = np.nan
    return x, improvement, target


def _best_of(repeats: int, run: Callable[[], Any]) -> float:
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def xmr_batch_throughput() -> list[Row]:
    """Points per second of ``xmr_batch`` against a per-series loop over ``xmr``."""
    rows = []
    for n_series, n_periods in SHAPES:
        rows += _throughput(
            n_series, n_periods, has_target=(n_series, n_periods) == SHAPES[0]
        )
    return rows


def _loop(
    x: np.ndarray, improvement: np.ndarray, target: np.ndarray, n: int
) -> list[Any]:
    """The baseline: ``charts.xmr`` on each of the first ``n`` series in turn."""
    from openqi.spc.charts import xmr

    results = []
    for s in range(n):
        tgt = None if math.isnan(target[s]) else float(target[s])
        results.append(xmr(x[s], improvement=str(improvement[s]), target=tgt))
    return results


def _throughput(n_series: int, n_periods: int, *, has_target: bool) -> list[Row]:
    from openqi.spc.batch import xmr_batch
    from openqi.spc.results import ASSURANCES, RULES, SIGNALS, VARIATIONS

    x, improvement, target = realistic_series(n_series, n_periods)
    points = n_series * n_periods
    shape = f"{n_series:,} × {n_periods}"
    batch = functools.partial(xmr_batch, x, improvement=improvement, target=target)
    result = batch()  # warm-up, and the answer checked below
    batch_time = _best_of(7, batch)
    batch_rate = points / batch_time

    subset = min(n_series, LOOP_SUBSET)
    loop = functools.partial(_loop, x, improvement, target, subset)
    singles = loop()
    loop_time = _best_of(2, loop)
    loop_rate = subset * n_periods / loop_time
    mismatches = sum(
        tuple(single.rule) != tuple(RULES[c] for c in result.rule[s])
        or tuple(single.signal) != tuple(SIGNALS[c] for c in result.signal[s])
        or single.variation != VARIATIONS[result.variation[s]]
        or single.assurance
        != (None if result.assurance[s] < 0 else ASSURANCES[result.assurance[s]])
        for s, single in enumerate(singles)
    )
    return [
        Row(
            f"xmr_batch {shape}",
            batch_rate,
            "points/s",
            target=f">= {si(BATCH_TARGET)}" if has_target else "",
            is_met=batch_rate >= BATCH_TARGET if has_target else None,
            note=f"best of 7 runs, {batch_time * 1e3:.1f} ms; all rules, "
            "per-series improvement and target",
        ),
        Row(
            f"charts.xmr loop {shape}",
            loop_rate,
            "points/s",
            note=f"plain loop over the first {subset} series, best of 2, extrapolated "
            f"per point (≈ {points / loop_rate:.1f} s for all)",
        ),
        Row(
            f"speed-up {shape}",
            batch_rate / loop_rate,
            "× loop",
            target="same results",
            is_met=mismatches == 0,
            note=f"batch and loop agree on {subset - mismatches} of {subset} series "
            "(rules, signals, variation, assurance)",
        ),
    ]


def _openqi_command() -> Path | None:
    script = Path(sys.executable).with_name("openqi")
    if not script.exists():
        return None
    try:
        import openqi.cli  # noqa: F401
    except ImportError:
        return None
    return script


def cli_startup() -> list[Row]:
    """``openqi spc`` on a 60-point CSV as a whole process, against importing NumPy."""
    name = "openqi spc 60-point CSV --format json"
    script = _openqi_command()
    if script is None:
        return [Row(name, None, "ms", note="skipped: CLI not available")]
    x, _, _ = realistic_series(1, 60, seed=7)
    values = np.nan_to_num(x[0], nan=float(np.nanmean(x[0])))
    with tempfile.TemporaryDirectory() as folder:
        csv_path = Path(folder) / "indicator.csv"
        lines = ["period,value"]
        lines += [
            f"{2019 + i // 12}-{i % 12 + 1:02d},{v:.1f}" for i, v in enumerate(values)
        ]
        csv_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        command = [
            str(script),
            "spc",
            str(csv_path),
            "--chart",
            "xmr",
            "--format",
            "json",
        ]
        baseline = [sys.executable, "-c", "import numpy"]

        def run(argv: list[str]) -> None:
            subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)

        run(command)  # warm the file cache and check it works
        run(baseline)
        cli_time = _best_of(10, lambda: run(command))
        numpy_time = _best_of(10, lambda: run(baseline))
    ratio = cli_time / numpy_time
    return [
        Row(name, cli_time * 1e3, "ms", note="whole process, best of 10 runs"),
        Row('python -c "import numpy"', numpy_time * 1e3, "ms", note="best of 10 runs"),
        Row(
            "openqi spc / import numpy",
            ratio,
            "×",
            target=f"< {CLI_RATIO_TARGET}",
            is_met=ratio < CLI_RATIO_TARGET,
            note="start-up overhead of the command line",
        ),
    ]
