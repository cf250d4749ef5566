"""The programme's return, computed from plain values (no database): benefits
spread over financial years, benefits against the investment by year and
cumulatively, the return on investment, the break-even year, the point where the
cumulative benefits cross the cumulative investment (the "investment threshold"),
low/central/high sensitivity, and the rule that counts nothing twice.

The rules are in ``docs/methods.md`` ("The programme's return"):

- a one-off benefit falls in the financial year of its date; a recurring one is an
  amount per year, shared between the financial years it spans in proportion to
  its days in each (start and end dates inclusive);
- **low** counts realised benefits of high confidence only, **central** every
  realised benefit, **high** realised and expected benefits;
- ROI = (benefits − investment) / investment over every year shown; break-even is
  the first year whose cumulative benefits reach the cumulative investment;
- nothing is counted twice: of benefits of the same kind (expected or realised)
  from different projects that claim the same measure over overlapping dates, the
  one recorded first counts and each later one is shown as shared with it and
  left out of every total.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

__all__ = [
    "SCENARIOS",
    "Claim",
    "Flow",
    "ProgrammeReturn",
    "ScenarioResult",
    "Threshold",
    "YearRow",
    "counts_in",
    "financial_year",
    "programme_return",
    "shared_claims",
    "spread_by_year",
    "year_label",
]

PENNY = Decimal("0.01")
#: The share of annual turnover an organisation may spend on its improvement
#: programme: "up to about 1%" (NHS Improvement and The King's Fund).
BENCHMARK_PERCENT = Decimal("1")

#: (name, label, what it counts)
SCENARIOS: tuple[tuple[str, str, str], ...] = (
    ("low", "Low", "realised benefits of high confidence"),
    ("central", "Central", "every realised benefit"),
    ("high", "High", "realised and expected benefits"),
)


def financial_year(day: datetime.date) -> int:
    """The financial year (April to March) of ``day``, named by its first year."""
    return day.year if day.month >= 4 else day.year - 1


def year_label(year: int) -> str:
    """2024 → "2024/25"."""
    return f"{year}/{(year + 1) % 100:02d}"


def _year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 4, 1), datetime.date(year + 1, 3, 31)


@dataclass(frozen=True)
class Flow:
    """One benefit's amount (money or a natural unit): the total of a one-off
    benefit on ``start``, or an amount per year from ``start`` to ``end``."""

    amount: Decimal
    start: datetime.date
    end: datetime.date | None = None
    is_recurring: bool = False
    is_realised: bool = True
    confidence: str = "medium"
    is_cash_releasing: bool = False


def spread_by_year(flow: Flow) -> dict[int, Decimal]:
    """The flow's amount in each financial year, to the penny.

    >>> spread_by_year(Flow(Decimal("1200"), datetime.date(2024, 10, 1),
    ...                     datetime.date(2025, 9, 30), is_recurring=True))
    {2024: Decimal('598.36'), 2025: Decimal('601.64')}
    """
    if not flow.is_recurring or flow.end is None:
        return {financial_year(flow.start): flow.amount.quantize(PENNY, ROUND_HALF_UP)}
    spread: dict[int, Decimal] = {}
    for year in range(financial_year(flow.start), financial_year(flow.end) + 1):
        first, last = _year_bounds(year)
        days_in_year = (last - first).days + 1
        overlap = (min(last, flow.end) - max(first, flow.start)).days + 1
        if overlap > 0:
            share = flow.amount * Decimal(overlap) / Decimal(days_in_year)
            spread[year] = share.quantize(PENNY, ROUND_HALF_UP)
    return spread


def counts_in(scenario: str, flow: Flow) -> bool:
    """Whether ``flow`` counts in the low, central or high scenario."""
    if scenario == "low":
        return flow.is_realised and flow.confidence == "high"
    if scenario == "central":
        return flow.is_realised
    if scenario == "high":
        return True
    raise ValueError(f"Unknown scenario {scenario!r}: use low, central or high.")


@dataclass(frozen=True)
class Claim:
    """A benefit's claim on a measure, for the rule that counts nothing twice.
    ``order`` is when it was recorded (earlier first); ``end`` None is one day."""

    key: int
    project: str
    kind: str
    measure: int | None
    start: datetime.date
    end: datetime.date | None
    order: tuple[datetime.datetime, int]


def shared_claims(claims: Iterable[Claim]) -> dict[int, Claim]:
    """Benefits left out of the totals → the counted claim each overlaps.

    Claims are taken in the order recorded; one is left out when a claim already
    counted, of the same kind, from another project, names the same measure over
    dates that overlap its own.
    """
    counted: list[Claim] = []
    shared: dict[int, Claim] = {}
    for claim in sorted(claims, key=lambda c: c.order):
        if claim.measure is None:
            continue
        end = claim.end or claim.start
        earlier = next(
            (
                c
                for c in counted
                if c.measure == claim.measure
                and c.kind == claim.kind
                and c.project != claim.project
                and c.start <= end
                and claim.start <= (c.end or c.start)
            ),
            None,
        )
        if earlier is None:
            counted.append(claim)
        else:
            shared[claim.key] = earlier
    return shared


@dataclass(frozen=True)
class YearRow:
    year: int
    label: str
    investment: Decimal
    turnover: Decimal | None
    #: Investment as a percentage of turnover (None without a turnover).
    share_of_turnover: Decimal | None
    benefits: Mapping[str, Decimal]
    cash_releasing: Decimal
    cumulative_investment: Decimal
    cumulative_benefits: Mapping[str, Decimal]


@dataclass(frozen=True)
class Threshold:
    """Where the cumulative benefits reach the cumulative investment: ``position``
    counts financial years from the start of the first (1.0 is the end of the
    first year); ``amount`` is the cumulative investment there."""

    year: int
    label: str
    position: float
    amount: Decimal


@dataclass(frozen=True)
class ScenarioResult:
    name: str
    label: str
    counts: str
    benefits: Decimal
    investment: Decimal
    #: (benefits − investment) / investment, or None with no investment.
    roi: Decimal | None
    break_even_year: int | None
    break_even_label: str | None
    threshold: Threshold | None


@dataclass(frozen=True)
class ProgrammeReturn:
    rows: tuple[YearRow, ...]
    scenarios: tuple[ScenarioResult, ...]
    total_investment: Decimal
    benchmark_percent: Decimal = BENCHMARK_PERCENT
    years_over_benchmark: tuple[str, ...] = field(default_factory=tuple)

    def scenario(self, name: str) -> ScenarioResult:
        return next(s for s in self.scenarios if s.name == name)


def _threshold(
    years: Sequence[int],
    investment: Sequence[Decimal],
    benefits: Sequence[Decimal],
) -> Threshold | None:
    """The first crossing of the cumulative curves, drawn through their values at
    the end of each year from zero at the start of the first; interpolated
    linearly within the year it happens."""
    before_invest, before_benefit = Decimal(0), Decimal(0)
    for index, year in enumerate(years):
        invest, benefit = investment[index], benefits[index]
        if invest > 0 and benefit >= invest:
            gap_before = before_invest - before_benefit
            gap_after = benefit - invest
            if gap_before <= 0:
                fraction = Decimal(1)
            else:
                fraction = gap_before / (gap_before + gap_after)
            amount = before_invest + fraction * (invest - before_invest)
            return Threshold(
                year=year,
                label=year_label(year),
                position=round(float(index + fraction), 2),
                amount=amount.quantize(PENNY, ROUND_HALF_UP),
            )
        before_invest, before_benefit = invest, benefit
    return None


def programme_return(
    flows: Iterable[Flow],
    investments: Mapping[int, Decimal],
    turnovers: Mapping[int, Decimal] | None = None,
) -> ProgrammeReturn:
    """Benefits in money (counted flows only) against the investment by financial
    year, cumulatively and over the whole programme, in three scenarios."""
    turnovers = turnovers or {}
    by_scenario: dict[str, dict[int, Decimal]] = {name: {} for name, _, _ in SCENARIOS}
    cash: dict[int, Decimal] = {}
    for flow in flows:
        for year, amount in spread_by_year(flow).items():
            for name, _, _ in SCENARIOS:
                if counts_in(name, flow):
                    per_year = by_scenario[name]
                    per_year[year] = per_year.get(year, Decimal(0)) + amount
            if flow.is_cash_releasing and counts_in("central", flow):
                cash[year] = cash.get(year, Decimal(0)) + amount
    all_years = set(investments) | {y for s in by_scenario.values() for y in s}
    if not all_years:
        return ProgrammeReturn(rows=(), scenarios=(), total_investment=Decimal(0))
    years = list(range(min(all_years), max(all_years) + 1))
    rows: list[YearRow] = []
    running_invest = Decimal(0)
    running: dict[str, Decimal] = {name: Decimal(0) for name, _, _ in SCENARIOS}
    over: list[str] = []
    for year in years:
        invest = investments.get(year, Decimal(0))
        running_invest += invest
        benefits = {n: by_scenario[n].get(year, Decimal(0)) for n, _, _ in SCENARIOS}
        for name in running:
            running[name] += benefits[name]
        turnover = turnovers.get(year)
        share = None
        if turnover:
            share = (invest * 100 / turnover).quantize(Decimal("0.001"), ROUND_HALF_UP)
            if share > BENCHMARK_PERCENT:
                over.append(year_label(year))
        rows.append(
            YearRow(
                year=year,
                label=year_label(year),
                investment=invest,
                turnover=turnover,
                share_of_turnover=share,
                benefits=benefits,
                cash_releasing=cash.get(year, Decimal(0)),
                cumulative_investment=running_invest,
                cumulative_benefits=dict(running),
            )
        )
    scenarios = []
    cumulative_invest = [r.cumulative_investment for r in rows]
    for name, label, counted in SCENARIOS:
        cumulative = [r.cumulative_benefits[name] for r in rows]
        total = cumulative[-1]
        roi = None
        if running_invest > 0:
            roi = ((total - running_invest) / running_invest).quantize(
                Decimal("0.0001"), ROUND_HALF_UP
            )
        threshold = _threshold(years, cumulative_invest, cumulative)
        scenarios.append(
            ScenarioResult(
                name=name,
                label=label,
                counts=counted,
                benefits=total,
                investment=running_invest,
                roi=roi,
                break_even_year=threshold.year if threshold else None,
                break_even_label=threshold.label if threshold else None,
                threshold=threshold,
            )
        )
    return ProgrammeReturn(
        rows=tuple(rows),
        scenarios=tuple(scenarios),
        total_investment=running_invest,
        years_over_benchmark=tuple(over),
    )
