"""Benchmark of the p, u, p′, u′ and run chart batch forms against the
single-series charts."""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from bench.report import Row
from bench.spc import LOOP_SUBSET, _best_of

__all__ = ["attribute_batch_throughput", "realistic_attribute_series"]

#: The shape measured: 10,000 series × 60 months.
SHAPE = (10_000, 60)


def realistic_attribute_series(
    chart: str, n_series: int, n_periods: int, seed: int = 20240602
) -> dict[str, Any]:
    """Monthly proportions (``"p"``) or rates (``"u"``) like NHS indicators.

    Denominators spread like NHS activity (log-normal around 400, from tens to
    tens of thousands), each month within ±30 % of the series' size; levels of
    2–60 %, a step change in 40 % of the series, month-to-month wandering
    (over-dispersion) in 30 %; 1 % of the numerators missing and 10 % of the
    series shorter (both arrays NaN-padded at the end). Directions drawn
    evenly, a third without a target, shown as percentages (p) or per 1,000 (u).
    """
    rng = np.random.default_rng(seed)
    t = np.arange(n_periods)
    size = np.maximum(10.0, rng.lognormal(6.0, 1.2, n_series))
    den = np.round(size[:, None] * rng.uniform(0.7, 1.3, (n_series, n_periods)))
    level = rng.uniform(0.02, 0.6, n_series)
    step_at = rng.integers(n_periods // 4, n_periods, n_series)
    step = (rng.random(n_series) < 0.4) * rng.normal(0.0, 0.05, n_series)
    rate = level[:, None] + step[:, None] * (t[None, :] >= step_at[:, None])
    wander = (rng.random(n_series) < 0.3)[:, None] * rng.normal(
        0.0, 0.03, (n_series, n_periods)
    )
    rate = np.clip(rate + wander, 0.001, 0.99)
    if chart == "p":
        num = rng.binomial(den.astype(np.int64), rate).astype(float)
    else:
        num = rng.poisson(rate * den).astype(float)
    num[rng.random((n_series, n_periods)) < 0.01] = np.nan
    length = np.where(
        rng.random(n_series) < 0.1,
        rng.integers(n_periods // 2, n_periods, n_series),
        n_periods,
    )
    pad = t[None, :] >= length[:, None]
    num[pad] = np.nan
    den[pad] = np.nan
    multiply = 100.0 if chart == "p" else 1000.0
    target = level * (1 + rng.normal(0.0, 0.1, n_series)) * multiply
    target[rng.random(n_series) < 1 / 3] = np.nan
    return {
        "numerators": num,
        "denominators": den,
        "lengths": length,
        "improvement": rng.choice(
            np.array(["increase", "decrease", "neither"]), n_series
        ),
        "target": target,
        "multiply": multiply,
    }


def _loop(chart: str, data: dict[str, Any], n: int) -> list[Any]:
    """The baseline: the single chart (``p_chart``, ``u_chart``, ``pp_chart``,
    ``up_chart`` or ``run_chart``) on each of the first ``n`` series."""
    from openqi.spc.charts import CHARTS

    single = CHARTS[chart]
    results = []
    for s in range(n):
        k = int(data["lengths"][s])
        target = data["target"][s]
        options = {
            "improvement": str(data["improvement"][s]),
            "target": None if math.isnan(target) else float(target),
            "multiply": data["multiply"],
        }
        if chart == "run":
            results.append(
                single(
                    data["numerators"][s, :k],
                    denominators=data["denominators"][s, :k],
                    **options,
                )
            )
        else:
            results.append(
                single(
                    data["numerators"][s, :k], data["denominators"][s, :k], **options
                )
            )
    return results


def _batch_for(chart: str, data: dict[str, Any]) -> Any:
    """The batch call of ``chart`` on ``data``, ready to run."""
    from openqi.spc.batch_attribute import p_batch, pp_batch, u_batch, up_batch
    from openqi.spc.batch_run import run_batch

    if chart == "run":
        return functools.partial(
            run_batch,
            data["numerators"],
            data["denominators"],
            improvement=data["improvement"],
            target=data["target"],
            multiply=data["multiply"],
        )
    engine = {"p": p_batch, "u": u_batch, "pp": pp_batch, "up": up_batch}[chart]
    return functools.partial(
        engine,
        data["numerators"],
        data["denominators"],
        improvement=data["improvement"],
        target=data["target"],
        multiply=data["multiply"],
    )


def attribute_batch_throughput() -> list[Row]:
    """Points per second of ``p_batch``, ``u_batch``, ``pp_batch``, ``up_batch``
    and ``run_batch`` on 10,000 × 60, against a per-series loop over the single
    charts on the same data (the run chart plots the proportions)."""
    from openqi.spc.dispersion import is_overdispersion_warning
    from openqi.spc.results import ASSURANCES, RULES, SIGNALS, VARIATIONS

    n_series, n_periods = SHAPE
    shape = f"{n_series:,} × {n_periods}"
    points = n_series * n_periods
    rows = []
    for chart in ("p", "u", "pp", "up", "run"):
        data = realistic_attribute_series(
            "u" if chart in ("u", "up") else "p", n_series, n_periods
        )
        batch = _batch_for(chart, data)
        result = batch()  # warm-up, and the answer checked below
        batch_time = _best_of(7, batch)
        batch_rate = points / batch_time

        subset = min(n_series, LOOP_SUBSET)
        loop = functools.partial(_loop, chart, data, subset)
        singles = loop()
        loop_time = _best_of(2, loop)
        loop_rate = subset * n_periods / loop_time
        mismatches = 0
        for s, single in enumerate(singles):
            k = int(data["lengths"][s])
            code = int(result.assurance[s])
            mismatches += (
                tuple(single.rule) != tuple(RULES[c] for c in result.rule[s, :k])
                or tuple(single.signal)
                != tuple(SIGNALS[c] for c in result.signal[s, :k])
                or single.variation != VARIATIONS[result.variation[s]]
                or single.assurance != (None if code < 0 else ASSURANCES[code])
                or single.phases[0].centre != result.centre[s]
            )
            if chart == "run":
                mismatches += single.runs.crossings != result.crossings[s]
                continue
            is_over = any(is_overdispersion_warning(w) for w in single.warnings)
            mismatches += not np.array_equal(
                single.upper, result.upper[s, :k], equal_nan=True
            ) or is_over != bool(result.is_overdispersed[s])
        if chart == "run":
            what = "the Anhøj runs analysis and its shift rule, the median"
        elif chart in ("pp", "up"):
            what = "all rules, per-point limits widened by each series' σ_z"
        else:
            over = int(result.is_overdispersed.sum())
            what = (
                "all rules, per-point limits, over-dispersion test "
                f"({over:,} series over-dispersed)"
            )
        rows += [
            Row(
                f"{chart}_batch {shape}",
                batch_rate,
                "points/s",
                note=f"best of 7 runs, {batch_time * 1e3:.1f} ms; {what}, "
                "per-series improvement and target",
            ),
            Row(
                f"charts.{chart}_chart loop {shape}",
                loop_rate,
                "points/s",
                note=f"plain loop over the first {subset} series, best of 2, "
                f"extrapolated per point (≈ {points / loop_rate:.1f} s for all)",
            ),
            Row(
                f"{chart} speed-up {shape}",
                batch_rate / loop_rate,
                "× loop",
                target="same results",
                is_met=mismatches == 0,
                note=f"batch and loop agree on {subset - mismatches} of {subset} "
                "series (rules, signals, icons, centre"
                + (", crossings)" if chart == "run" else ", limits, over-dispersion)"),
            ),
        ]
    return rows
