"""Reference tests for the run chart and the attribute, g, t and MR charts.

Expected values come from outside OpenQI, named beside each one:

- Montgomery, *Introduction to Statistical Quality Control*, 6th ed. (2009):
  Example 7.1 / Table 7.1 (p chart), Example 7.3 / Table 7.7 (c chart),
  Example 7.4 / Table 7.10 (u chart), Example 7.6 / Table 7.14 (t chart). These are
  the data sets qicharts2 ships and tests (tests/testthat/test_montgomery.R:
  tbl_07.03, tbl_07.08, tbl_07.10, tbl_07.14); its reference results are binary
  .rds files, so the published textbook figures are used;
- the qicharts2 vignette "Quality Improvement Charts", Appendix 1 (formulas) and
  Appendix 2 (critical values for the Anhoej rules, n = 10..100);
- hand calculations written out in the tests;
- the independent packages ``shewhart`` (p_chart, u_chart, c_chart, laney_p,
  laney_u, run_chart), ``controlchartspy`` (the PowerBI-SPC engine) and
  ``scipy.stats.binom``, each guarded with ``pytest.importorskip``.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest

from openqi.spc.charts import (
    c_chart,
    g_chart,
    p_chart,
    pp_chart,
    run_chart,
    spc_chart,
    t_chart,
    u_chart,
    up_chart,
)

DATA = Path(__file__).parent / "data"
CC = "common_cause"


def _read(name: str) -> dict[str, list[float]]:
    with (DATA / name).open() as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    return {key: [float(row[key]) for row in rows] for key in rows[0]}


def _flagged(result: object) -> dict[int, str]:
    return {i: r for i, r in enumerate(result.rule) if r != CC}  # type: ignore[attr-defined]


def _ccpy(
    chart_type: str, numerators: list[float], denominators: list[float] | None = None
) -> list[dict]:
    """controlchartspy (PowerBI-SPC) per-point limits, in input order.

    Call: controlchartspy.spc(None, keys, numerators, denominators=denominators,
    spc_settings={"chart_type": chart_type}, return_objs="limits") with zero-padded
    string keys (its output is sorted by key).
    """
    ccpy = pytest.importorskip("controlchartspy")
    keys = [f"{i:04d}" for i in range(len(numerators))]
    out = ccpy.spc(
        None,
        keys,
        list(numerators),
        denominators=None if denominators is None else list(denominators),
        spc_settings={"chart_type": chart_type},
        return_objs="limits",
    )
    return sorted(out.limits, key=lambda row: row["date"])


def _rjz(shared_data: Path) -> dict[str, np.ndarray]:
    rows = []
    with (shared_data / "ae_attendances.csv").open() as handle:
        for row in csv.DictReader(handle):
            if row["org_code"] == "RJZ" and row["type"] == "1":
                rows.append(
                    (
                        row["period"],
                        float(row["attendances"]),
                        float(row["breaches"]),
                        float(row["admissions"]),
                    )
                )
    rows.sort()
    return {
        "period": np.array([r[0] for r in rows]),
        "attendances": np.array([r[1] for r in rows]),
        "breaches": np.array([r[2] for r in rows]),
        "admissions": np.array([r[3] for r in rows]),
    }


# ---------------------------------------------------------------------------
# p chart: Montgomery Example 7.1 (orange juice cans)
# ---------------------------------------------------------------------------


def test_p_chart_montgomery_example_7_1() -> None:
    # Montgomery (6th ed.) Example 7.1, Table 7.1: 30 samples of n = 50;
    # p-bar = 347/1500 = 0.2313, UCL = 0.2313 + 3 sqrt(0.2313 x 0.7687 / 50) = 0.4102,
    # LCL = 0.0524; samples 15 (p = 0.44) and 23 (p = 0.48) plot above the UCL.
    d = _read("montgomery_t7_1_orange_juice.csv")
    res = p_chart(d["nonconforming"], d["n"], improvement="decrease")
    pbar = 347 / 1500
    sigma = math.sqrt(pbar * (1 - pbar) / 50)
    assert np.allclose(res.centre, pbar)
    assert np.allclose(res.upper, pbar + 3 * sigma)
    assert np.allclose(res.lower, pbar - 3 * sigma)
    assert round(res.centre[0], 4) == 0.2313
    assert round(res.upper[0], 4) == 0.4102 and round(res.lower[0], 4) == 0.0524
    assert {i for i, r in _flagged(res).items() if r == "outside_limits"} == {14, 22}
    # Fewer nonconforming cans is better, so high points are concerns.
    assert res.signal[14] == res.signal[22] == "concern"


def test_p_chart_montgomery_revised_limits_excluding_15_and_23() -> None:
    # Montgomery (6th ed.) Example 7.1, revised limits after removing samples 15 and
    # 23 (assignable causes): p-bar = 301/1400 = 0.2150, UCL = 0.3893, LCL = 0.0407.
    # qicharts2 test_montgomery.R, "Example 7.1": exclude = c(15, 23).
    d = _read("montgomery_t7_1_orange_juice.csv")
    res = p_chart(d["nonconforming"], d["n"], exclude=["15", "23"])
    pbar = 301 / 1400
    sigma = math.sqrt(pbar * (1 - pbar) / 50)
    assert np.allclose(res.centre, pbar)
    assert round(res.upper[0], 4) == 0.3893 and round(res.lower[0], 4) == 0.0407
    assert np.allclose(res.upper, pbar + 3 * sigma)
    assert [e.period for e in res.excluded] == ["15", "23"]
    assert res.values[14] == pytest.approx(0.44)  # still plotted


def test_p_chart_against_shewhart_and_multiply() -> None:
    # shewhart.p_chart(nonconforming, size=50) -> stats p_center 0.2313333,
    # p_lcl 0.0524275, p_ucl 0.4102391 (same formula, no constants to differ).
    shewhart = pytest.importorskip("shewhart")
    d = _read("montgomery_t7_1_orange_juice.csv")
    ref = shewhart.p_chart(d["nonconforming"], size=50).stats
    res = p_chart(d["nonconforming"], d["n"])
    assert res.centre[0] == pytest.approx(ref["p_center"], rel=1e-12)
    assert res.lower[0] == pytest.approx(ref["p_lcl"], rel=1e-12)
    assert res.upper[0] == pytest.approx(ref["p_ucl"], rel=1e-12)
    # multiply = 100 gives percentages: 23.13 %, limits 5.24 % / 41.02 %.
    pct = p_chart(d["nonconforming"], d["n"], multiply=100)
    assert pct.centre[0] == pytest.approx(100 * ref["p_center"])
    assert pct.upper[0] == pytest.approx(100 * ref["p_ucl"])
    assert pct.values[0] == pytest.approx(24.0)  # 12/50
    assert _flagged(pct) == _flagged(res)


def test_p_chart_varying_sizes_against_shewhart(shared_data: Path) -> None:
    # Per-point limits with varying n: shewhart.p_chart(within4h, size=attendances)
    # .table["lcl"/"ucl"], for RJZ type 1 A&E (36 months of ae_attendances).
    shewhart = pytest.importorskip("shewhart")
    rjz = _rjz(shared_data)
    num = rjz["attendances"] - rjz["breaches"]
    ref = shewhart.p_chart(list(num), size=list(rjz["attendances"])).table
    res = p_chart(num, rjz["attendances"], list(rjz["period"]))
    assert np.allclose(res.lower, ref["lcl"].to_numpy(), rtol=1e-12)
    assert np.allclose(res.upper, ref["ucl"].to_numpy(), rtol=1e-12)
    # Hand: p-bar = sum(within 4 h) / sum(attendances).
    assert res.centre[0] == pytest.approx(num.sum() / rjz["attendances"].sum())


def test_p_chart_limits_clipped_to_0_and_1() -> None:
    # Contract: p limits clipped to [0, 1]. Hand: low p-bar = 4/50 = 0.08 with n = 10,
    # sigma = sqrt(0.08 x 0.92 / 10) = 0.08579, 0.08 - 0.2574 < 0 -> 0;
    # high p-bar = 46/50 = 0.92, 0.92 + 0.2574 > 1 -> 1.
    low = p_chart([0, 1, 0, 2, 1], [10] * 5)
    assert np.allclose(low.lower, 0.0)
    assert np.allclose(low.upper, 0.08 + 3 * math.sqrt(0.08 * 0.92 / 10))
    high = p_chart([10, 9, 10, 8, 9], [10] * 5)
    assert np.allclose(high.upper, 1.0)
    assert np.allclose(high.lower, 0.92 - 3 * math.sqrt(0.08 * 0.92 / 10))


def test_p_chart_bad_input() -> None:
    # Contract: a numerator above its denominator for a proportion, or a zero
    # denominator, is an error.
    with pytest.raises(ValueError):
        p_chart([5, 11], [10, 10])
    with pytest.raises(ValueError):
        p_chart([0, 1], [0, 10])


def test_p_chart_rebase_has_its_own_centre() -> None:
    # Contract: phases work for every chart. Samples 1-15 and 16-30 of Table 7.1:
    # hand p-bar 1 = 167/750 = 0.222667, p-bar 2 = 180/750 = 0.24.
    d = _read("montgomery_t7_1_orange_juice.csv")
    assert sum(d["nonconforming"][:15]) == 167
    res = p_chart(d["nonconforming"], d["n"], rebase=["16"])
    assert np.allclose(res.centre[:15], 167 / 750)
    assert np.allclose(res.centre[15:], 180 / 750)
    assert len(res.phases) == 2


# ---------------------------------------------------------------------------
# u chart: Montgomery Example 7.4 (personal computers)
# ---------------------------------------------------------------------------


def test_u_chart_montgomery_example_7_4() -> None:
    # Montgomery (6th ed.) Example 7.4, Table 7.10: 193 nonconformities in 20
    # samples of 5 computers; u-bar = 1.93, UCL = 1.93 + 3 sqrt(1.93/5) = 3.79,
    # LCL = 0.07; the process is in control.
    d = _read("montgomery_t7_10_personal_computers.csv")
    res = u_chart(d["nonconformities"], d["n"])
    assert np.allclose(res.centre, 1.93)
    assert np.allclose(res.upper, 1.93 + 3 * math.sqrt(1.93 / 5))
    assert np.allclose(res.lower, 1.93 - 3 * math.sqrt(1.93 / 5))
    assert round(res.upper[0], 2) == 3.79 and round(res.lower[0], 2) == 0.07
    assert not any(r == "outside_limits" for r in res.rule)
    # shewhart.u_chart(counts, size=5) -> u_center 1.93, u_lcl 0.066133, u_ucl 3.793867.
    shewhart = pytest.importorskip("shewhart")
    ref = shewhart.u_chart(d["nonconformities"], size=5).stats
    assert res.upper[0] == pytest.approx(ref["u_ucl"], rel=1e-12)
    assert res.lower[0] == pytest.approx(ref["u_lcl"], rel=1e-12)


def test_u_chart_varying_sizes_and_lower_bound() -> None:
    # Hand: counts 2, 0, 5, 1 over sizes 1, 2, 4, 1 -> u-bar = 8/8 = 1;
    # sigma_i = sqrt(1/n_i): lower 1 - 3 = -2 -> 0 for n = 1; upper 4, 3.1213, 2.5, 4.
    res = u_chart([2, 0, 5, 1], [1, 2, 4, 1])
    assert np.allclose(res.centre, 1.0)
    assert np.allclose(res.upper, [4.0, 1 + 3 / math.sqrt(2), 2.5, 4.0])
    assert np.allclose(res.lower, 0.0)
    # shewhart.u_chart(counts, size=sizes).table["ucl"] gives the same per-point limits.
    shewhart = pytest.importorskip("shewhart")
    table = shewhart.u_chart([2, 0, 5, 1], size=[1, 2, 4, 1]).table
    assert np.allclose(res.upper, table["ucl"].to_numpy())


# ---------------------------------------------------------------------------
# c chart: Montgomery Example 7.3 (printed circuit boards)
# ---------------------------------------------------------------------------


def test_c_chart_montgomery_example_7_3() -> None:
    # Montgomery (6th ed.) Example 7.3, Table 7.7: 516 nonconformities in 26
    # samples; c-bar = 19.85, UCL = 19.85 + 3 sqrt(19.85) = 33.22, LCL = 6.48;
    # sample 6 (5) is below the LCL and sample 20 (39) above the UCL.
    d = _read("montgomery_t7_7_circuit_boards.csv")
    res = c_chart(d["nonconformities"], improvement="decrease")
    cbar = 516 / 26
    assert np.allclose(res.centre, cbar)
    assert np.allclose(res.upper, cbar + 3 * math.sqrt(cbar))
    assert np.allclose(res.lower, cbar - 3 * math.sqrt(cbar))
    # Montgomery rounds c-bar to 19.85 first: 19.85 + 3 sqrt(19.85) = 33.216.
    assert res.upper[0] == pytest.approx(33.22, abs=0.01)
    assert res.lower[0] == pytest.approx(6.48, abs=0.01)
    assert {i for i, r in _flagged(res).items() if r == "outside_limits"} == {5, 19}
    assert res.signal[5] == "improvement" and res.signal[19] == "concern"
    # controlchartspy.spc(None, keys, counts, spc_settings={"chart_type": "c"}) ->
    # target 19.846154, ll99 6.481447, ul99 33.210861.
    ref = _ccpy("c", d["nonconformities"])
    assert res.upper[0] == pytest.approx(ref[0]["ul99"], rel=1e-12)
    assert res.lower[0] == pytest.approx(ref[0]["ll99"], rel=1e-12)


def test_c_chart_montgomery_revised_limits() -> None:
    # Montgomery (6th ed.) Example 7.3, revised after samples 6 and 20 are removed:
    # c-bar = 472/24 = 19.67, UCL = 32.97, LCL = 6.36 (qicharts2 test_montgomery.R,
    # "Example 7.3": exclude = c(6, 20)).
    d = _read("montgomery_t7_7_circuit_boards.csv")
    res = c_chart(d["nonconformities"], exclude=["6", "20"])
    cbar = 472 / 24
    assert np.allclose(res.centre, cbar)
    assert res.upper[0] == pytest.approx(32.97, abs=0.005)
    assert res.lower[0] == pytest.approx(6.36, abs=0.005)
    assert [e.period for e in res.excluded] == ["6", "20"]


def test_c_chart_lower_limit_not_negative_and_fix_after() -> None:
    # Hand: counts with mean 4 -> 4 - 3 x 2 = -2 -> 0; upper 10.
    res = c_chart([3, 5, 4, 2, 6, 4, 3, 5, 4, 2, 6, 4, 3, 5])
    assert np.allclose(res.centre, 4.0)
    assert np.allclose(res.lower, 0.0)
    assert np.allclose(res.upper, 10.0)
    # fix_after = 26 on Table 7.7 plus four later samples of 30: centre and limits
    # stay those of the first 26 samples (c-bar 19.846). The 30s lie between the
    # 2-sigma line 19.846 + 2 x 4.455 = 28.76 and the UCL 33.21, so two-of-three
    # (contract: the rules apply to every chart) flags all four.
    d = _read("montgomery_t7_7_circuit_boards.csv")
    frozen = c_chart(d["nonconformities"] + [30.0] * 4, fix_after=26)
    assert np.allclose(frozen.centre, 516 / 26)
    assert np.allclose(frozen.upper, 516 / 26 + 3 * math.sqrt(516 / 26))
    assert frozen.phases[0].n_baseline == 26
    assert frozen.rule[-4:] == ("two_of_three",) * 4


# ---------------------------------------------------------------------------
# Laney p' and u' charts
# ---------------------------------------------------------------------------


def test_pp_chart_laney_hand_and_shewhart(shared_data: Path) -> None:
    # RJZ type 1 A&E, proportion seen within 4 hours (very large n: over-dispersed).
    # Contract / Laney (2002): z_i = (p_i - p-bar)/sigma_i, sigma_z = mean|dz|/1.128,
    # limits p-bar +/- 3 sigma_i sigma_z clipped to [0, 1]. Written out here:
    rjz = _rjz(shared_data)
    n = rjz["attendances"]
    y = n - rjz["breaches"]
    pbar = y.sum() / n.sum()
    sigma = np.sqrt(pbar * (1 - pbar) / n)
    z = (y / n - pbar) / sigma
    sigma_z = np.mean(np.abs(np.diff(z))) / 1.128
    res = pp_chart(y, n, list(rjz["period"]))
    assert np.allclose(res.centre, pbar)
    assert np.allclose(res.upper, np.minimum(1, pbar + 3 * sigma * sigma_z), rtol=1e-10)
    assert np.allclose(res.lower, np.maximum(0, pbar - 3 * sigma * sigma_z), rtol=1e-10)
    assert sigma_z > 8  # heavily over-dispersed: prime limits much wider than p
    p = p_chart(y, n)
    assert np.all(res.upper - res.lower > p.upper - p.lower)
    # shewhart.laney_p(y, size=n) -> p_center 0.734777, sigma_z 8.688278; it divides by
    # d2 = 2/sqrt(pi) = 1.128379 instead of 1.128 (relative 3.4e-4), hence rel = 1e-3.
    shewhart = pytest.importorskip("shewhart")
    ref = shewhart.laney_p(list(y), size=list(n))
    assert res.centre[0] == pytest.approx(ref.stats["p_center"], rel=1e-12)
    assert np.allclose(res.upper - pbar, ref.table["ucl"].to_numpy() - pbar, rtol=1e-3)


def test_up_chart_laney_hand_and_shewhart(shared_data: Path) -> None:
    # RJZ type 1 A&E admissions per attendance. u-bar = sum(adm)/sum(att),
    # sigma_i = sqrt(u-bar/n_i), z and sigma_z as for p'; lower limit >= 0.
    rjz = _rjz(shared_data)
    n = rjz["attendances"]
    y = rjz["admissions"]
    ubar = y.sum() / n.sum()
    sigma = np.sqrt(ubar / n)
    z = (y / n - ubar) / sigma
    sigma_z = np.mean(np.abs(np.diff(z))) / 1.128
    res = up_chart(y, n)
    assert np.allclose(res.centre, ubar)
    assert np.allclose(res.upper, ubar + 3 * sigma * sigma_z, rtol=1e-10)
    assert np.allclose(res.lower, np.maximum(0, ubar - 3 * sigma * sigma_z), rtol=1e-10)
    # shewhart.laney_u(adm, size=att) -> u_center 0.266081, sigma_z 2.136893 (d2 =
    # 1.128379, so rel = 1e-3 on the half-width).
    shewhart = pytest.importorskip("shewhart")
    ref = shewhart.laney_u(list(y), size=list(n))
    assert res.centre[0] == pytest.approx(ref.stats["u_center"], rel=1e-12)
    assert np.allclose(res.upper - ubar, ref.table["ucl"].to_numpy() - ubar, rtol=1e-3)
    # controlchartspy.spc(None, keys, adm, denominators=att,
    # spc_settings={"chart_type": "up"}) -> target 0.266081, ul99 of the first month
    # 0.291687 (same formula, its own d2): rel = 1e-3 on the half-width.
    ccref = _ccpy("up", list(y), list(n))
    assert np.allclose(
        res.upper - ubar, np.array([r["ul99"] for r in ccref]) - ubar, rtol=1e-3
    )


def test_prime_chart_equals_plain_chart_when_sigma_z_is_one() -> None:
    # Laney (2002), quoted in the qicharts2 vignette: "when over-dispersion is not
    # present, prime charts will give the same results as traditional charts".
    # Hand: equal n = 100, p = 0.2 +/- e with alternating z = +/- s: mean|dz| = 2s; choose
    # e so that 2s/1.128 = 1, i.e. s = 0.564, e = 0.564 x sqrt(0.2 x 0.8 / 100) = 0.02256.
    e = 0.564 * math.sqrt(0.16 / 100)
    num = [100 * (0.2 + e), 100 * (0.2 - e)] * 10
    den = [100.0] * 20
    assert np.allclose(pp_chart(num, den).upper, p_chart(num, den).upper)


# ---------------------------------------------------------------------------
# g and t charts
# ---------------------------------------------------------------------------


def test_g_chart_limits_and_median_centre() -> None:
    # qicharts2 vignette Appendix 1: G = x-bar +/- 3 sqrt(x-bar (x-bar + 1)); centre line
    # the median. Data: Montgomery Table 7.14 hours, used as counts between events.
    # Hand: mean = 14201/20 = 710.05; upper = 710.05 + 3 sqrt(710.05 x 711.05)
    # = 2841.6995; lower < 0 -> 0; median = (492 + 536)/2 = 514.
    hours = _read("montgomery_t7_14_valve_failures.csv")["hours"]
    assert sum(hours) == 14201
    res = g_chart(hours)
    assert np.allclose(res.centre, 514.0)
    assert np.allclose(res.upper, 710.05 + 3 * math.sqrt(710.05 * 711.05))
    assert np.allclose(res.lower, 0.0)
    # controlchartspy.spc(None, keys, hours, spc_settings={"chart_type": "g"}) ->
    # target 514 (median), ll99 0, ul99 2841.6994722.
    ref = _ccpy("g", hours)
    assert res.upper[0] == pytest.approx(ref[0]["ul99"], rel=1e-12)
    assert res.centre[0] == pytest.approx(ref[0]["target"])


def test_t_chart_montgomery_example_7_6() -> None:
    # Montgomery (6th ed.) Example 7.6: time between valve failures, transformed
    # x = y^(1/3.6) = y^0.2777, individuals chart on x: centre 5.39, UCL 11.67,
    # LCL -0.89. Contract: limits transformed back (^3.6), lower >= 0, y > 0.
    hours = np.array(_read("montgomery_t7_14_valve_failures.csv")["hours"])
    x = hours ** (1 / 3.6)
    xbar = x.mean()
    amr = np.mean(np.abs(np.diff(x)))  # no MR >= 3.267 x AMR: largest 7.320 < 7.713
    assert np.max(np.abs(np.diff(x))) < 3.267 * amr
    assert round(xbar, 2) == 5.39 and round(xbar + 2.66 * amr, 2) == 11.67
    assert round(xbar - 2.66 * amr, 2) == -0.89
    res = t_chart(hours)
    assert np.allclose(res.centre, xbar**3.6)  # 430.04 hours
    assert np.allclose(res.upper, (xbar + 2.66 * amr) ** 3.6)  # 6940.08 hours
    assert np.allclose(res.lower, 0.0)
    # controlchartspy.spc(None, keys, hours, spc_settings={"chart_type": "t"}) ->
    # target 430.040952, ul99 6937.933 (3/1.128 instead of 2.66 on the transformed
    # scale: 11.6693 vs 11.6657, x 3.6 in the power -> relative 1.1e-3).
    ref = _ccpy("t", list(hours))
    assert res.centre[0] == pytest.approx(ref[0]["target"], rel=1e-12)
    assert res.upper[0] == pytest.approx(ref[0]["ul99"], rel=2e-3)


def test_t_chart_needs_positive_times() -> None:
    # Contract: "y must be > 0".
    with pytest.raises(ValueError):
        t_chart([10.0, 0.0, 5.0, 7.0])


# ---------------------------------------------------------------------------
# Run charts and the Anhoej rules
# ---------------------------------------------------------------------------


def _anhoej_table() -> list[tuple[int, int, int]]:
    d = _read("anhoej_critical_values.csv")
    return [
        (int(n), int(r), int(c))
        for n, r, c in zip(
            d["useful"], d["longest_run_max"], d["crossings_min"], strict=True
        )
    ]


def test_anhoej_table_matches_formulas() -> None:
    # qicharts2 vignette Appendix 2 (n = 10..100) against the formulas it states:
    # round(log2(n) + 3) and qbinom(0.05, n - 1, 0.5) = scipy.stats.binom.ppf.
    stats = pytest.importorskip("scipy.stats")
    for n, run_max, cross_min in _anhoej_table():
        assert round(math.log2(n) + 3) == run_max
        assert int(stats.binom.ppf(0.05, n - 1, 0.5)) == cross_min


def _series_with_useful(n: int, rng: np.random.Generator) -> list[float]:
    """n useful points: k below, 2 on the median when n is odd, the rest above."""
    if n % 2 == 0:
        vals = list(-rng.uniform(1, 2, n // 2)) + list(rng.uniform(1, 2, n // 2))
    else:
        k = (n - 1) // 2
        # k below, two zeros, k + 1 above: 2k + 3 points, middle two sorted are 0.
        vals = list(-rng.uniform(1, 2, k)) + [0.0, 0.0] + list(rng.uniform(1, 2, k + 1))
    rng.shuffle(vals)
    return vals


def test_run_chart_thresholds_follow_published_table() -> None:
    rng = np.random.default_rng(20240101)
    for n, run_max, cross_min in _anhoej_table():
        res = run_chart(_series_with_useful(n, rng))
        assert res.runs is not None
        assert res.runs.useful == n
        assert res.runs.longest_run_max == run_max, n
        assert res.runs.crossings_min == cross_min, n


def test_run_chart_counts_hand() -> None:
    # Hand: values 1..20, median 10.5, 20 useful points; one run of 10 below and one
    # of 10 above -> longest run 10 > 7, crossings 1 < 6 (table, n = 20): signal.
    res = run_chart(list(range(1, 21)))
    assert np.allclose(res.centre, 10.5)
    r = res.runs
    assert (
        r.useful,
        r.longest_run,
        r.longest_run_max,
        r.crossings,
        r.crossings_min,
    ) == (
        20,
        10,
        7,
        1,
        6,
    )
    assert r.is_long_run and r.is_few_crossings and r.is_signal
    summary = res.to_dict()["summary"]["runs"]
    assert summary["longest_run"] == 10 and summary["crossings_min"] == 6
    assert summary["signal"] is True


def test_run_chart_points_on_median_not_counted() -> None:
    # qicharts2 vignette: "Data points that fall on the centre line neither break nor
    # contribute to the run". Hand: 1, 2, 3, 3, 3, 4, 5: median 3, three points on it,
    # useful 4; signs - - + + -> longest run 2, crossings 1.
    res = run_chart([1, 2, 3, 3, 3, 4, 5])
    assert res.centre[0] == 3.0
    assert (res.runs.useful, res.runs.longest_run, res.runs.crossings) == (4, 2, 1)
    # Alternating sides: 11 useful of 11, longest run 1, crossings 10: no signal.
    alt = run_chart([1, 9, 2, 8, 3, 7, 1, 9, 2, 8, 5.5])
    assert alt.runs.crossings >= 9 and not alt.runs.is_signal


def test_run_chart_against_shewhart() -> None:
    # shewhart.run_chart(x) -> stats median and runs_about_median (runs counted with
    # points on the median dropped) = crossings + 1 in Anhoej's terms.
    shewhart = pytest.importorskip("shewhart")
    x = _read("montgomery_t6_7_loan_costs.csv")["cost"]
    ref = shewhart.run_chart(x).stats
    res = run_chart(x)
    assert res.centre[0] == pytest.approx(ref["median"])
    assert res.runs.crossings == int(ref["runs_about_median"]) - 1


def test_run_chart_denominators_and_multiply() -> None:
    # Values are numerator / denominator x multiply: 1/10, 2/10, 3/10, 4/10 x 100 ->
    # 10, 20, 30, 40; median 25.
    res = run_chart([1, 2, 3, 4], denominators=[10, 10, 10, 10], multiply=100)
    assert np.allclose(res.values, [10, 20, 30, 40])
    assert np.allclose(res.centre, 25.0)


def test_run_chart_rebase_has_own_median() -> None:
    res = run_chart([1, 2, 3, 4, 5, 11, 12, 13, 14, 15], rebase=["6"])
    assert np.allclose(res.centre, [3.0] * 5 + [13.0] * 5)
    assert len(res.phases) == 2


# ---------------------------------------------------------------------------
# Dispatch
# ---------------------------------------------------------------------------


def test_spc_chart_dispatch() -> None:
    d = _read("montgomery_t7_1_orange_juice.csv")
    c = _read("montgomery_t7_7_circuit_boards.csv")["nonconformities"]
    hours = _read("montgomery_t7_14_valve_failures.csv")["hours"]
    pairs = [
        (
            spc_chart("p", d["nonconforming"], denominators=d["n"]),
            p_chart(d["nonconforming"], d["n"]),
        ),
        (
            spc_chart("u", d["nonconforming"], denominators=d["n"]),
            u_chart(d["nonconforming"], d["n"]),
        ),
        (
            spc_chart("pp", d["nonconforming"], denominators=d["n"]),
            pp_chart(d["nonconforming"], d["n"]),
        ),
        (
            spc_chart("up", d["nonconforming"], denominators=d["n"]),
            up_chart(d["nonconforming"], d["n"]),
        ),
        (spc_chart("c", c), c_chart(c)),
        (spc_chart("g", hours), g_chart(hours)),
        (spc_chart("t", hours), t_chart(hours)),
        (spc_chart("run", c), run_chart(c)),
    ]
    for a, b in pairs:
        assert a.chart == b.chart
        assert np.allclose(a.upper, b.upper, equal_nan=True)
        assert np.allclose(a.centre, b.centre, equal_nan=True)
    with_options = spc_chart("c", c, improvement="decrease", exclude=["6", "20"])
    assert np.allclose(with_options.centre, 472 / 24)
    with pytest.raises(ValueError):
        spc_chart("nonsense", c)


# ---------------------------------------------------------------------------
# p' and u' screen the moving ranges of the z-scores, as qicharts2 does
# ---------------------------------------------------------------------------

LANEY_Y = [520, 505, 498, 510, 640, 502, 515, 507, 499, 511]


def _laney_by_hand(y: list[float], n: list[float], *, proportion: bool, screen: bool):
    """Laney (2002) written out, with qicharts2 0.8.1's screening of the z moving ranges.

    qicharts2 ``qic.pp``/``qic.up``: z_i = (y_i/n_i - cl)/stdev_i; mr = |diff(z)|;
    amr = mean(mr); if the option qic.screenedmr is TRUE (its .onAttach sets it):
    mr = mr[mr < 3.267 * amr], amr = mean(mr); sigma_z = amr / 1.128.
    """
    centre = sum(y) / sum(n)
    sd = [math.sqrt((centre * (1 - centre) if proportion else centre) / ni) for ni in n]
    z = [(yi / ni - centre) / si for yi, ni, si in zip(y, n, sd, strict=True)]
    mr = [abs(b - a) for a, b in zip(z, z[1:], strict=False)]
    amr = sum(mr) / len(mr)
    if screen:
        kept = [m for m in mr if m < 3.267 * amr]
        amr = sum(kept) / len(kept)
    sigma_z = amr / 1.128
    return (
        centre,
        [centre - 3 * s * sigma_z for s in sd],
        [centre + 3 * s * sigma_z for s in sd],
    )


def test_pp_chart_screens_z_moving_ranges_as_qicharts2() -> None:
    # qicharts2 0.8.1 (attached, so qic.screenedmr = TRUE):
    # qic(1:10, y, n = rep(1000, 10), chart = "pp") -> limits 0.4922 to 0.5492.
    # By hand: p-bar = 5207/10000; the z moving ranges into and out of 640
    # (8.23 and 8.74 against a mean of 2.412; 3.267 x 2.412 = 7.88) are dropped.
    n = [1000.0] * 10
    r = pp_chart(LANEY_Y, n)
    assert round(float(r.lower[0]), 4) == 0.4922
    assert round(float(r.upper[0]), 4) == 0.5492
    centre, lower, upper = _laney_by_hand(LANEY_Y, n, proportion=True, screen=True)
    assert r.centre[0] == pytest.approx(centre, rel=1e-12)
    assert np.allclose(r.lower, lower, rtol=1e-12)
    assert np.allclose(r.upper, upper, rtol=1e-12)
    # Unscreened (screen=False; Laney's own sigma_z): 0.4193 to 0.6221.
    raw = pp_chart(LANEY_Y, n, screen=False)
    assert (round(float(raw.lower[0]), 4), round(float(raw.upper[0]), 4)) == (
        0.4193,
        0.6221,
    )
    _, lower, upper = _laney_by_hand(LANEY_Y, n, proportion=True, screen=False)
    assert np.allclose(raw.upper, upper, rtol=1e-12)
    assert r.options["screen"] is True and raw.options["screen"] is False


def test_up_chart_screens_z_moving_ranges_as_qicharts2() -> None:
    # Same counts as events over varying exposure, u' by hand as above (qicharts2
    # qic.up has the same screening step as qic.pp).
    n = [10_000.0, 9_800.0, 10_100.0, 9_900.0, 10_200.0] * 2
    r = up_chart(LANEY_Y, n)
    centre, lower, upper = _laney_by_hand(LANEY_Y, n, proportion=False, screen=True)
    assert r.centre[0] == pytest.approx(centre, rel=1e-12)
    assert np.allclose(r.upper, upper, rtol=1e-12)
    assert np.allclose(r.lower, np.maximum(lower, 0), rtol=1e-12)
    raw = up_chart(LANEY_Y, n, screen=False)
    _, _, upper_raw = _laney_by_hand(LANEY_Y, n, proportion=False, screen=False)
    assert np.allclose(raw.upper, upper_raw, rtol=1e-12)
    assert (raw.upper - raw.centre > r.upper - r.centre).all()


def test_prime_charts_take_screen_through_spc_chart() -> None:
    n = [1000] * 10
    assert spc_chart("pp", LANEY_Y, n, screen=False).options["screen"] is False
    assert spc_chart("up", LANEY_Y, n).options["screen"] is True
