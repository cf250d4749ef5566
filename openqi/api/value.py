"""/organisations/{slug}/…: a project's benefits in six domains, the organisation's
investment by financial year, and the programme's return.

Every member reads them; a project's lead, the QI team and administrators record
its benefits; administrators and the QI team record investment. Input is checked
by the pages' forms (openqi.value.forms) and saved by openqi.value.services.
Money is in pounds (GBP); numbers in answers are strings of the exact decimal.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ninja import Field, Query, Router, Schema, Status
from typing_extensions import TypeAliasType

from openqi.organisations.permissions import MemberRequest, api_access, require
from openqi.projects.services import get_project_for
from openqi.value import services
from openqi.value.forms import BenefitForm, InvestmentForm
from openqi.value.models import Benefit, Domain, Investment
from openqi.value.permissions import (
    RECORD_BENEFITS,
    RECORD_INVESTMENT,
    RECORD_PROJECT_BENEFITS,
    VIEW_VALUE,
)

from .lookups import check, date_fields
from .schemas import Day, Number, Page, PageQuery
from .views import ERRORS, WRITE_ERRORS, paginate

router = Router(tags=["value"])

# The models' choices under names of their own (the document keeps one schema per name).
BenefitKind = TypeAliasType("BenefitKind", Benefit.Kind)
BenefitConfidence = TypeAliasType("BenefitConfidence", Benefit.Confidence)
BenefitRecurrence = TypeAliasType("BenefitRecurrence", Benefit.Recurrence)
BenefitDomain = TypeAliasType("BenefitDomain", Domain)
InvestmentCategory = TypeAliasType("InvestmentCategory", Investment.Category)

BENEFITS = "/organisations/{slug}/projects/{project_id}/benefits"

#: Form field → API field, so errors name the field the caller sent.
FIELDS = {"measure": "measure_id"}


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


class BenefitOut(Schema):
    id: int
    project_id: int
    title: str
    kind: BenefitKind
    domain: BenefitDomain
    money: str | None = Field(
        description="Pounds: the total of a one-off benefit, or a year's amount."
    )
    quantity: str | None = Field(description="Natural units (total, or a year's).")
    unit_label: str
    unit_value: str | None = Field(description="Pounds per natural unit, if given.")
    method: str
    confidence: BenefitConfidence
    recurrence: BenefitRecurrence
    start_date: date
    end_date: date | None
    is_cash_releasing: bool
    measure_id: int | None
    change_per_period: float | None = Field(
        description="The measure's change between the centre lines of its latest "
        "phase break, when the benefit was taken from it."
    )
    phase_began: date | None
    version: int


class BenefitIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    kind: BenefitKind
    domain: BenefitDomain
    money: Number | None = Field(None, description="Pounds (money domains only).")
    quantity: Number | None = None
    unit_label: str = Field("", max_length=60)
    unit_value: Number | None = Field(
        None, description="Pounds per unit: with no money, money = quantity × this."
    )
    method: str = Field(min_length=1, max_length=5000)
    confidence: BenefitConfidence
    recurrence: BenefitRecurrence
    start_date: Day
    end_date: Day | None = None
    is_cash_releasing: bool = False
    measure_id: int | None = Field(None, description="A measure linked to the project.")


class InvestmentOut(Schema):
    id: int
    year: int = Field(description="The financial year's first year: 2024 is 2024/25.")
    category: InvestmentCategory
    amount: str = Field(description="Pounds.")
    note: str
    version: int


class InvestmentIn(Schema):
    year: int = Field(ge=2000, le=2100)
    category: InvestmentCategory
    amount: Number
    note: str = Field("", max_length=200)


class ScenarioOut(Schema):
    name: str = Field(description="low, central or high.")
    counts: str
    benefits: str
    investment: str
    roi: str | None = Field(description="(benefits − investment) / investment.")
    break_even_year: int | None
    threshold_position: float | None = Field(
        description="Years from the start of the first year where cumulative "
        "benefits reach the cumulative investment."
    )
    threshold_amount: str | None


class YearOut(Schema):
    year: int
    label: str
    investment: str
    turnover: str | None
    share_of_turnover_percent: str | None
    benefits: dict[str, str]
    cash_releasing: str
    cumulative_investment: str
    cumulative_benefits: dict[str, str]


class NaturalOut(Schema):
    domain: str
    unit_label: str
    realised: str
    expected: str


class ReturnOut(Schema):
    years: list[YearOut]
    scenarios: list[ScenarioOut]
    benchmark_percent: str
    natural_units: list[NaturalOut]
    shared_benefit_ids: list[int] = Field(
        description="Benefits left out of the totals: another project's benefit "
        "claims the same measure over the same dates and was recorded first."
    )


def _benefit_out(benefit: Benefit) -> dict[str, Any]:
    return {
        "id": benefit.pk,
        "project_id": benefit.project_id,
        "title": benefit.title,
        "kind": benefit.kind,
        "domain": benefit.domain,
        "money": _text(benefit.money),
        "quantity": _text(benefit.quantity),
        "unit_label": benefit.unit_label,
        "unit_value": _text(benefit.unit_value),
        "method": benefit.method,
        "confidence": benefit.confidence,
        "recurrence": benefit.recurrence,
        "start_date": benefit.start_date,
        "end_date": benefit.end_date,
        "is_cash_releasing": benefit.is_cash_releasing,
        "measure_id": benefit.measure_id,
        "change_per_period": benefit.change_per_period,
        "phase_began": benefit.phase_began,
        "version": benefit.version,
    }


def _investment_out(investment: Investment) -> dict[str, Any]:
    return {
        "id": investment.pk,
        "year": investment.year,
        "category": investment.category,
        "amount": str(investment.amount),
        "note": investment.note,
        "version": investment.version,
    }


def _number(value: float | None) -> str:
    return "" if value is None else repr(value)


@router.get(
    BENEFITS, response={200: Page[BenefitOut], **ERRORS}, url_name="value_benefits"
)
@api_access(VIEW_VALUE)
def list_benefits(
    request: MemberRequest, slug: str, project_id: int, query: Query[PageQuery]
) -> Any:
    """The project's expected and realised benefits."""
    project = get_project_for(request.membership, project_id)
    page = paginate(services.benefits_of(project), query)
    page["items"] = [_benefit_out(b) for b in page["items"]]
    return page


@router.post(
    BENEFITS, response={201: BenefitOut, **WRITE_ERRORS}, url_name="value_benefits"
)
@api_access(RECORD_BENEFITS)
def create_benefit(
    request: MemberRequest, slug: str, project_id: int, payload: BenefitIn
) -> Any:
    """Record a benefit (the project's lead, the QI team or an administrator)."""
    membership = request.membership
    project = get_project_for(membership, project_id)
    require(membership, RECORD_PROJECT_BENEFITS, project)
    data = payload.dict()
    form = BenefitForm(
        {
            "title": data["title"],
            "kind": data["kind"],
            "domain": data["domain"],
            "money": _number(data["money"]),
            "quantity": _number(data["quantity"]),
            "unit_label": data["unit_label"],
            "unit_value": _number(data["unit_value"]),
            "method": data["method"],
            "confidence": data["confidence"],
            "recurrence": data["recurrence"],
            "is_cash_releasing": data["is_cash_releasing"],
            "measure": data["measure_id"] or "",
            **date_fields("start_date", data["start_date"]),
            **date_fields("end_date", data["end_date"]),
        },
        project=project,
    )
    cleaned = check(form, FIELDS)
    benefit = services.save_benefit(
        form.instance, recorded_by=membership.user, **cleaned
    )
    return Status(201, _benefit_out(benefit))


@router.get(
    "/organisations/{slug}/investments",
    response={200: Page[InvestmentOut], **ERRORS},
    url_name="value_investments",
)
@api_access(VIEW_VALUE)
def list_investments(request: MemberRequest, slug: str, query: Query[PageQuery]) -> Any:
    """The organisation's investment in its improvement programme, by year."""
    page = paginate(services.investments_for(request.membership.organisation), query)
    page["items"] = [_investment_out(i) for i in page["items"]]
    return page


@router.post(
    "/organisations/{slug}/investments",
    response={201: InvestmentOut, **WRITE_ERRORS},
    url_name="value_investments",
)
@api_access(RECORD_INVESTMENT)
def create_investment(request: MemberRequest, slug: str, payload: InvestmentIn) -> Any:
    """Record investment (administrators and the QI team)."""
    data = payload.dict()
    form = InvestmentForm(
        {**data, "year": str(data["year"]), "amount": _number(data["amount"])},
        organisation=request.membership.organisation,
    )
    cleaned = check(form)
    investment = services.save_investment(form.instance, **cleaned)
    return Status(201, _investment_out(investment))


@router.get(
    "/organisations/{slug}/programme-return",
    response={200: ReturnOut, **ERRORS},
    url_name="value_return",
)
@api_access(VIEW_VALUE)
def programme_return(request: MemberRequest, slug: str) -> Any:
    """Benefits in money against investment by year, ROI and break-even in three
    scenarios, investment as a share of turnover, and natural units beside them."""
    found = services.programme(request.membership.organisation)
    result = found.result
    return {
        "years": [
            {
                "year": r.year,
                "label": r.label,
                "investment": str(r.investment),
                "turnover": _text(r.turnover),
                "share_of_turnover_percent": _text(r.share_of_turnover),
                "benefits": {k: str(v) for k, v in r.benefits.items()},
                "cash_releasing": str(r.cash_releasing),
                "cumulative_investment": str(r.cumulative_investment),
                "cumulative_benefits": {
                    k: str(v) for k, v in r.cumulative_benefits.items()
                },
            }
            for r in result.rows
        ],
        "scenarios": [
            {
                "name": s.name,
                "counts": s.counts,
                "benefits": str(s.benefits),
                "investment": str(s.investment),
                "roi": _text(s.roi),
                "break_even_year": s.break_even_year,
                "threshold_position": s.threshold.position if s.threshold else None,
                "threshold_amount": _text(s.threshold.amount) if s.threshold else None,
            }
            for s in result.scenarios
        ],
        "benchmark_percent": str(result.benchmark_percent),
        "natural_units": [
            {
                "domain": n.domain,
                "unit_label": n.unit_label,
                "realised": str(n.realised),
                "expected": str(n.expected),
            }
            for n in found.natural
        ],
        "shared_benefit_ids": sorted(found.shared),
    }
