"""The programme's return worked by hand (openqi.value.returns: no database)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from openqi.value.returns import (
    Claim,
    Flow,
    counts_in,
    financial_year,
    programme_return,
    shared_claims,
    spread_by_year,
    year_label,
)

D = Decimal
day = datetime.date


def test_financial_year_runs_april_to_march() -> None:
    assert financial_year(day(2024, 3, 31)) == 2023
    assert financial_year(day(2024, 4, 1)) == 2024
    assert year_label(2024) == "2024/25"
    assert year_label(1999) == "1999/00"


def test_one_off_falls_in_the_year_of_its_date() -> None:
    assert spread_by_year(Flow(D("5000"), day(2025, 2, 1))) == {2024: D("5000.00")}


def test_recurring_is_shared_by_days_in_each_year() -> None:
    # 1 Oct 2024 – 31 Mar 2025 is 182 of 2024/25's 365 days: 1200 × 182/365 = 598.36;
    # 1 Apr – 30 Sep 2025 is 183 of 365: 601.64.
    flow = Flow(D("1200"), day(2024, 10, 1), day(2025, 9, 30), is_recurring=True)
    assert spread_by_year(flow) == {2024: D("598.36"), 2025: D("601.64")}


def test_a_leap_year_has_366_days() -> None:
    # 2023/24 holds 29 February 2024: a whole year of £366 a year is £366.
    flow = Flow(D("366"), day(2023, 4, 1), day(2024, 3, 31), is_recurring=True)
    assert spread_by_year(flow) == {2023: D("366.00")}


def test_scenarios_count_by_kind_and_confidence() -> None:
    sure = Flow(D(1), day(2024, 5, 1), confidence="high")
    unsure = Flow(D(1), day(2024, 5, 1), confidence="low")
    hoped = Flow(D(1), day(2024, 5, 1), is_realised=False, confidence="high")
    assert [counts_in(s, sure) for s in ("low", "central", "high")] == [
        True,
        True,
        True,
    ]
    assert [counts_in(s, unsure) for s in ("low", "central", "high")] == [
        False,
        True,
        True,
    ]
    assert [counts_in(s, hoped) for s in ("low", "central", "high")] == [
        False,
        False,
        True,
    ]
    with pytest.raises(ValueError, match="Unknown scenario"):
        counts_in("best", sure)


def _worked_example() -> object:
    """Investment of £100k, £100k and £50k in 2023/24 to 2025/26 (turnover £20m and
    £8m in the first two); benefits:

    A realised, high confidence, one-off £60,000 in September 2023, cash-releasing;
    B realised, medium confidence, £120,000 a year for 2024/25 and 2025/26;
    C expected, £200,000 one-off in June 2025.
    """
    flows = [
        Flow(D("60000"), day(2023, 9, 1), confidence="high", is_cash_releasing=True),
        Flow(D("120000"), day(2024, 4, 1), day(2026, 3, 31), is_recurring=True),
        Flow(D("200000"), day(2025, 6, 1), is_realised=False, confidence="low"),
    ]
    investments = {2023: D("100000"), 2024: D("100000"), 2025: D("50000")}
    turnovers = {2023: D("20000000"), 2024: D("8000000")}
    return programme_return(flows, investments, turnovers)


def test_by_year_and_cumulatively() -> None:
    result = _worked_example()
    rows = result.rows  # type: ignore[attr-defined]
    assert [r.label for r in rows] == ["2023/24", "2024/25", "2025/26"]
    assert [r.investment for r in rows] == [D("100000"), D("100000"), D("50000")]
    assert [r.cumulative_investment for r in rows] == [D(100000), D(200000), D(250000)]
    assert [r.benefits["central"] for r in rows] == [D(60000), D(120000), D(120000)]
    assert [r.cumulative_benefits["low"] for r in rows] == [D(60000)] * 3
    assert [r.cumulative_benefits["central"] for r in rows] == [
        D(60000),
        D(180000),
        D(300000),
    ]
    assert [r.cumulative_benefits["high"] for r in rows] == [
        D(60000),
        D(180000),
        D(500000),
    ]
    assert [r.cash_releasing for r in rows] == [D(60000), D(0), D(0)]


def test_roi_and_break_even_in_three_scenarios() -> None:
    result = _worked_example()
    low, central, high = result.scenarios  # type: ignore[attr-defined]
    # (60,000 − 250,000) / 250,000 = −0.76; never breaks even.
    assert low.roi == D("-0.7600")
    assert low.break_even_year is None and low.threshold is None
    # (300,000 − 250,000) / 250,000 = 0.2; breaks even in 2025/26.
    assert central.roi == D("0.2000")
    assert central.break_even_label == "2025/26"
    # (500,000 − 250,000) / 250,000 = 1.
    assert high.roi == D("1.0000")
    assert high.break_even_year == 2025


def test_the_investment_threshold_is_where_the_curves_cross() -> None:
    central = _worked_example().scenario("central")  # type: ignore[attr-defined]
    # At the end of 2024/25 benefits trail by 20,000 (180k against 200k); at the end
    # of 2025/26 they lead by 50,000 (300k against 250k): the lines cross 20/70 of
    # the way through 2025/26, where investment is 200,000 + 20/70 × 50,000.
    assert central.threshold.position == 2.29
    assert central.threshold.amount == D("214285.71")
    high = _worked_example().scenario("high")  # type: ignore[attr-defined]
    # 20,000 behind, then 250,000 ahead: 20/270 of the way; 200,000 + 3,703.70.
    assert high.threshold.position == 2.07
    assert high.threshold.amount == D("203703.70")


def test_share_of_turnover_against_one_percent() -> None:
    result = _worked_example()
    shares = [r.share_of_turnover for r in result.rows]  # type: ignore[attr-defined]
    # 100,000 / 20,000,000 = 0.5%; 100,000 / 8,000,000 = 1.25%; no turnover for 2025/26.
    assert shares == [D("0.500"), D("1.250"), None]
    assert result.years_over_benchmark == ("2024/25",)  # type: ignore[attr-defined]


def test_break_even_in_the_first_year() -> None:
    result = programme_return([Flow(D("5000"), day(2024, 5, 1))], {2024: D("1000")})
    central = result.scenario("central")
    assert central.roi == D("4.0000")
    assert central.threshold.position == 1.0
    assert central.threshold.amount == D("1000.00")


def test_no_investment_has_no_roi_and_nothing_is_empty() -> None:
    result = programme_return([Flow(D("5000"), day(2024, 5, 1))], {})
    assert result.scenario("central").roi is None
    assert result.scenario("central").threshold is None
    assert programme_return([], {}).rows == ()


def _claim(
    key: int,
    project: str,
    start: datetime.date,
    end: datetime.date | None,
    *,
    measure: int | None = 1,
    kind: str = "realised",
) -> Claim:
    recorded = datetime.datetime(2025, 1, 1) + datetime.timedelta(hours=key)
    return Claim(key, project, kind, measure, start, end, (recorded, key))


def test_nothing_is_counted_twice() -> None:
    first = _claim(1, "A", day(2024, 1, 1), day(2024, 12, 31))
    overlapping = _claim(2, "B", day(2024, 6, 1), day(2025, 5, 31))
    # Overlaps only the benefit left out, so it counts.
    after_it = _claim(3, "C", day(2025, 1, 1), day(2025, 12, 31))
    same_project = _claim(4, "A", day(2024, 3, 1), day(2024, 3, 31))
    expected_kind = _claim(5, "B", day(2024, 3, 1), None, kind="expected")
    other_measure = _claim(6, "B", day(2024, 3, 1), None, measure=2)
    no_measure = _claim(7, "B", day(2024, 3, 1), None, measure=None)
    shared = shared_claims(
        [
            after_it,
            overlapping,
            first,
            same_project,
            expected_kind,
            other_measure,
            no_measure,
        ]
    )
    assert set(shared) == {2}
    assert shared[2].key == 1


def test_a_one_off_claim_overlaps_on_its_day() -> None:
    first = _claim(1, "A", day(2024, 1, 1), day(2024, 12, 31))
    on_the_last_day = _claim(2, "B", day(2024, 12, 31), None)
    the_day_after = _claim(3, "C", day(2025, 1, 1), None)
    assert set(shared_claims([first, on_the_last_day, the_day_after])) == {2}
