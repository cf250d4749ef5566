"""Small builders for the barrier tests (house style: no factory library)."""

from __future__ import annotations

import datetime
from typing import Any

from openqi.barriers.models import Barrier
from openqi.core.categories import BarrierCategory
from openqi.organisations.models import Organisation


def make_barrier(organisation: Organisation, **fields: Any) -> Barrier:
    fields.setdefault("title", "No protected time for teams to test changes")
    fields.setdefault("category", BarrierCategory.RESOURCES)
    fields.setdefault("raised_on", datetime.date(2025, 3, 1))
    return Barrier.objects.create(organisation=organisation, **fields)


def barrier_data(**overrides: str) -> dict[str, str]:
    """A valid barrier form as a browser posts it (a new barrier)."""
    data = {
        "title": "Run charts not trusted by the divisional board",
        "category": "information",
        "description": "The board asks for RAG ratings instead.",
        "severity": "high",
        "unit": "",
        "owner": "",
        "raised_on_day": "2",
        "raised_on_month": "6",
        "raised_on_year": "2025",
    }
    data.update(overrides)
    return data
