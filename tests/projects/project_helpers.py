"""Small builders for the project page tests (house style: no factory library)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from openqi.measures.models import Measure
from openqi.organisations.models import Organisation
from openqi.projects.models import ProgressRating, Project
from openqi.strategy.models import StrategicPriority

#: What htmx sends with every request it makes.
HTMX = {"HTTP_HX_REQUEST": "true"}


def make_project(organisation: Organisation, **fields: Any) -> Project:
    fields.setdefault("title", "Fewer falls at night on the stroke unit")
    fields.setdefault("aim_what", "Reduce inpatient falls at night on the stroke unit")
    fields.setdefault("aim_how_much", "by half, from 6 to 3 a month")
    fields.setdefault(
        "problem", "Stroke patients get up at night to use the toilet and fall."
    )
    return Project.objects.create(organisation=organisation, **fields)


def make_priority(organisation: Organisation, **fields: Any) -> StrategicPriority:
    fields.setdefault("title", "Reduce harm from falls")
    fields.setdefault("period_start", datetime.date(2025, 4, 1))
    return StrategicPriority.objects.create(organisation=organisation, **fields)


def make_measure(organisation: Organisation, **fields: Any) -> Measure:
    fields.setdefault("name", "Inpatient falls per 1,000 bed days")
    fields.setdefault("kind", Measure.Kind.RATE)
    return Measure.objects.create(organisation=organisation, **fields)


def make_rating(project: Project, **fields: Any) -> ProgressRating:
    fields.setdefault("score", Decimal("2.0"))
    fields.setdefault("rated_by", ProgressRating.RatedBy.TEAM)
    fields.setdefault("rated_on", datetime.date(2025, 6, 1))
    return ProgressRating.objects.create(project=project, **fields)


def project_data(**overrides: Any) -> dict[str, Any]:
    """A valid project form as a browser posts it."""
    data: dict[str, Any] = {
        "title": "Hand hygiene before patient contact on the intensive care unit",
        "problem": "Audits show 72% compliance with hand hygiene before touching a patient.",
        "aim_what": "Increase hand hygiene compliance before patient contact",
        "aim_how_much": "to 95%",
        "aim_by_when_day": "31",
        "aim_by_when_month": "3",
        "aim_by_when_year": "2026",
        "unit": "",
        "method": "mfi",
        "method_other": "",
        "lead": "",
        "status": "active",
        "status_reason": "",
        "start_date_day": "1",
        "start_date_month": "4",
        "start_date_year": "2025",
        "tags": "infection control, ICU",
    }
    data.update(overrides)
    return data
