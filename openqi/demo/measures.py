"""Demo step: Riverside's measures, with years of data that show every kind of signal.

Each curated measure is drawn from its own random stream (NumPy's ``default_rng``
seeded with :data:`SEED` and the measure's name), so the data, and the signals
the chart finds in it, are the same on every run and every machine. The series
end at fixed dates (:data:`LAST_MONTH`, :data:`LAST_WEEK`, :data:`LAST_EVENT`),
not today, for the same reason; none is after the demo's own date, since the
app refuses data for a period that has not happened yet. ``docs/demo.md`` lists
what each measure shows; the demo's tests check each signal with
:func:`openqi.measures.services.chart_for`.

The measures themselves (names, definitions, targets, annotations, which
series and which draw) are in ``data/measures.json``; the series are drawn by the
functions of :data:`SERIES` that the records name.

One measure is real: the monthly share of type 1 A&E attendances seen within four
hours at one major A&E department, from NHS England's A&E statistics
(``ae_attendances.csv`` in the shared data folder, Open Government Licence v3.0).

At ``large`` the trust gets :data:`LARGE_MEASURES` measures in all, each extra one
with :data:`LARGE_WEEKS` weeks of data, inserted in bulk. The measures, phase
breaks and annotations written by hand are saved one by one and so are on the
audit trail; data points are inserted in bulk and are not, like the staff records
(see docs/cli.md): thousands of synthetic rows would bury the trail.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from django.db import connection
from django.utils import timezone

from openqi.data import AE_ATTENDANCES
from openqi.measures import summaries
from openqi.measures.models import Annotation, DataPoint, Measure, PhaseBreak
from openqi.organisations.models import Organisation, Unit

from .base import Demo
from .organisations import PEOPLE
from .records import build, load, read, records

__all__ = [
    "AE_MEASURE",
    "LARGE_MEASURES",
    "LARGE_WEEKS",
    "LAST_EVENT",
    "LAST_MONTH",
    "LAST_WEEK",
    "MEASURES",
    "SEED",
    "add_measures",
    "ae_source",
    "units_by_name",
]

SEED = 20_261_120
#: The month of the last monthly point and the Monday of the last weekly one.
LAST_MONTH = datetime.date(2026, 10, 1)
LAST_WEEK = datetime.date(2026, 11, 9)
#: The day of the latest rare event (the series of days between events end on it).
LAST_EVENT = datetime.date(2026, 11, 12)
#: Measures of the main trust at ``large`` (the curated ones included), and the
#: weeks of data each extra one gets (five years).
LARGE_MEASURES = 500
LARGE_WEEKS = 260

_Series = tuple[list[datetime.date], list[float], list[float] | None]
_Rng = np.random.Generator

K = Measure.Kind
F = Measure.Frequency
HIGHER, LOWER, NEITHER = (
    Measure.Improvement.INCREASE,
    Measure.Improvement.DECREASE,
    Measure.Improvement.NEITHER,
)


class _AtPoint(NamedTuple):
    """Text at one point of a series, by its index."""

    point: int
    text: str


@dataclass(frozen=True)
class _MeasureSpec:
    name: str
    unit: str
    kind: str
    frequency: str
    improvement: str
    definition: str
    #: What the chart shows, in words (docs/demo.md lists the same).
    shows: str
    #: Draws the series from the measure's random stream (see :data:`SERIES`).
    series: Callable[[_Rng], _Series]
    numerator_definition: str = ""
    denominator_definition: str = ""
    unit_label: str = ""
    target: float | None = None
    chart_type: str = ""
    multiplier: float = 1.0
    #: Each at the first point of the new phase, with the reason.
    phase_breaks: tuple[_AtPoint, ...] = ()
    annotations: tuple[_AtPoint, ...] = ()
    #: Which draw of the measure's random stream: the first one whose noise shows
    #: only the intended signal (tests/demo/test_demo_measures_and_projects.py
    #: checks it).
    draw: int = 0


def _months(n: int, last: datetime.date = LAST_MONTH) -> list[datetime.date]:
    """The first days of ``n`` months ending with ``last``."""
    out = []
    year, month = last.year, last.month
    for _ in range(n):
        out.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def _weeks(n: int, last: datetime.date = LAST_WEEK) -> list[datetime.date]:
    """The Mondays of ``n`` weeks ending with ``last``."""
    return [last - datetime.timedelta(weeks=n - 1 - i) for i in range(n)]


def _floats(values: np.ndarray) -> list[float]:
    return [float(v) for v in values]


def _steps(n: int, level: float, changes: dict[int, float]) -> np.ndarray:
    """``level`` for every point, changed to ``changes[i]`` from point ``i`` on."""
    out = np.full(n, level, dtype=float)
    for start, new in sorted(changes.items()):
        out[start:] = new
    return out


# ----------------------------------------------------------------- the series


def _sepsis(rng: _Rng) -> _Series:
    # Three years of weeks: 62% until the sepsis trolley and nurse-initiated
    # antibiotics, 76% over the last four months (a shift upwards: improvement).
    n = rng.integers(28, 49, 156)
    p = _steps(156, 0.62, {140: 0.76})
    return _weeks(156), _floats(rng.binomial(n, p)), _floats(n)


def _falls(rng: _Rng) -> _Series:
    # Four years of months; the falls bundle lowers the rate for the last ten.
    bed_days = rng.integers(2700, 3100, 48)
    rate = _steps(48, 6.8 / 1000, {38: 4.5 / 1000})
    return _months(48), _floats(rng.poisson(rate * bed_days)), _floats(bed_days)


def _door_to_needle(rng: _Rng) -> _Series:
    # Steady around an hour, then eight months each a few minutes faster: a trend.
    values = rng.normal(58, 4.5, 48)
    values[40:] = np.array([56.0, 53, 50.5, 48, 45, 43, 40.5, 38]) + rng.uniform(
        -0.5, 0.5, 8
    )
    return _months(48), _floats(np.round(values, 1)), None


def _cancellations(rng: _Rng) -> _Series:
    # Weekly counts around nine; one week a ventilation failure closed two theatres.
    values = rng.poisson(9, 156).astype(float)
    values[120] = 31
    return _weeks(156), _floats(values), None


def _hip_fracture_stay(rng: _Rng) -> _Series:
    # Around 16.5 days; two of three months in early 2026 near the upper limit
    # (the winter bed crisis), neither beyond it.
    values = rng.normal(16.5, 1.0, 48)
    values[38], values[39], values[40] = 19.4, 16.9, 19.6
    return _months(48), _floats(np.round(values, 1)), None


def _discharge_summaries(rng: _Rng) -> _Series:
    # 71% until electronic discharge summaries went live (February 2025), 91% after.
    n = rng.integers(580, 700, 48)
    p = _steps(48, 0.71, {27: 0.91})
    return _months(48), _floats(rng.binomial(n, p)), _floats(n)


def _stroke_unit_in_four_hours(rng: _Rng) -> _Series:
    # Well short of the 90% standard throughout: consistently failing the target.
    n = rng.integers(55, 80, 48)
    return _months(48), _floats(rng.binomial(n, 0.58)), _floats(n)


def _vte_assessment(rng: _Rng) -> _Series:
    # About 98.6% of thousands of admissions a month: consistently passing 95%.
    n = rng.integers(2800, 3300, 48)
    return _months(48), _floats(rng.binomial(n, 0.986)), _floats(n)


def _care_home_admissions(rng: _Rng) -> _Series:
    # Only common-cause variation around 62 a month.
    return _months(48), _floats(np.round(rng.normal(62, 6, 48))), None


def _cdiff_between(rng: _Rng) -> _Series:
    # Admissions between infections; longer gaps since antibiotic stewardship.
    gaps = np.concatenate([rng.geometric(1 / 180, 24), rng.geometric(1 / 420, 8)])
    dates, when = [], datetime.date(2022, 11, 3)
    for gap in gaps:
        when += datetime.timedelta(days=max(1, round(gap / 11)))  # ~11 admissions a day
        dates.append(when)
    return dates, _floats(gaps), None


def _never_events_between(rng: _Rng) -> _Series:
    # Days between never events in theatres: rare, about three months apart.
    # Dated back from the latest event: counted forward from a start date, the
    # random gaps ran past the demo's date into 2027.
    gaps = np.maximum(1, np.round(rng.exponential(95, 16)))
    dates, when = [], LAST_EVENT
    for gap in gaps[::-1]:
        dates.append(when)
        when -= datetime.timedelta(days=int(gap))
    return dates[::-1], _floats(gaps), None


def _initial_assessment(rng: _Rng) -> _Series:
    # Median minutes from arrival to initial assessment: 24, then 15 after rapid
    # assessment and treatment began (a shift downwards: improvement).
    values = rng.normal(_steps(156, 24, {136: 19}), 2.2)
    return _weeks(156), _floats(np.round(values, 1)), None


def _left_before_seen(rng: _Rng) -> _Series:
    n = rng.integers(1500, 1800, 156)
    return _weeks(156), _floats(rng.binomial(n, 0.031)), _floats(n)


def _sickness_absence(rng: _Rng) -> _Series:
    n = rng.integers(37_000, 39_000, 48)  # working days available a month
    return _months(48), _floats(rng.binomial(n, 0.052)), _floats(n)


def _haemorrhage(rng: _Rng) -> _Series:
    n = rng.integers(350, 420, 48)
    return _months(48), _floats(rng.binomial(n, 0.034)), _floats(n)


def _asthma_plans(rng: _Rng) -> _Series:
    n = rng.integers(20, 41, 48)
    p = _steps(48, 0.48, {38: 0.80})
    return _months(48), _floats(rng.binomial(n, p)), _floats(n)


# ----------------------------------------------------------------- the measures


def _ae_attendances(_: _Rng) -> _Series:
    # Real data: no random numbers.
    return _ae_series(ae_source())


#: Each measure's series, by the name its record in ``measures.json`` gives.
SERIES: dict[str, Callable[[_Rng], _Series]] = {
    "sepsis": _sepsis,
    "falls": _falls,
    "door_to_needle": _door_to_needle,
    "cancellations": _cancellations,
    "hip_fracture_stay": _hip_fracture_stay,
    "discharge_summaries": _discharge_summaries,
    "stroke_unit_in_four_hours": _stroke_unit_in_four_hours,
    "vte_assessment": _vte_assessment,
    "care_home_admissions": _care_home_admissions,
    "cdiff_between": _cdiff_between,
    "never_events_between": _never_events_between,
    "initial_assessment": _initial_assessment,
    "left_before_seen": _left_before_seen,
    "sickness_absence": _sickness_absence,
    "haemorrhage": _haemorrhage,
    "asthma_plans": _asthma_plans,
    "ae_attendances": _ae_attendances,
}


def _measure(raw: dict[str, Any], where: str) -> _MeasureSpec:
    """A measure's record, its series named in the data and found in :data:`SERIES`."""
    spec: _MeasureSpec = build(_MeasureSpec, {**raw, "series": None}, where)
    return dataclasses.replace(spec, series=SERIES[raw["series"]])


MEASURES: tuple[_MeasureSpec, ...] = tuple(
    _measure(raw, f"measures.json: measures[{i}]")
    for i, raw in enumerate(load("measures")["measures"])
)

#: The real measure, from NHS England's A&E statistics: the organisation whose
#: type 1 attendances it counts, and the measure (its series is read from the data).
AE_ORG: str = read(str, "measures", "ae_org")
_AE_SPEC = _measure(load("measures")["ae_measure"], "measures.json: ae_measure")
AE_MEASURE = _AE_SPEC.name
AE_DEFINITION = _AE_SPEC.definition


def ae_source() -> Path:
    """The public A&E data carried with OpenQI (``openqi/data``)."""
    return AE_ATTENDANCES


def _ae_series(source: Path) -> _Series:
    with source.open(newline="", encoding="utf-8") as handle:
        rows = sorted(
            (
                r
                for r in csv.DictReader(handle)
                if r["org_code"] == AE_ORG and r["type"] == "1"
            ),
            key=lambda r: r["period"],
        )
    periods = [datetime.date.fromisoformat(r["period"]) for r in rows]
    seen = [float(int(r["attendances"]) - int(r["breaches"])) for r in rows]
    return periods, seen, [float(r["attendances"]) for r in rows]


# ----------------------------------------------------------------- the step


def _stream(spec: _MeasureSpec) -> _Rng:
    """The measure's own random stream: the same numbers on every run."""
    return np.random.default_rng([SEED, zlib.crc32(spec.name.encode()), spec.draw])


def units_by_name(organisation: Organisation) -> dict[str, Unit]:
    """The organisation's units by name (names are unique within the demo's trusts)."""
    return {u.name: u for u in Unit.objects.for_organisation(organisation)}


def add_measures(demo: Demo) -> None:
    """Riverside's measures and their data; 500 measures of five years at ``large``.

    Ends with every measure's chart summary computed, once, with the batch engine
    (the bulk inserts send no signals; the rest are collected until then).
    """
    riverside = demo.organisations["riverside"]
    units = units_by_name(riverside)
    existing = set(
        Measure.objects.for_organisation(riverside).values_list("name", flat=True)
    )
    with summaries.deferred() as changed:
        for spec in MEASURES:
            if spec.name not in existing:
                _create(demo, riverside, units, spec)
        if AE_MEASURE not in existing:
            _create(demo, riverside, units, _AE_SPEC)
        if demo.size == "large":
            _add_many(demo, riverside, units)
        changed.update(
            Measure.objects.for_organisation(riverside).values_list("pk", flat=True)
        )


def _owner(demo: Demo, organisation: Organisation, unit: str) -> Any:
    """Who owns a measure: the project lead of its team, else the organisation's
    first administrator (so the demo's administrator has measures to look after)."""
    people = [p for p in PEOPLE if p.organisation == organisation.slug]
    leads = [p for p in people if p.role == "project_lead" and p.team == unit]
    admins = [p for p in people if p.role == "admin"]
    chosen = leads or admins
    return demo.users.get(chosen[0].email) if chosen else None


def _create(
    demo: Demo,
    organisation: Organisation,
    units: dict[str, Unit],
    spec: _MeasureSpec,
) -> Measure:
    measure = Measure.objects.create(
        organisation=organisation,
        unit=units[spec.unit],
        owner=_owner(demo, organisation, spec.unit),
        name=spec.name,
        definition=spec.definition,
        kind=spec.kind,
        numerator_definition=spec.numerator_definition,
        denominator_definition=spec.denominator_definition,
        unit_label=spec.unit_label,
        frequency=spec.frequency,
        improvement=spec.improvement,
        target=spec.target,
        chart_type=spec.chart_type,
        multiplier=spec.multiplier,
    )
    periods, values, denominators = spec.series(_stream(spec))
    DataPoint.objects.bulk_create(
        DataPoint(
            measure=measure,
            period=period,
            value=value,
            denominator=None if denominators is None else denominators[i],
        )
        for i, (period, value) in enumerate(zip(periods, values, strict=True))
    )
    for index, reason in spec.phase_breaks:
        PhaseBreak.objects.create(measure=measure, period=periods[index], reason=reason)
    for index, text in spec.annotations:
        Annotation.objects.create(measure=measure, period=periods[index], text=text)
    demo.created["measures"] += 1
    demo.created["data points"] += len(periods)
    return measure


# ----------------------------------------------------------------- large


@dataclass(frozen=True)
class _Template:
    name: str
    kind: str
    improvement: str
    #: the level: a mean, a proportion, or a rate per unit of denominator
    level: float
    spread: float = 0.0
    denominators: tuple[int, int] = (0, 0)
    multiplier: float = 1.0
    unit_label: str = ""


TEMPLATES = records(_Template, "measures", "templates")


def many_measure_names(units: dict[str, Unit], count: int) -> list[str]:
    """The names of the extra measures at ``large``: a template for each team, in turn."""
    teams = sorted(n for n, u in units.items() if u.level == Unit.Level.TEAM)
    names = []
    for n in range(count):
        template = TEMPLATES[n % len(TEMPLATES)]
        team = teams[(n // len(TEMPLATES)) % len(teams)]
        wave = n // (len(TEMPLATES) * len(teams))
        names.append(f"{template.name} – {team}" + (f" ({wave + 1})" if wave else ""))
    return names


def _many_series(
    rng: _Rng, template: _Template, weeks: int
) -> tuple[np.ndarray, np.ndarray | None]:
    """Five years of weeks at the template's level, with a shift or a trend in some."""
    level = np.full(weeks, template.level * rng.uniform(0.85, 1.15))
    pattern = rng.choice(4, p=[0.5, 0.2, 0.2, 0.1])
    if pattern in (1, 2):  # a step up or down over the last 8 to 40 weeks
        factor = 1 + (0.25 if pattern == 1 else -0.25)
        level[-rng.integers(8, 41) :] *= factor
    elif pattern == 3:  # a drift over the last year
        level[-52:] *= np.linspace(1, 1.3, 52)
    if template.kind == K.PROPORTION:
        n = rng.integers(*template.denominators, weeks)
        return rng.binomial(n, np.clip(level, 0, 1)).astype(float), n.astype(float)
    if template.kind == K.RATE:
        n = rng.integers(*template.denominators, weeks)
        return rng.poisson(level * n).astype(float), n.astype(float)
    if template.kind == K.COUNT:
        return rng.poisson(level).astype(float), None
    return np.round(rng.normal(level, template.spread), 1), None


def _add_many(demo: Demo, organisation: Organisation, units: dict[str, Unit]) -> None:
    """The extra measures at ``large``, inserted in bulk (not on the audit trail)."""
    wanted = LARGE_MEASURES - len(MEASURES) - 1  # the A&E measure counts too
    names = many_measure_names(units, wanted)
    existing = set(
        Measure.objects.for_organisation(organisation)
        .filter(name__in=names)
        .values_list("name", flat=True)
    )
    missing = [(i, name) for i, name in enumerate(names) if name not in existing]
    if not missing:
        return
    new = []
    for i, name in missing:
        template = TEMPLATES[i % len(TEMPLATES)]
        new.append(
            Measure(
                organisation=organisation,
                unit=units[name.split(" – ")[1].split(" (")[0]],
                name=name,
                definition=f"{template.name}, by week, from the ward dashboard.",
                kind=template.kind,
                unit_label=template.unit_label,
                frequency=F.WEEKLY,
                improvement=template.improvement,
                chart_type=Measure.DEFAULT_CHART[Measure.Kind(template.kind)],
                multiplier=template.multiplier,
            )
        )
    created = Measure.objects.bulk_create(new, batch_size=500)
    if created and created[0].pk is None:  # a database that returns no ids
        by_name = dict(
            Measure.objects.for_organisation(organisation)
            .filter(name__in=[m.name for m in created])
            .values_list("name", "pk")
        )
        for measure in created:
            measure.pk = by_name[measure.name]
    periods = _weeks(LARGE_WEEKS)
    rows: list[tuple[int, datetime.date, float, float | None, str]] = []
    for (i, _), measure in zip(missing, created, strict=True):
        rng = np.random.default_rng([SEED, i])
        values, denominators = _many_series(
            rng, TEMPLATES[i % len(TEMPLATES)], LARGE_WEEKS
        )
        dens = [None] * LARGE_WEEKS if denominators is None else denominators.tolist()
        rows.extend(
            (measure.pk, p, v, d, "")
            for p, v, d in zip(periods, values.tolist(), dens, strict=True)
        )
    _insert_points(rows)
    demo.created["measures"] += len(created)
    demo.created["data points"] += len(rows)


def _insert_points(
    rows: list[tuple[int, datetime.date, float, float | None, str]],
) -> None:
    """Insert (measure id, period, value, denominator, note) rows in one go.

    Plain ``executemany`` rather than ``bulk_create``: building 130,000 model
    instances took five of the large demo's seconds, the insert itself a fraction.
    """
    table = connection.ops.quote_name(DataPoint._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (measure_id, period, value, denominator, note) "
            "VALUES (%s, %s, %s, %s, %s)",
            rows,
        )
    # Rows written without the ORM send no signals: move updated_at by hand, as
    # every cached view of a measure's chart is keyed on it.
    Measure.objects.filter(pk__in={row[0] for row in rows}).update(
        updated_at=timezone.now()
    )
