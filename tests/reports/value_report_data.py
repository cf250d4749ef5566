"""The programme's return recorded for the board report's tests, with its figures
as at the report's month end worked out by hand (not read back from openqi.value)."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from openqi.value.models import Benefit, Investment, Turnover
from tests.value.helpers import make_benefit, make_investment, make_project

#: The report for December 2025: figures as at 31 December 2025, in the
#: financial year 2025/26 (1 April 2025 to 31 March 2026, 365 days).
DECEMBER = datetime.date(2025, 12, 1)
AS_AT = datetime.date(2025, 12, 31)
DAYS_TO_AS_AT = (AS_AT - datetime.date(2025, 4, 1)).days + 1  # 275
DAYS_IN_2025_26 = (datetime.date(2026, 3, 31) - datetime.date(2025, 4, 1)).days + 1

REALISED, EXPECTED = Benefit.Kind.REALISED, Benefit.Kind.EXPECTED
HIGH, MEDIUM, LOW = (
    Benefit.Confidence.HIGH,
    Benefit.Confidence.MEDIUM,
    Benefit.Confidence.LOW,
)
RECURRING = Benefit.Recurrence.RECURRING


def pounds_text(amount: Decimal) -> str:
    return f"£{amount.quantize(Decimal(1), ROUND_HALF_UP):,}"


def record_programme(organisation: Any) -> None:
    """Two years of investment (and a third after the report's date), turnover,
    and benefits in money and in natural units, one dated after the month end."""
    make_investment(organisation, 2024, "100000")
    make_investment(organisation, 2024, "20000", category=Investment.Category.TRAINING)
    make_investment(organisation, 2025, "80000")
    make_investment(organisation, 2026, "50000")  # begins 1 April 2026: after
    Turnover.objects.create(
        organisation=organisation, year=2024, amount=Decimal("10000000")
    )
    Turnover.objects.create(
        organisation=organisation, year=2025, amount=Decimal("20000000")
    )
    project = make_project(organisation)
    make_benefit(  # low, central and high, in 2024/25
        project,
        title="Agency shifts cut",
        money=Decimal("50000"),
        confidence=HIGH,
        start_date=datetime.date(2024, 6, 1),
    )
    make_benefit(  # £219,000 a year for two years; counted up to 31 December 2025
        project,
        title="Bed days avoided",
        domain="cost_avoidance",
        money=Decimal("219000"),
        confidence=MEDIUM,
        recurrence=RECURRING,
        start_date=datetime.date(2025, 4, 1),
        end_date=datetime.date(2027, 3, 31),
        is_cash_releasing=True,
    )
    make_benefit(  # central and high
        project,
        title="Clinic income",
        domain="revenue",
        money=Decimal("13000"),
        confidence=LOW,
        start_date=datetime.date(2025, 9, 1),
    )
    make_benefit(  # high only
        project,
        title="Theatre sessions",
        kind=EXPECTED,
        domain="cost_avoidance",
        money=Decimal("40000"),
        confidence=MEDIUM,
        start_date=datetime.date(2025, 6, 1),
    )
    make_benefit(  # after the month end: not counted
        project,
        title="Ward closure",
        money=Decimal("500000"),
        confidence=HIGH,
        start_date=datetime.date(2026, 1, 15),
    )
    make_benefit(  # natural units
        project,
        title="Overtime hours saved",
        domain="staff",
        money=None,
        quantity=Decimal("120"),
        unit_label="hours",
        start_date=datetime.date(2025, 5, 1),
    )
    make_benefit(
        project,
        title="Bed days released",
        domain="patient",
        money=None,
        quantity=Decimal("365"),
        unit_label="bed days",
        recurrence=RECURRING,
        start_date=datetime.date(2025, 4, 1),
        end_date=datetime.date(2026, 3, 31),
    )


# By hand: the figures as at 31 December 2025 -------------------------------------

INVEST_2024 = Decimal(100000 + 20000)
INVEST_2025 = Decimal(80000)
INVESTED = INVEST_2024 + INVEST_2025  # 200,000: 2026/27's £50,000 is after the date
RECURRING_2025 = (Decimal(219000) * DAYS_TO_AS_AT / DAYS_IN_2025_26).quantize(
    Decimal("0.01")
)  # 165,000.00
LOW_TOTAL = Decimal(50000)
CENTRAL_2025 = RECURRING_2025 + 13000
CENTRAL_TOTAL = Decimal(50000) + CENTRAL_2025
HIGH_TOTAL = CENTRAL_TOTAL + 40000


def roi_text(total: Decimal) -> str:
    return f"{((total - INVESTED) / INVESTED * 100):.0f}%"
