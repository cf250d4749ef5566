"""Benefits, investment and the programme's return: finding records, saving them,
the realised change a measure's latest phase break gives, and the programme's
figures (kept until the organisation's data change)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from openqi.audit.kept import kept
from openqi.measures.charts import chart_for
from openqi.measures.models import Measure
from openqi.organisations.access import find_for
from openqi.organisations.models import Membership, Organisation
from openqi.projects.models import Project

from .models import MONEY_DOMAINS, Benefit, Domain, Investment, Turnover
from .returns import (
    Claim,
    Flow,
    ProgrammeReturn,
    financial_year,
    programme_return,
    shared_claims,
    spread_by_year,
)

#: Moves when what is kept changes shape, so an older release's values are not read.
KEPT_FORMAT = 2

PERIODS_PER_YEAR = {
    Measure.Frequency.DAILY: 365,
    Measure.Frequency.WEEKLY: 52,
    Measure.Frequency.MONTHLY: 12,
    Measure.Frequency.QUARTERLY: 4,
}


# Finding ------------------------------------------------------------------------


def benefits_of(project: Project) -> QuerySet[Benefit]:
    return Benefit.objects.filter(project=project).select_related("measure")


def get_benefit_for(membership: Membership, project: Project, pk: int) -> Benefit:
    """The project's benefit ``pk``, or a 404 that says where the API lists them."""
    benefits = benefits_of(project)
    benefit = find_for(
        membership, benefits, pk, "benefit", f"projects/{project.pk}/benefits"
    )
    benefit.project = project
    return benefit


def investments_for(organisation: Organisation) -> QuerySet[Investment]:
    return Investment.objects.for_organisation(organisation)


def get_investment_for(membership: Membership, pk: int) -> Investment:
    return find_for(
        membership,
        investments_for(membership.organisation),
        pk,
        "investment",
        "investments",
    )


def turnovers_for(organisation: Organisation) -> QuerySet[Turnover]:
    return Turnover.objects.for_organisation(organisation)


def linked_measures(project: Project) -> QuerySet[Measure]:
    return Measure.objects.filter(project_links__project=project).order_by("name")


# Saving -------------------------------------------------------------------------


def save_benefit(benefit: Benefit, **fields: Any) -> Benefit:
    """Create or change a benefit; ``fields`` come from a validated BenefitForm."""
    for name, value in fields.items():
        setattr(benefit, name, value)
    benefit.save()
    return benefit


def delete_benefit(benefit: Benefit) -> None:
    benefit.delete()


def save_investment(investment: Investment, **fields: Any) -> Investment:
    for name, value in fields.items():
        setattr(investment, name, value)
    investment.save()
    return investment


def delete_investment(investment: Investment) -> None:
    investment.delete()


def save_turnover(
    organisation: Organisation, *, year: int, amount: Decimal
) -> Turnover:
    """Set the year's turnover (a second entry for a year replaces the first)."""
    with transaction.atomic():
        turnover = turnovers_for(organisation).filter(year=year).first()
        if turnover is None:
            turnover = Turnover(organisation=organisation, year=year)
        turnover.amount = amount
        turnover.save()
    return turnover


# The realised change of a phase break --------------------------------------------


#: Kinds of measure whose plotted value is a ratio: a change in it is a change per
#: unit of the denominator, so a year's worth is counted in numerator events.
_RATIO_KINDS = frozenset({Measure.Kind.PROPORTION, Measure.Kind.RATE})
#: The longest unit a benefit holds (Benefit.unit_label).
_UNIT_LENGTH = 60


@dataclass(frozen=True)
class PhaseChange:
    """The change between the centre lines either side of a measure's latest phase
    break. ``gain_per_period`` is positive when the change is an improvement (for a
    measure where lower is better, the fall), else the rise."""

    measure_id: int
    measure_name: str
    unit_label: str
    kind: str
    before_centre: float
    after_centre: float
    before_from: str
    after_from: str
    phase_began: datetime.date
    change_per_period: float
    gain_per_period: float
    periods_per_year: int
    frequency: str
    #: The plotted value's multiplier (100 for a percentage).
    multiplier: float = 1.0
    #: The mean denominator of the points since the phase began (ratio kinds).
    mean_denominator: float | None = None
    #: What the numerator counts (ratio kinds), and whether lower is better.
    numerator: str = ""
    lower_is_better: bool = False

    @property
    def yearly_quantity(self) -> float | None:
        """A year's worth of the gain, in natural units, or None when the measure
        alone cannot say (a measurement such as a mean length of stay, or the time
        between events: the person enters the yearly quantity it gives).

        A count: the gain a period × the periods in a year. A proportion or rate:
        the gain ÷ the multiplier × the mean denominator since the phase began ×
        the periods in a year — the numerator events gained (a 5 % rise on 400
        patients a month is 20 patients a month, 240 a year)."""
        if self.kind == Measure.Kind.COUNT:
            return self.gain_per_period * self.periods_per_year
        if self.kind in _RATIO_KINDS and self.mean_denominator:
            per_unit = self.gain_per_period / (self.multiplier or 1.0)
            return per_unit * self.mean_denominator * self.periods_per_year
        return None

    @property
    def yearly_unit(self) -> str:
        """What :attr:`yearly_quantity` counts."""
        if self.kind in _RATIO_KINDS:
            what = " ".join(self.numerator.split())
            named = f"{'fewer' if self.lower_is_better else 'more'} {what[:1].lower()}{what[1:]}"
            if what and len(named) <= _UNIT_LENGTH:
                return named
            return "events counted in the numerator"
        return self.unit_label or "events"

    @property
    def how_yearly(self) -> str:
        """How :attr:`yearly_quantity` was worked out, in words."""
        per = f"{abs(self.gain_per_period):.4g} per {self.frequency} period"
        better = "better" if self.gain_per_period > 0 else "worse"
        if self.kind == Measure.Kind.COUNT:
            return f"{per} {better}, × {self.periods_per_year} periods a year"
        if self.yearly_quantity is not None:
            return (
                f"{per} {better}, ÷ {self.multiplier:g} (the multiplier) × "
                f"{self.mean_denominator:,.4g} (the mean denominator since the phase "
                f"began) × {self.periods_per_year} periods a year"
            )
        return (
            f"{per} {better}; a change in a measurement is not a yearly quantity by "
            "itself: enter what it gives in a year (bed days, hours) yourself"
        )


def _phase_change(measure: Measure) -> PhaseChange | None:
    points = list(measure.points.order_by("period"))
    try:
        chart = chart_for(measure, points)
    except ValueError:
        return None
    if chart is None or len(chart.phases) < 2:
        return None
    before, after = chart.phases[-2], chart.phases[-1]
    change = after.centre - before.centre
    gain = -change if measure.improvement == Measure.Improvement.DECREASE else change
    denominators = [
        p.denominator
        for p in points[after.start : after.end + 1]
        if p.denominator is not None and p.value is not None
    ]
    return PhaseChange(
        measure_id=measure.pk,
        measure_name=measure.name,
        unit_label=measure.unit_label,
        kind=measure.kind,
        before_centre=before.centre,
        after_centre=after.centre,
        before_from=before.first_period,
        after_from=after.first_period,
        phase_began=points[after.start].period,
        change_per_period=change,
        gain_per_period=gain,
        periods_per_year=PERIODS_PER_YEAR.get(measure.frequency, 12),  # type: ignore[call-overload]  # a TextChoices value is a str
        frequency=measure.get_frequency_display().lower(),
        multiplier=measure.multiplier or 1.0,
        mean_denominator=(
            sum(denominators) / len(denominators) if denominators else None
        ),
        numerator=measure.numerator_definition,
        lower_is_better=measure.improvement == Measure.Improvement.DECREASE,
    )


def benefit_from_phase_break(measure: Measure) -> dict[str, Any] | None:
    """A realised benefit's starting values from the measure's latest phase break
    (the benefit form offers them; the demo records them), or None when it has no
    phase break with a gain: the change between the centre lines, its yearly
    quantity in natural units (:attr:`PhaseChange.yearly_quantity`), for the year
    after the new phase began."""
    return benefit_from_change(measure, phase_change(measure))


def benefit_from_change(
    measure: Measure, change: PhaseChange | None
) -> dict[str, Any] | None:
    """:func:`benefit_from_phase_break` for a phase change already looked up
    (``phase_change(measure)``): a view that shows the change too asks once."""
    if change is None or change.gain_per_period <= 0:
        return None
    start = change.phase_began
    yearly = change.yearly_quantity
    quantity = Decimal(str(round(yearly, 2))) if yearly is not None else None
    return {
        "title": f"Realised change in {measure.name}",
        "measure": measure.pk,
        "quantity": quantity if quantity is not None and quantity > 0 else None,
        "unit_label": (change.yearly_unit or f"units of {measure.name}")[:60],
        "recurrence": Benefit.Recurrence.RECURRING,
        "start_date": start,
        "end_date": datetime.date(start.year + 1, start.month, 1)
        - datetime.timedelta(days=1),
        "change_per_period": change.change_per_period,
        "phase_began": start,
        "method": (
            f"The centre line of {measure.name} moved from "
            f"{change.before_centre:.4g} (from {change.before_from}) to "
            f"{change.after_centre:.4g} (from {change.after_from}): "
            f"{change.how_yearly}."
        ),
    }


def phase_change(measure: Measure) -> PhaseChange | None:
    """The realised change of the measure's latest phase break, or None when it has
    none (kept until the organisation's data change; the chart is not drawn per
    request)."""
    return kept(
        measure.organisation_id,
        f"value:phase-change:{KEPT_FORMAT}:{measure.pk}",
        lambda: _phase_change(measure),
    )


def phase_changes(project: Project) -> list[PhaseChange]:
    """The realised change of each of the project's measures with a phase break."""
    measures = linked_measures(project).filter(phase_breaks__isnull=False).distinct()
    found = [phase_change(m) for m in measures]
    return [c for c in found if c is not None]


# The programme ------------------------------------------------------------------


@dataclass(frozen=True)
class SharedWith:
    project_id: int
    project: str
    benefit: str


@dataclass(frozen=True)
class NaturalRow:
    domain: str
    unit_label: str
    realised: Decimal
    expected: Decimal


@dataclass(frozen=True)
class Programme:
    result: ProgrammeReturn
    #: benefit pk → the counted benefit of another project it overlaps
    shared: dict[int, SharedWith]
    natural: tuple[NaturalRow, ...]
    benefit_count: int
    money_benefit_count: int
    has_turnover: bool


def _programme(
    organisation: Organisation, as_at: datetime.date | None = None
) -> Programme:
    """The programme's figures; with ``as_at``, as they stood on that day: only
    benefits dated on or before it (a recurring one counted up to it) and the
    investment and turnover of financial years begun by then."""
    benefits = Benefit.objects.for_organisation(organisation)
    if as_at is not None:
        benefits = benefits.filter(start_date__lte=as_at)
    rows = list(
        benefits.values(
            "pk",
            "title",
            "kind",
            "domain",
            "money",
            "quantity",
            "unit_label",
            "confidence",
            "recurrence",
            "start_date",
            "end_date",
            "is_cash_releasing",
            "measure_id",
            "created_at",
            "project_id",
            "project__title",
        ).order_by("created_at", "pk")
    )
    if as_at is not None:
        for r in rows:
            if r["end_date"] is not None and r["end_date"] > as_at:
                r["end_date"] = as_at
    claims = [
        Claim(
            key=r["pk"],
            project=str(r["project_id"]),
            kind=r["kind"],
            measure=r["measure_id"],
            start=r["start_date"],
            end=r["end_date"],
            order=(r["created_at"], r["pk"]),
        )
        for r in rows
    ]
    shared_keys = shared_claims(claims)
    by_pk = {r["pk"]: r for r in rows}
    shared = {
        pk: SharedWith(
            project_id=by_pk[c.key]["project_id"],
            project=by_pk[c.key]["project__title"],
            benefit=by_pk[c.key]["title"],
        )
        for pk, c in shared_keys.items()
    }
    flows: list[Flow] = []
    natural: dict[tuple[str, str], dict[str, Decimal]] = {}
    for r in rows:
        if r["pk"] in shared:
            continue
        is_recurring = r["recurrence"] == Benefit.Recurrence.RECURRING
        is_realised = r["kind"] == Benefit.Kind.REALISED
        if r["money"] is not None and r["domain"] in MONEY_DOMAINS:
            flows.append(
                Flow(
                    amount=r["money"],
                    start=r["start_date"],
                    end=r["end_date"],
                    is_recurring=is_recurring,
                    is_realised=is_realised,
                    confidence=r["confidence"],
                    is_cash_releasing=r["is_cash_releasing"],
                )
            )
        if r["quantity"] is not None:
            total = sum(
                spread_by_year(
                    Flow(r["quantity"], r["start_date"], r["end_date"], is_recurring)
                ).values(),
                Decimal(0),
            )
            sums = natural.setdefault(
                (r["domain"], r["unit_label"]),
                {"realised": Decimal(0), "expected": Decimal(0)},
            )
            sums[r["kind"]] += total
    investment_rows = investments_for(organisation)
    turnover_rows = turnovers_for(organisation)
    if as_at is not None:
        investment_rows = investment_rows.filter(year__lte=financial_year(as_at))
        turnover_rows = turnover_rows.filter(year__lte=financial_year(as_at))
    investments: dict[int, Decimal] = {}
    for year, amount in investment_rows.values_list("year", "amount"):
        investments[year] = investments.get(year, Decimal(0)) + amount
    turnovers = dict(turnover_rows.values_list("year", "amount"))
    order = list(Domain.values)
    natural_rows = tuple(
        NaturalRow(Domain(domain).label, unit, sums["realised"], sums["expected"])
        for (domain, unit), sums in sorted(
            natural.items(), key=lambda kv: (order.index(kv[0][0]), kv[0][1])
        )
    )
    return Programme(
        result=programme_return(flows, investments, turnovers),
        shared=shared,
        natural=natural_rows,
        benefit_count=len(rows),
        money_benefit_count=len(flows),
        has_turnover=bool(turnovers),
    )


def programme(organisation: Organisation) -> Programme:
    """The programme's return and what it counts, kept until the data change."""
    return kept(
        organisation.pk,
        f"value:programme:{KEPT_FORMAT}",
        lambda: _programme(organisation),
    )


def programme_as_at(organisation: Organisation, as_at: datetime.date) -> Programme:
    """The programme's return as it stood on ``as_at`` (for a board report's
    snapshot, which is itself kept or stored, so this is not kept again)."""
    return _programme(organisation, as_at)
