"""Small builders for the value tests (house style: no factory library)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from openqi.measures import services as measure_services
from openqi.measures.models import Measure
from openqi.organisations.models import Organisation
from openqi.projects.models import Project, ProjectMeasure
from openqi.value.models import Benefit, Investment

#: A monthly count of bed days lost to delayed discharge: a year at 100 a month,
#: then a phase break in January 2025 and a year at 80 a month.
BEFORE = [98, 102, 100, 101, 99, 100, 97, 103, 100, 100, 99, 101]
AFTER = [79, 81, 80, 82, 78, 80, 81, 79, 80, 80, 81, 79]


def make_project(organisation: Organisation, **fields: Any) -> Project:
    fields.setdefault("title", "Home for lunch: earlier discharge on the medical wards")
    fields.setdefault("aim_what", "Reduce bed days lost to delayed discharge")
    return Project.objects.create(organisation=organisation, **fields)


def make_benefit(project: Project, **fields: Any) -> Benefit:
    fields.setdefault("title", "Fewer agency shifts")
    fields.setdefault("kind", Benefit.Kind.REALISED)
    fields.setdefault("domain", "cost_reduction")
    fields.setdefault("money", Decimal("10000"))
    fields.setdefault("method", "Agency invoices before and after.")
    fields.setdefault("confidence", Benefit.Confidence.HIGH)
    fields.setdefault("recurrence", Benefit.Recurrence.ONE_OFF)
    fields.setdefault("start_date", datetime.date(2024, 6, 1))
    return Benefit.objects.create(project=project, **fields)


def make_investment(
    organisation: Organisation, year: int, amount: str, **fields: Any
) -> Investment:
    fields.setdefault("category", Investment.Category.CENTRAL_TEAM)
    return Investment.objects.create(
        organisation=organisation, year=year, amount=Decimal(amount), **fields
    )


def make_shifted_measure(
    organisation: Organisation, project: Project | None = None
) -> Measure:
    """A monthly measure (lower is better) with a phase break at its fall, built
    through the measures' services, linked to ``project``."""
    measure = Measure.objects.create(
        organisation=organisation,
        name="Bed days lost to delayed discharge",
        kind=Measure.Kind.COUNT,
        frequency=Measure.Frequency.MONTHLY,
        improvement=Measure.Improvement.DECREASE,
        unit_label="bed days",
    )
    period = datetime.date(2024, 1, 1)
    for value in BEFORE + AFTER:
        measure_services.save_point(measure, period=period, value=value)
        period = datetime.date(
            period.year + period.month // 12, period.month % 12 + 1, 1
        )
    measure_services.add_phase_break(
        measure, period=datetime.date(2025, 1, 1), reason="Discharge lounge opened"
    )
    if project is not None:
        ProjectMeasure.objects.create(project=project, measure=measure)
    return measure


def benefit_data(**overrides: str) -> dict[str, str]:
    """A valid benefit form as a browser posts it."""
    data = {
        "title": "Fewer agency nurse shifts",
        "kind": "realised",
        "domain": "cost_reduction",
        "money": "12,000",
        "quantity": "",
        "unit_label": "",
        "unit_value": "",
        "method": "Agency invoices for six months before and after.",
        "confidence": "high",
        "recurrence": "one_off",
        "start_date_day": "1",
        "start_date_month": "6",
        "start_date_year": "2024",
        "measure": "",
    }
    data.update(overrides)
    return data


def investment_data(**overrides: str) -> dict[str, str]:
    data = {"year": "2024", "category": "training", "amount": "50,000", "note": ""}
    data.update(overrides)
    return data
