"""Small builders of benchmark test data."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from openqi.benchmark import services
from openqi.benchmark.models import Benchmark, Participant
from openqi.organisations.models import Organisation

_seq = itertools.count(1)


def make_benchmark(organisation: Organisation, **fields: Any) -> Benchmark:
    n = next(_seq)
    fields.setdefault("name", f"Discharge summaries within 24 hours {n}")
    fields.setdefault("numerator_definition", "Summaries sent within 24 hours")
    fields.setdefault("denominator_definition", "Discharges")
    fields.setdefault("improvement", "increase")
    return services.create_benchmark(organisation, **fields)


def make_participant(benchmark: Benchmark, **fields: Any) -> Participant:
    n = next(_seq)
    fields.setdefault("name", f"Ward {n}")
    fields.setdefault("code", f"W{n}")
    return services.add_participant(benchmark, **fields)


def month(year: int, number: int) -> datetime.date:
    return datetime.date(year, number, 1)


def value_data(**fields: Any) -> dict[str, Any]:
    return {"period": "2024-03", "numerator": "40", "denominator": "50", **fields}
