"""Over-dispersion of p and u chart data: openqi.spc.overdispersion and the chart warning.

Expected values:

- the Pearson chi-square dispersion statistic Σz² on n − 1 degrees of freedom
  (Spiegelhalter, "Handling over-dispersion of performance indicators",
  *Qual Saf Health Care* 14, 2005) and Laney's σ_z (Laney, *Quality
  Engineering* 14(4), 2002), written out by hand in each test;
- chi-square tail probabilities from published tables (5% points);
- real data: RJZ (King's College Hospital) type 1 A&E four-hour breaches out of
  attendances, April 2016 – March 2019 (NHSRdatasets ``ae_attendances``, in
  ``openqi/data``), which are heavily over-dispersed (φ ≈ 390).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest

import openqi.spc as spc
from openqi.spc import (
    MIN_DISPERSION_POINTS,
    Dispersion,
    overdispersion,
    p_chart,
    pp_chart,
    u_chart,
    up_chart,
)
from openqi.spc.dispersion import is_overdispersion_warning

# Twelve months of 1,000 cases around p = 0.2: deviations d from 200 chosen by
# hand, summing to 0 so that p-bar = 2400/12000 = 0.2 exactly.
DEVIATIONS = [0, 13, -13, 6, -6, 10, -10, 3, -3, 8, -8, 0]
BINOMIAL_LIKE = [200 + d for d in DEVIATIONS]


def _rjz(shared_data: Path) -> tuple[list[float], list[float]]:
    rows = []
    with (shared_data / "ae_attendances.csv").open() as handle:
        for row in csv.DictReader(handle):
            if row["org_code"] == "RJZ" and row["type"] == "1":
                rows.append(
                    (row["period"], float(row["breaches"]), float(row["attendances"]))
                )
    rows.sort()
    return [r[1] for r in rows], [r[2] for r in rows]


def test_public_interface() -> None:
    assert {"overdispersion", "Dispersion", "MIN_DISPERSION_POINTS"} <= set(spc.__all__)
    assert MIN_DISPERSION_POINTS == 12
    fields = list(Dispersion.__dataclass_fields__)
    assert fields == [
        "sigma_z",
        "ratio",
        "p_value",
        "points",
        "is_assessed",
        "is_overdispersed",
        "message",
    ]


def test_binomial_like_series_is_not_flagged_by_hand() -> None:
    # sigma_i = sqrt(1000 x 0.2 x 0.8) / 1000 = sqrt(160)/1000, so z_i = d_i / sqrt(160).
    # Sum z^2 = (2 x (169 + 36 + 100 + 9 + 64)) / 160 = 756 / 160 = 4.725;
    # phi = 4.725 / 11 = 0.429545. Below the 5% point of chi2(11) (19.675) by far:
    # p = P(chi2(11) >= 4.725) = 0.94375 (SciPy 1.17: chi2.sf(4.725, 11) = 0.9437497).
    # Moving ranges of d: 13 26 19 12 16 20 13 6 11 16 8, sum 160, mean 160/11;
    # none >= 3.267 x mean; sigma_z = (160/11) / sqrt(160) / 1.128 = 1.019460.
    d = overdispersion(BINOMIAL_LIKE, [1000] * 12)
    assert d.points == 12 and d.is_assessed
    assert d.ratio == pytest.approx(756 / 160 / 11, rel=1e-12)
    assert d.p_value == pytest.approx(0.9437497, abs=1e-7)
    assert d.sigma_z == pytest.approx((160 / 11) / math.sqrt(160) / 1.128, rel=1e-12)
    assert not d.is_overdispersed and d.message == ""
    # sigma_z is above 1 here, so it is the chi-square test that keeps the verdict.
    assert d.sigma_z > 1


def test_binomial_data_are_seldom_flagged() -> None:
    # Binomial counts (p = 0.2, n = 100..2000), 400 series of 24 months: the
    # test's 1% level with sigma_z > 1 should flag about 1%; allow up to 3%.
    rng = np.random.default_rng(2026)
    flagged = 0
    for _ in range(400):
        n = rng.integers(100, 2000, 24)
        flagged += overdispersion(rng.binomial(n, 0.2), n).is_overdispersed
    assert flagged <= 12


def test_rjz_ae_breaches_are_overdispersed(shared_data: Path) -> None:
    breaches, attendances = _rjz(shared_data)
    assert len(breaches) == 36
    # By hand (Spiegelhalter 2005; Laney 2002): pooled p, z-scores, phi, sigma_z.
    y, n = np.array(breaches), np.array(attendances)
    p = y.sum() / n.sum()
    z = (y / n - p) / np.sqrt(p * (1 - p) / n)
    mr = np.abs(np.diff(z))
    amr = mr.mean()
    amr = mr[mr < 3.267 * amr].mean()
    d = overdispersion(breaches, attendances)
    assert d.ratio == pytest.approx((z**2).sum() / 35, rel=1e-9)
    assert d.sigma_z == pytest.approx(amr / 1.128, rel=1e-9)
    assert d.ratio > 100 and d.sigma_z > 5
    assert d.p_value < 1e-12
    assert d.is_overdispersed
    assert "p′" in d.message and "p chart" in d.message
    assert d.message.count(".") == 1 and d.message.endswith("instead.")


def test_p_chart_warns_and_suggests_p_prime(shared_data: Path) -> None:
    breaches, attendances = _rjz(shared_data)
    r = p_chart(breaches, attendances)
    found = [w for w in r.warnings if is_overdispersion_warning(w)]
    assert found == [overdispersion(breaches, attendances).message]
    # Most points are "special cause" on the p chart; p' is the remedy and does
    # not warn.
    assert sum(rule != "common_cause" for rule in r.rule) > 18
    assert not any(
        is_overdispersion_warning(w) for w in pp_chart(breaches, attendances).warnings
    )
    # The warning travels in the JSON summary too.
    assert found[0] in r.to_dict()["summary"]["warnings"]


def test_binomial_like_p_chart_has_no_warning() -> None:
    r = p_chart(BINOMIAL_LIKE, [1000] * 12)
    assert not any(is_overdispersion_warning(w) for w in r.warnings)


def test_u_chart_warns_and_suggests_u_prime(shared_data: Path) -> None:
    # Admissions per attendance at RJZ: a rate with huge exposure.
    rows = []
    with (shared_data / "ae_attendances.csv").open() as handle:
        for row in csv.DictReader(handle):
            if row["org_code"] == "RJZ" and row["type"] == "1":
                rows.append(
                    (row["period"], float(row["admissions"]), float(row["attendances"]))
                )
    rows.sort()
    admissions, attendances = [r[1] for r in rows], [r[2] for r in rows]
    d = overdispersion(admissions, attendances, chart="u")
    assert d.is_overdispersed and "u′" in d.message and "u chart" in d.message
    assert d.message in u_chart(admissions, attendances).warnings
    assert not any(
        is_overdispersion_warning(w) for w in up_chart(admissions, attendances).warnings
    )


def test_poisson_like_rates_by_hand() -> None:
    # u-bar = 1200 / 12000 = 0.1 events per unit; n = 1000 so sigma = sqrt(0.1/1000)
    # = 0.01 and z_i = (y_i - 100)/10: counts 100 ± (0, 10, -10, 5, -5, 0...)
    y = [100, 110, 90, 105, 95, 100, 110, 90, 105, 95, 100, 100]
    d = overdispersion(y, [1000] * 12, chart="u")
    # Sum z^2 = 2 x (1 + 1 + 0.25 + 0.25) = 5; phi = 5/11.
    assert d.ratio == pytest.approx(5 / 11, rel=1e-12)
    assert not d.is_overdispersed


def test_each_phase_is_judged_on_its_own(shared_data: Path) -> None:
    breaches, attendances = _rjz(shared_data)
    r = p_chart(
        BINOMIAL_LIKE + breaches,
        [1000] * 12 + attendances,
        periods=[f"a{i}" for i in range(12)] + [f"b{i}" for i in range(36)],
        rebase=["b0"],
    )
    found = [w for w in r.warnings if is_overdispersion_warning(w)]
    assert len(found) == 1 and found[0].startswith("Phase 2 (from b0): ")


def test_too_few_points_are_not_assessed() -> None:
    d = overdispersion([500, 100, 900] * 3 + [None], [1000] * 10)
    assert d.points == 9 and not d.is_assessed and not d.is_overdispersed
    assert math.isnan(d.ratio) and math.isnan(d.sigma_z) and math.isnan(d.p_value)
    assert d.message == ""


def test_unusable_points_are_left_out_and_counted() -> None:
    # A missing numerator or a zero denominator is not a usable point.
    y = [*BINOMIAL_LIKE, None, 5]
    n = [*([1000] * 12), 1000, 0]
    d = overdispersion(y, n)
    assert d.points == 12
    assert d.ratio == pytest.approx(756 / 160 / 11, rel=1e-12)


def test_no_events_at_all_cannot_be_assessed() -> None:
    d = overdispersion([0] * 12, [100] * 12)
    assert d.is_assessed and not d.is_overdispersed
    assert math.isnan(d.ratio)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"numerators": [1] * 12, "denominators": [10] * 11}, "denominator for every"),
        ({"numerators": [-1] * 12, "denominators": [10] * 12}, "negative"),
        ({"numerators": [11] * 12, "denominators": [10] * 12}, "above its denominator"),
        (
            {"numerators": [1] * 12, "denominators": [10] * 12, "chart": "c"},
            "'p' or 'u'",
        ),
    ],
)
def test_bad_input_is_refused(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        overdispersion(**kwargs)


def test_to_dict_is_json_safe() -> None:
    d = overdispersion([1, 2], [10, 10])
    assert d.to_dict() == {
        "sigma_z": None,
        "ratio": None,
        "p_value": None,
        "points": 2,
        "is_assessed": False,
        "is_overdispersed": False,
        "message": "",
    }
