"""Demo step: the return on Riverside's improvement programme over three financial
years (2024/25 to 2026/27).

From ``data/value.json``: the trust's turnover in each year (£418m to £452m); its
investment in the programme by year and category (central team, training, staff
time released, tools, external support), rising from about 0.3% of turnover to
about 0.5% and then steady; and expected and realised benefits of its projects in
all six domains, in money and in natural units (bed days, staff hours, infections
and falls avoided), one-off and recurring, cash-releasing or not, each with how it
was worked out and how confident the team is. Realised benefits build up so that,
counting every realised benefit (the central scenario), the cumulative benefits
pass the cumulative investment during 2026/27, the third year.

One realised benefit is taken from the phase break on the discharge summaries
measure, its change per period from the centre lines either side of the break
(:func:`openqi.value.services.phase_change`, as the benefit form offers it). The
weekend physiotherapy project claims the same length-of-stay measure over the same
months as the hip fracture project, recorded after it, so the programme shows it
as shared and counts it once.

Everything is saved through the value services, so it is on the audit trail as the
demo command's. At ``large`` :data:`LARGE_BENEFITS` more benefits in natural units
(patient, staff and productivity domains, never money, so the programme's return
is the same at both sizes) go on the extra projects, inserted in bulk and, like
the other bulk rows, not put on the audit trail.

Idempotent: a turnover, an investment (year and category) or a benefit (project
and title) already there is left as it is.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from openqi.measures.models import Measure
from openqi.organisations.models import Organisation
from openqi.projects.models import Project
from openqi.value import services
from openqi.value.models import Benefit, Investment

from .base import Demo
from .measures import SEED
from .projects import PROJECTS, TODAY
from .records import records

__all__ = ["BENEFITS", "INVESTMENT", "LARGE_BENEFITS", "TURNOVER", "add_value"]

#: Extra benefits at ``large``, on the extra projects, in natural units only.
LARGE_BENEFITS = 300
PENNY = Decimal("0.01")


@dataclass(frozen=True)
class _Turnover:
    year: int
    amount: str


@dataclass(frozen=True)
class _Investment:
    year: int
    category: str
    amount: str
    note: str = ""


@dataclass(frozen=True)
class _Benefit:
    project: str
    title: str
    kind: str
    domain: str
    method: str
    confidence: str
    recurrence: str
    start: datetime.date | None
    end: datetime.date | None = None
    money: str | None = None
    quantity: str | None = None
    unit_label: str = ""
    unit_value: str | None = None
    cash_releasing: bool = False
    measure: str = ""
    #: The quantity, dates and method come from the measure's latest phase break.
    from_phase_break: bool = False


@dataclass(frozen=True)
class _LargeTopic:
    domain: str
    unit_label: str
    quantity: str


TURNOVER = records(_Turnover, "value", "turnover")
INVESTMENT = records(_Investment, "value", "investment")
BENEFITS = records(_Benefit, "value", "benefits")
LARGE_TOPICS = records(_LargeTopic, "value", "large_topics")


def add_value(demo: Demo) -> None:
    """Riverside's turnover, investment and benefits; more benefits at ``large``."""
    riverside = demo.organisations["riverside"]
    _add_turnover(demo, riverside)
    _add_investment(demo, riverside)
    _add_benefits(demo, riverside)
    if demo.size == "large":
        _add_many(demo, riverside)


def _add_turnover(demo: Demo, organisation: Organisation) -> None:
    have = set(services.turnovers_for(organisation).values_list("year", flat=True))
    for spec in TURNOVER:
        if spec.year not in have:
            services.save_turnover(
                organisation, year=spec.year, amount=Decimal(spec.amount)
            )
            demo.created["years of turnover"] += 1


def _add_investment(demo: Demo, organisation: Organisation) -> None:
    have = set(services.investments_for(organisation).values_list("year", "category"))
    for spec in INVESTMENT:
        if (spec.year, spec.category) in have:
            continue
        services.save_investment(
            Investment(organisation=organisation),
            year=spec.year,
            category=spec.category,
            amount=Decimal(spec.amount),
            note=spec.note,
        )
        demo.created["investments"] += 1


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _add_benefits(demo: Demo, organisation: Organisation) -> None:
    projects = {
        p.title: p
        for p in Project.objects.for_organisation(organisation)
        .filter(title__in={b.project for b in BENEFITS})
        .select_related("lead")
    }
    have = set(
        Benefit.objects.for_organisation(organisation)
        .filter(project__in=list(projects.values()))
        .values_list("project_id", "title")
    )
    measures = {
        m.name: m
        for m in Measure.objects.for_organisation(organisation).filter(
            name__in={b.measure for b in BENEFITS if b.measure}
        )
    }
    for spec in BENEFITS:
        project = projects.get(spec.project)
        if project is None or (project.pk, spec.title) in have:
            continue
        measure = measures.get(spec.measure) if spec.measure else None
        if spec.measure and measure is None:
            continue  # the measure is missing (as the A&E one is without its data)
        fields = _fields(spec, measure)
        if fields is None:
            continue
        services.save_benefit(
            Benefit(project=project), recorded_by=project.lead, **fields
        )
        demo.created["benefits"] += 1


def _fields(spec: _Benefit, measure: Measure | None) -> dict[str, object] | None:
    """The benefit's fields as the benefit form's cleaned data would hold them."""
    quantity, unit_value = _decimal(spec.quantity), _decimal(spec.unit_value)
    money = _decimal(spec.money)
    if money is None and quantity is not None and unit_value is not None:
        money = (quantity * unit_value).quantize(PENNY, ROUND_HALF_UP)
    fields: dict[str, object] = {
        "title": spec.title,
        "kind": spec.kind,
        "domain": spec.domain,
        "money": money,
        "quantity": quantity,
        "unit_label": spec.unit_label,
        "unit_value": unit_value,
        "method": spec.method,
        "confidence": spec.confidence,
        "recurrence": spec.recurrence,
        "start_date": spec.start,
        "end_date": spec.end,
        "is_cash_releasing": spec.cash_releasing,
        "measure": measure,
        "change_per_period": None,
        "phase_began": None,
    }
    if spec.from_phase_break:
        if measure is None:
            return None
        fields.update(_from_phase_break(measure) or {})
        if fields["start_date"] is None:
            return None  # no phase break to take it from
    return fields


def _from_phase_break(measure: Measure) -> dict[str, object] | None:
    """A realised benefit's values from the measure's latest phase break, as the
    benefit form offers them (:func:`openqi.value.services.benefit_from_phase_break`)."""
    found = services.benefit_from_phase_break(measure)
    if found is None:
        return None
    keep = ("quantity", "unit_label", "start_date", "end_date", "change_per_period")
    return {key: found[key] for key in (*keep, "phase_began", "method")}


# ----------------------------------------------------------------- large


def _add_many(demo: Demo, organisation: Organisation) -> None:
    """Benefits in natural units on the extra projects that have begun, in bulk."""
    curated = {p.title for p in PROJECTS}
    projects = list(
        Project.objects.for_organisation(organisation)
        .filter(
            status__in=(
                Project.Status.ACTIVE,
                Project.Status.SUSTAINING,
                Project.Status.COMPLETED,
            ),
            start_date__isnull=False,
        )
        .exclude(title__in=curated)
        .order_by("pk")
        .values_list("pk", "lead_id", "status", "start_date")[:LARGE_BENEFITS]
    )
    have = set(
        Benefit.objects.filter(project_id__in=[p[0] for p in projects]).values_list(
            "project_id", flat=True
        )
    )
    first_day, last_day = datetime.date(2024, 4, 1), datetime.date(2027, 3, 31)
    rows = []
    for pk, lead_id, status, start in projects:
        if pk in have:
            continue
        rng = np.random.default_rng([SEED, 16, pk])
        topic = LARGE_TOPICS[pk % len(LARGE_TOPICS)]
        begins = max(first_day, start + datetime.timedelta(days=90))
        realised = status != Project.Status.ACTIVE and begins <= TODAY
        if begins > last_day:
            continue
        quantity = Decimal(topic.quantity) * int(rng.integers(2, 13))
        rows.append(
            Benefit(
                project_id=pk,
                title=f"{topic.unit_label.capitalize()} ({_kind_word(realised)})",
                kind=Benefit.Kind.REALISED if realised else Benefit.Kind.EXPECTED,
                domain=topic.domain,
                quantity=quantity,
                unit_label=topic.unit_label,
                method="The team's count before and after the change, scaled to a year.",
                confidence=("low", "medium", "high")[int(rng.integers(3))],
                recurrence=Benefit.Recurrence.RECURRING,
                start_date=begins,
                end_date=last_day,
                recorded_by_id=lead_id,
            )
        )
    Benefit.objects.bulk_create(rows, batch_size=1000)
    demo.created["benefits"] += len(rows)


def _kind_word(realised: bool) -> str:
    return "realised" if realised else "expected"
