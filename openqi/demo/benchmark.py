"""Demo step: benchmarks (``data/benchmark.json``).

- The national A&E 4-hour benchmark (every provider in England, April 2016 –
  March 2019), owned by the system "riverside-wolds": a funnel of about 200
  trusts for March 2019 and a p chart for each.
- A system benchmark, "Discharge summaries sent within 24 hours", with monthly
  values reported by Riverside, Wolds and Eastmere (a trust not yet in the demo
  is left out).
- Riverside's funnel of its own wards' hand hygiene compliance: at ``large`` each
  ward's values come from its own measure ("Hand hygiene compliance – <ward>");
  at ``small`` (no such measures) they are entered from the data file.

Values are drawn from a seeded generator, so every build gives the same figures.
Running it again changes nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import numpy as np
from django.utils import timezone

from openqi.benchmark import services
from openqi.benchmark.models import Benchmark
from openqi.benchmark.national import load_national
from openqi.benchmark.services import ImportRow
from openqi.measures.models import Measure

from .base import Demo
from .measures import units_by_name
from .records import read

__all__ = ["add_benchmark"]

SEED = 15


@dataclass(frozen=True)
class _National:
    key: str
    owner: str


@dataclass(frozen=True)
class _Trust:
    organisation: str
    rate: float
    discharges: int
    trend: float


@dataclass(frozen=True)
class _System:
    owner: str
    name: str
    numerator: str
    denominator: str
    improvement: str
    months: int
    trusts: tuple[_Trust, ...]


@dataclass(frozen=True)
class _Ward:
    unit: str
    code: str
    rate: float
    observations: int


@dataclass(frozen=True)
class _Units:
    owner: str
    name: str
    numerator: str
    denominator: str
    improvement: str
    measure: str
    months: int
    wards: tuple[_Ward, ...]


NATIONAL = read(_National, "benchmark", "national")
SYSTEM = read(_System, "benchmark", "system")
UNITS = read(_Units, "benchmark", "units")


def _months(count: int) -> list[datetime.date]:
    """The ``count`` whole months before this one, oldest first."""
    today = timezone.localdate()
    year, month = today.year, today.month
    out = []
    for _ in range(count):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        out.append(datetime.date(year, month, 1))
    return out[::-1]


def add_benchmark(demo: Demo) -> None:
    """The national A&E benchmark, the system's benchmark and Riverside's wards."""
    owner = demo.organisations.get(NATIONAL.owner)
    if owner is not None:
        _, loaded = load_national(owner, NATIONAL.key)
        demo.created["benchmarks"] += int(loaded)
    _system(demo)
    _units(demo)


def _system(demo: Demo) -> None:
    system = demo.organisations.get(SYSTEM.owner)
    if (
        system is None
        or Benchmark.objects.filter(organisation=system, name=SYSTEM.name).exists()
    ):
        return
    benchmark = services.create_benchmark(
        system,
        name=SYSTEM.name,
        numerator_definition=SYSTEM.numerator,
        denominator_definition=SYSTEM.denominator,
        improvement=SYSTEM.improvement,
    )
    codes = dict(benchmark.participants.values_list("organisation__slug", "code"))
    months = _months(SYSTEM.months)
    rows = []
    for i, trust in enumerate(SYSTEM.trusts):
        if trust.organisation not in codes:
            continue  # a trust not (yet) in the demo
        rng = np.random.default_rng([SEED, 1, i])
        for j, period in enumerate(months):
            n = int(
                rng.integers(int(trust.discharges * 0.9), int(trust.discharges * 1.1))
            )
            rate = min(trust.rate + trust.trend * j, 0.99)
            rows.append(
                ImportRow(
                    codes[trust.organisation],
                    period,
                    float(rng.binomial(n, rate)),
                    float(n),
                )
            )
    services.import_values(benchmark, rows)
    demo.created["benchmarks"] += 1


def _units(demo: Demo) -> None:
    organisation = demo.organisations.get(UNITS.owner)
    if (
        organisation is None
        or Benchmark.objects.filter(organisation=organisation, name=UNITS.name).exists()
    ):
        return
    benchmark = services.create_benchmark(
        organisation,
        name=UNITS.name,
        numerator_definition=UNITS.numerator,
        denominator_definition=UNITS.denominator,
        improvement=UNITS.improvement,
    )
    units = units_by_name(organisation)
    measures = {
        m.name: m
        for m in Measure.objects.for_organisation(organisation).filter(
            name__startswith=f"{UNITS.measure} – "
        )
    }
    months = _months(UNITS.months)
    rows = []
    linked = False
    for i, ward in enumerate(UNITS.wards):
        measure = measures.get(f"{UNITS.measure} – {ward.unit}")
        benchmark.participants.create(
            name=ward.unit, code=ward.code, unit=units.get(ward.unit), measure=measure
        )
        if measure is not None:
            linked = True
            continue
        rng = np.random.default_rng([SEED, 2, i])
        for period in months:
            n = int(
                rng.integers(int(ward.observations * 0.8), int(ward.observations * 1.2))
            )
            rows.append(
                ImportRow(
                    ward.code, period, float(rng.binomial(n, ward.rate)), float(n)
                )
            )
    if rows:
        services.import_values(benchmark, rows)
    if linked:
        services.refresh_from_measures(benchmark)
    demo.created["benchmarks"] += 1
