"""/organisations/{slug}/benchmarks: measures defined once and reported by each
participant, with the funnel for the latest period and SPC per participant.

An organisation sees its own benchmarks and its system's (system and national);
a member organisation reports only its own row; the owning organisation's QI team
and administrators import values. Input is checked by the pages' forms; figures
are those stored when the values last changed (openqi.benchmark.services).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Max
from ninja import Field, Query, Router, Schema, Status
from typing_extensions import TypeAliasType

from openqi.benchmark import services
from openqi.benchmark.forms import MAX_IMPORT_BYTES, ValueForm, read_csv
from openqi.benchmark.models import Benchmark
from openqi.benchmark.permissions import (
    CHANGE_BENCHMARK,
    REPORT_VALUE,
    VIEW_BENCHMARKS,
)
from openqi.organisations.permissions import MemberRequest, api_access

from .errors import InvalidInput
from .schemas import Page, PageQuery
from .views import ERRORS, WRITE_ERRORS, paginate

BenchmarkScope = TypeAliasType("BenchmarkScope", Benchmark.Scope)
BenchmarkKind = TypeAliasType("BenchmarkKind", Benchmark.Kind)
BenchmarkFrequency = TypeAliasType("BenchmarkFrequency", Benchmark.Frequency)

router = Router(tags=["benchmarks"])

BENCHMARK = "/organisations/{slug}/benchmarks/{benchmark_id}"


class BenchmarkOut(Schema):
    id: int
    name: str
    owner: str = Field(description="The owning organisation's slug.")
    scope: BenchmarkScope
    kind: BenchmarkKind
    frequency: BenchmarkFrequency
    improvement: str
    multiplier: float
    overdispersion: bool
    numerator_definition: str
    denominator_definition: str
    source: str
    participants: int
    latest_period: datetime.date | None


class ParticipantOut(Schema):
    id: int
    name: str
    code: str
    numerator: float | None
    denominator: float | None
    value: float | None
    lower998: float | None
    upper998: float | None
    outlier: str = Field(description="high, low, none, or empty: no value this period.")
    variation: str = Field(description="The MDC variation of its own SPC chart.")
    assurance: str
    sparkline: list[list[Any]] = Field(
        description="[month, value, signal], oldest first."
    )


class BenchmarkDetailOut(BenchmarkOut):
    funnel: dict[str, Any] = Field(
        description="target, phi, tau2, adjusted, limit, multiply and units (each "
        "with value, 95% and 99.8% limits and outlier) for the latest period."
    )
    description: str = Field(description="The funnel plot in words.")
    warnings: list[str]
    items: list[ParticipantOut]
    total: int
    limit: int
    offset: int


class ValueIn(Schema):
    period: str = Field(max_length=10, description="The month, like 2024-03.")
    numerator: float
    denominator: float


class ValueOut(Schema):
    participant_id: int
    period: datetime.date
    numerator: float
    denominator: float
    version: int


class ImportIn(Schema):
    csv: str = Field(
        max_length=MAX_IMPORT_BYTES,
        description="CSV text with columns code, period, numerator, denominator.",
    )


class ImportOut(Schema):
    imported: int


def _out(
    benchmark: Benchmark, latest: datetime.date | None, count: int
) -> dict[str, Any]:
    return {
        "id": benchmark.pk,
        "name": benchmark.name,
        "owner": benchmark.organisation.slug,
        "scope": benchmark.scope,
        "kind": benchmark.kind,
        "frequency": benchmark.frequency,
        "improvement": benchmark.improvement,
        "multiplier": benchmark.multiplier,
        "overdispersion": benchmark.overdispersion,
        "numerator_definition": benchmark.numerator_definition,
        "denominator_definition": benchmark.denominator_definition,
        "source": benchmark.source,
        "participants": count,
        "latest_period": latest,
    }


@router.get(
    "/organisations/{slug}/benchmarks",
    response={200: Page[BenchmarkOut], **ERRORS},
    url_name="benchmarks",
)
@api_access(VIEW_BENCHMARKS)
def list_benchmarks(request: MemberRequest, slug: str, query: Query[PageQuery]) -> Any:
    """The benchmarks this organisation sees: its own and its system's."""
    benchmarks = (
        services.benchmarks_for(request.membership.organisation)
        .annotate(
            taking_part=Count("participants", distinct=True),
            latest=Max("result__period"),
        )
        .order_by("name", "pk")
    )
    page = paginate(benchmarks, query)
    page["items"] = [_out(b, b.latest, b.taking_part) for b in page["items"]]
    return page


@router.get(
    BENCHMARK, response={200: BenchmarkDetailOut, **ERRORS}, url_name="benchmark"
)
@api_access(VIEW_BENCHMARKS)
def get_benchmark(
    request: MemberRequest, slug: str, benchmark_id: int, query: Query[PageQuery]
) -> Any:
    """The funnel for the latest period and each participant's figures and SPC in
    brief, a page of participants at a time."""
    benchmark = services.get_benchmark_for(request.membership, benchmark_id)
    result = services.result_for(benchmark)
    summaries = services.summaries_for(benchmark).defer(
        "sparkline_svg", "icon_svg", "sparkline_text"
    )
    page = paginate(summaries, query)
    items = [
        {
            "id": s.participant_id,
            "name": s.participant.name,
            "code": s.participant.code,
            "numerator": s.numerator,
            "denominator": s.denominator,
            "value": s.value,
            "lower998": s.lower998,
            "upper998": s.upper998,
            "outlier": s.outlier,
            "variation": s.variation,
            "assurance": s.assurance,
            "sparkline": s.sparkline,
        }
        for s in page["items"]
    ]
    return {
        **_out(benchmark, result.period if result else None, page["total"]),
        "funnel": result.funnel if result else {},
        "description": result.description if result else "",
        "warnings": result.warnings if result else [],
        **page,
        "items": items,
    }


@router.post(
    BENCHMARK + "/participants/{participant_id}/values",
    response={201: ValueOut, **WRITE_ERRORS},
    url_name="benchmark_values",
)
@api_access(REPORT_VALUE)
def report_value(
    request: MemberRequest,
    slug: str,
    benchmark_id: int,
    participant_id: int,
    payload: ValueIn,
) -> Any:
    """Report a participant's value for a month (a member organisation reports
    only its own row); a value already held for the month is replaced."""
    membership = request.membership
    benchmark = services.get_benchmark_for(membership, benchmark_id)
    participant = services.get_participant_for(membership, benchmark, participant_id)
    services.require_report(membership, participant)
    form = ValueForm(
        {
            "period": payload.period,
            "numerator": str(payload.numerator),
            "denominator": str(payload.denominator),
        },
        benchmark=benchmark,
    )
    if not form.is_valid():
        raise InvalidInput({f: [str(m) for m in ms] for f, ms in form.errors.items()})
    data = form.cleaned_data
    value = services.report_value(
        participant, data["period"], data["numerator"], data["denominator"]
    )
    return Status(
        201,
        {
            "participant_id": participant.pk,
            "period": value.period,
            "numerator": value.numerator,
            "denominator": value.denominator,
            "version": value.version,
        },
    )


@router.post(
    BENCHMARK + "/import",
    response={201: ImportOut, **WRITE_ERRORS},
    url_name="benchmark_import",
)
@api_access(CHANGE_BENCHMARK)
def import_values(
    request: MemberRequest, slug: str, benchmark_id: int, payload: ImportIn
) -> Any:
    """Import values from CSV text, all or nothing: any bad row and nothing is
    changed, with one message per bad row (the owner's QI team and administrators)."""
    membership = request.membership
    benchmark = services.get_benchmark_for(membership, benchmark_id)
    services.require_change(membership, benchmark)
    rows, errors = read_csv(benchmark, payload.csv)
    if errors:
        raise InvalidInput({"csv": ["Nothing was imported.", *errors]})
    return Status(201, {"imported": services.import_values(benchmark, rows)})
