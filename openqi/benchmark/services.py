"""Benchmarks: who sees which, reporting and importing values, and the funnel and
SPC per participant computed when the values change.

Visibility (:func:`benchmarks_for`): an organisation sees the benchmarks it owns,
and a provider in a system sees its system's benchmarks (system and national):
every member of the system sees every member's values — that is what they agreed
to by joining. A units benchmark is seen only by the owning organisation.

Every change of values ends in :func:`recompute`, which stores the funnel for the
latest period (:class:`~openqi.benchmark.models.BenchmarkResult`) and each
participant's SPC chart in brief (:class:`~openqi.benchmark.models.ParticipantSummary`),
through :func:`openqi.spc.funnel` and one :func:`openqi.spc.p_batch` (proportions)
or :func:`openqi.spc.u_batch` (observed/expected ratios) call for all participants.
"""

from __future__ import annotations

import datetime
import html
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet

from openqi.audit.kept import kept
from openqi.audit.services import record_rows
from openqi.measures.models import DataPoint
from openqi.organisations.access import find_for
from openqi.organisations.models import Membership, Organisation
from openqi.organisations.permissions import has
from openqi.spc import (
    ASSURANCES,
    SIGNALS,
    VARIATIONS,
    p_batch,
    p_chart,
    render_funnel_svg,
    render_svg,
    u_batch,
    u_chart,
)
from openqi.spc.funnel import funnel
from openqi.spc.icons import variation_icon_svg
from openqi.spc.render_sparkline import sparkline_svg, sparkline_text
from openqi.spc.results import FunnelUnit

from .models import (
    Benchmark,
    BenchmarkResult,
    Participant,
    ParticipantSummary,
    Value,
)
from .permissions import CHANGE_BENCHMARK, REPORT_VALUE

__all__ = [
    "benchmarks_for",
    "get_benchmark_for",
    "get_participant_for",
    "may_change",
    "may_report",
    "recompute",
    "report_value",
    "import_values",
    "refresh_from_measures",
    "create_benchmark",
    "full_chart",
]

#: Points kept for a participant's sparkline.
SPARKLINE_POINTS = 24
#: Bumped when what a full chart holds changes (the kept key carries it).
CHART_FORMAT = 1


# ---------------------------------------------------------------------------
# Who sees what


def benchmarks_for(organisation: Organisation) -> QuerySet[Benchmark]:
    """The benchmarks ``organisation``'s members may read: its own, and its
    system's system and national benchmarks."""
    shared = Q(organisation=organisation)
    if organisation.system_id is not None:
        shared |= Q(
            organisation_id=organisation.system_id,
            scope__in=(Benchmark.Scope.SYSTEM, Benchmark.Scope.NATIONAL),
        )
    return Benchmark.objects.filter(shared).select_related("organisation")


def get_benchmark_for(membership: Membership, pk: int) -> Benchmark:
    benchmarks = benchmarks_for(membership.organisation)
    return find_for(membership, benchmarks, pk, "benchmark", "benchmarks")


def get_participant_for(
    membership: Membership, benchmark: Benchmark, pk: int
) -> Participant:
    participants = benchmark.participants.select_related("organisation", "measure")
    return find_for(
        membership, participants, pk, "participant", f"benchmarks/{benchmark.pk}"
    )


def result_for(benchmark: Benchmark) -> BenchmarkResult | None:
    """The stored funnel of a benchmark already found through :func:`get_benchmark_for`."""
    return BenchmarkResult.objects.filter(benchmark=benchmark).first()


def summaries_for(benchmark: Benchmark) -> QuerySet[ParticipantSummary]:
    """The stored summaries of a benchmark already found, in the funnel's order."""
    return (
        ParticipantSummary.objects.filter(benchmark=benchmark)
        .select_related("participant")
        .order_by("position", "pk")
    )


def summary_for(participant: Participant) -> ParticipantSummary | None:
    return ParticipantSummary.objects.filter(participant=participant).first()


def may_change(membership: Membership, benchmark: Benchmark) -> bool:
    """Only the owning organisation's QI team and administrators change a benchmark."""
    return benchmark.organisation_id == membership.organisation_id and has(
        membership, CHANGE_BENCHMARK
    )


def require_change(membership: Membership, benchmark: Benchmark) -> None:
    if not may_change(membership, benchmark):
        if benchmark.organisation_id != membership.organisation_id:
            raise PermissionDenied(
                f"{benchmark.organisation.name} owns this benchmark: only its QI team "
                "or an administrator can change it."
            )
        raise PermissionDenied(
            "Only the QI team or an administrator of this organisation can do this."
        )


def may_report(membership: Membership, participant: Participant) -> bool:
    """A member organisation reports only its own row; the owner reports the rows
    of participants that are no OpenQI organisation (its units, providers in a
    file). A row computed from a linked measure is never typed in."""
    if not has(membership, REPORT_VALUE) or participant.measure_id is not None:
        return False
    if participant.organisation_id is not None:
        return participant.organisation_id == membership.organisation_id
    return participant.benchmark.organisation_id == membership.organisation_id


def require_report(membership: Membership, participant: Participant) -> None:
    if may_report(membership, participant):
        return
    if participant.measure_id is not None:
        raise PermissionDenied(
            f"{participant.name}'s values come from its measure: change the measure's "
            "data instead, then update the benchmark."
        )
    if not has(membership, REPORT_VALUE):
        raise PermissionDenied("A viewer cannot report values.")
    raise PermissionDenied(
        f"Only {participant.name}'s own members can report its values."
    )


# ---------------------------------------------------------------------------
# Changing benchmarks and values


def member_organisations(system: Organisation) -> QuerySet[Organisation]:
    return Organisation.objects.filter(system=system).order_by("name")


def ensure_members(benchmark: Benchmark) -> None:
    """A system benchmark has one participant per member organisation."""
    if benchmark.scope != Benchmark.Scope.SYSTEM:
        return
    have = set(benchmark.participants.values_list("organisation_id", flat=True))
    taken = set(benchmark.participants.values_list("code", flat=True))
    for member in member_organisations(benchmark.organisation):
        if member.pk in have:
            continue
        code = (member.ods_code or member.slug)[:20]
        if code in taken:
            code = f"{member.pk}"[:20]
        Participant.objects.create(
            benchmark=benchmark, name=member.name, code=code, organisation=member
        )
        taken.add(code)


def create_benchmark(organisation: Organisation, **fields: Any) -> Benchmark:
    """A new benchmark: a system's is for its members, anyone else's for its units."""
    scope = (
        Benchmark.Scope.SYSTEM
        if organisation.kind == Organisation.Kind.SYSTEM
        else Benchmark.Scope.UNITS
    )
    with transaction.atomic():
        benchmark = Benchmark.objects.create(
            organisation=organisation, scope=scope, **fields
        )
        ensure_members(benchmark)
        recompute(benchmark)
    return benchmark


def save_benchmark(benchmark: Benchmark, **fields: Any) -> Benchmark:
    """Change a benchmark's definition (``fields`` from a validated BenchmarkForm,
    with the version it was read at: a change made meanwhile is refused with
    VersionConflict) and recompute its results, which depend on it."""
    with transaction.atomic():
        for name, value in fields.items():
            setattr(benchmark, name, value)
        benchmark.save()
        recompute(benchmark)
    return benchmark


def add_participant(benchmark: Benchmark, **fields: Any) -> Participant:
    with transaction.atomic():
        participant = Participant.objects.create(benchmark=benchmark, **fields)
        if participant.measure_id is not None:
            refresh_from_measures(benchmark)
        else:
            recompute(benchmark)
    return participant


def report_value(
    participant: Participant,
    period: datetime.date,
    numerator: float,
    denominator: float,
) -> Value:
    """Set the participant's value for ``period`` (a new one or a change)."""
    with transaction.atomic():
        value = Value.objects.filter(participant=participant, period=period).first()
        if value is None:
            value = Value(participant=participant, period=period)
        value.numerator = numerator
        value.denominator = denominator
        value.save()
        recompute(participant.benchmark)
    return value


@dataclass(frozen=True)
class ImportRow:
    code: str
    period: datetime.date
    numerator: float
    denominator: float


def import_values(benchmark: Benchmark, rows: Iterable[ImportRow]) -> int:
    """Write checked rows (all of them, in one transaction) and recompute once;
    one audit event lists every row's old and new values."""
    rows = list(rows)
    participants = {p.code: p for p in benchmark.participants.all()}
    with transaction.atomic():
        existing = {
            (v.participant_id, v.period): v
            for v in Value.objects.filter(participant__benchmark=benchmark)
        }
        before: dict[str, dict[str, Any]] = {}
        after: dict[str, dict[str, Any]] = {}
        new: list[Value] = []
        changed: list[Value] = []
        for row in rows:
            participant = participants[row.code]
            key = f"{row.code} {row.period:%Y-%m}"
            old = existing.get((participant.pk, row.period))
            after[key] = {"numerator": row.numerator, "denominator": row.denominator}
            if old is None:
                new.append(
                    Value(
                        participant=participant,
                        period=row.period,
                        numerator=row.numerator,
                        denominator=row.denominator,
                    )
                )
            else:
                before[key] = {
                    "numerator": old.numerator,
                    "denominator": old.denominator,
                }
                old.numerator, old.denominator = row.numerator, row.denominator
                old.version += 1
                changed.append(old)
        Value.objects.bulk_create(new, batch_size=1000)
        Value.objects.bulk_update(
            changed, ["numerator", "denominator", "version"], batch_size=1000
        )
        record_rows(
            benchmark,
            summary=f"Imported {len(rows)} value{'' if len(rows) == 1 else 's'} "
            f"({len(new)} new, {len(changed)} changed).",
            before=before,
            after=after,
        )
        recompute(benchmark)
    return len(rows)


def period_start(benchmark: Benchmark, day: datetime.date) -> datetime.date:
    """The benchmark's period holding ``day``: its month, or its quarter."""
    if benchmark.frequency == Benchmark.Frequency.QUARTERLY:
        return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return datetime.date(day.year, day.month, 1)


def _rows_from_measures(benchmark: Benchmark) -> list[ImportRow]:
    """Each linked measure's data as its participant's values: a data point's value
    is the numerator; weekly or daily points are summed into the benchmark's months
    (or quarters)."""
    linked = {
        p.measure_id: p for p in benchmark.participants.filter(measure__isnull=False)
    }
    sums: dict[tuple[str, datetime.date], list[float]] = {}
    points = DataPoint.objects.filter(
        measure_id__in=list(linked), value__isnull=False, denominator__gt=0
    ).values_list("measure_id", "period", "value", "denominator")
    for measure_id, period, value, denominator in points:
        key = (linked[measure_id].code, period_start(benchmark, period))
        pair = sums.setdefault(key, [0.0, 0.0])
        pair[0] += float(value)
        pair[1] += float(denominator)
    return [
        ImportRow(code, period, numerator, denominator)
        for (code, period), (numerator, denominator) in sorted(sums.items())
        if 0 <= numerator
        and (benchmark.kind != Benchmark.Kind.PROPORTION or numerator <= denominator)
    ]


def refresh_from_measures(benchmark: Benchmark) -> int:
    """Copy each linked measure's data into its participant's values (only the
    values that differ, in one import) and recompute. Returns the number of values
    written."""
    rows = _rows_from_measures(benchmark)
    held = {
        (code, period): (numerator, denominator)
        for code, period, numerator, denominator in Value.objects.filter(
            participant__benchmark=benchmark, participant__measure__isnull=False
        ).values_list("participant__code", "period", "numerator", "denominator")
    }
    changed = [
        row
        for row in rows
        if held.get((row.code, row.period)) != (row.numerator, row.denominator)
    ]
    if not changed:
        if not BenchmarkResult.objects.filter(benchmark=benchmark).exists():
            recompute(benchmark)
        return 0
    return import_values(benchmark, changed)


def kept_up_to_date(benchmark: Benchmark) -> None:
    """Values from linked measures brought up to date when the owner's data have
    changed since they were last looked at (at most once per change: an unchanged
    measure writes nothing, so the data version holds)."""
    if not benchmark.participants.filter(measure__isnull=False).exists():
        return
    kept(
        benchmark.organisation_id,
        f"benchmark:linked-values:{benchmark.pk}",
        lambda: refresh_from_measures(benchmark),
    )


# ---------------------------------------------------------------------------
# The funnel and SPC per participant, computed when values change


def _label(period: datetime.date) -> str:
    return period.strftime("%Y-%m")


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _description(svg: str) -> str:
    found = re.search(r"<desc[^>]*>(.*?)</desc>", svg, re.S)
    return html.unescape(found.group(1)).strip() if found else ""


def _funnel_names(participants: list[Participant]) -> list[str]:
    counts: dict[str, int] = {}
    for p in participants:
        counts[p.name] = counts.get(p.name, 0) + 1
    return [
        p.name if counts[p.name] == 1 else f"{p.name} ({p.code})" for p in participants
    ]


def recompute(benchmark: Benchmark) -> BenchmarkResult:
    """Compute and store the funnel for the latest period with values and each
    participant's SPC chart in brief (its sparkline and variation icon)."""
    participants = list(benchmark.participants.order_by("name", "code", "pk"))
    values = list(
        Value.objects.filter(participant__benchmark=benchmark).values_list(
            "participant_id", "period", "numerator", "denominator"
        )
    )
    periods = sorted({period for _, period, _, _ in values})
    column = {period: i for i, period in enumerate(periods)}
    row = {p.pk: i for i, p in enumerate(participants)}
    shape = (len(participants), len(periods))
    numerators = np.full(shape, np.nan)
    denominators = np.full(shape, np.nan)
    for participant_id, period, numerator, denominator in values:
        if denominator > 0:
            numerators[row[participant_id], column[period]] = numerator
            denominators[row[participant_id], column[period]] = denominator

    result = BenchmarkResult.objects.filter(benchmark=benchmark).first() or (
        BenchmarkResult(benchmark=benchmark)
    )
    result.period = periods[-1] if periods else None
    result.funnel, result.svg, result.description, result.warnings = {}, "", "", []
    result.participants = 0
    funnel_rows: dict[int, FunnelUnit] = {}
    ratio = benchmark.kind == Benchmark.Kind.RATIO
    if periods:
        latest = len(periods) - 1
        taking_part = [
            i
            for i in range(len(participants))
            if not math.isnan(denominators[i, latest])
        ]
        if taking_part:
            chosen = [participants[i] for i in taking_part]
            names = _funnel_names(chosen)
            found = funnel(
                numerators[taking_part, latest],
                denominators[taking_part, latest],
                names,
                type="ratio" if ratio else "proportion",
                overdispersion=benchmark.overdispersion,
                multiply=benchmark.multiplier,
            )
            units = [unit.to_dict() for unit in found.units]
            for i, unit in zip(taking_part, found.units, strict=True):
                funnel_rows[i] = unit
            result.funnel = {
                "type": found.type,
                "target": found.target,
                "phi": found.phi,
                "tau2": found.tau2,
                "adjusted": found.adjusted,
                "limit": found.limit,
                "multiply": found.multiply,
                "units": units,
            }
            result.warnings = list(found.warnings)
            result.participants = len(chosen)
            result.svg = render_funnel_svg(
                found,
                title=f"{benchmark.name}, {_label(periods[-1])}",
                id_prefix=f"funnel-{benchmark.pk}",
                improvement=benchmark.improvement,
                x_label="Expected" if ratio else "Denominator",
                y_label=_y_label(benchmark),
            )
            result.description = _description(result.svg)

    summaries = _summaries(benchmark, participants, periods, numerators, denominators)
    for i, summary in enumerate(summaries):
        place = funnel_rows.get(i)
        if place is not None:
            summary.numerator, summary.denominator = place.numerator, place.denominator
            summary.value = place.value
            summary.lower998, summary.upper998 = place.lower998, place.upper998
            summary.outlier = place.outlier
    with transaction.atomic():
        result.save()
        ParticipantSummary.objects.filter(benchmark=benchmark).delete()
        ParticipantSummary.objects.bulk_create(summaries, batch_size=500)
    return result


def _y_label(benchmark: Benchmark) -> str:
    if benchmark.kind == Benchmark.Kind.RATIO:
        return "Observed / expected" + (
            f" × {benchmark.multiplier:g}" if benchmark.multiplier != 1 else ""
        )
    return (
        "Percentage" if benchmark.multiplier == 100 else f"Per {benchmark.multiplier:g}"
    )


def _summaries(
    benchmark: Benchmark,
    participants: list[Participant],
    periods: list[datetime.date],
    numerators: np.ndarray[Any, Any],
    denominators: np.ndarray[Any, Any],
) -> list[ParticipantSummary]:
    summaries = [
        ParticipantSummary(participant=p, benchmark=benchmark, position=i)
        for i, p in enumerate(participants)
    ]
    if not participants or not periods:
        for summary in summaries:
            summary.sparkline_text = sparkline_text(summary.participant.name, [])
            summary.sparkline_svg = sparkline_svg([], label=summary.sparkline_text)
        return summaries
    batch = u_batch if benchmark.kind == Benchmark.Kind.RATIO else p_batch
    charts = batch(
        numerators,
        denominators,
        improvement=benchmark.improvement,
        multiply=benchmark.multiplier,
    )
    labels = [_label(period) for period in periods]
    first = max(0, len(periods) - SPARKLINE_POINTS)
    for i, summary in enumerate(summaries):
        points = []
        for j in range(first, len(periods)):
            value = _finite(charts.values[i, j])
            signal = (
                SIGNALS[int(charts.signal[i, j])]
                if value is not None
                else "common_cause"
            )
            points.append([labels[j], value, signal])
        summary.n_points = int(charts.n_points[i])
        if summary.n_points:
            summary.variation = VARIATIONS[int(charts.variation[i])]
            assurance = int(charts.assurance[i])
            summary.assurance = ASSURANCES[assurance] if assurance >= 0 else ""
            summary.icon_svg = variation_icon_svg(summary.variation, size=32)
        summary.sparkline = points
        name = summary.participant.name
        summary.sparkline_text = sparkline_text(
            name, points, "%" if benchmark.is_percentage else ""
        )
        summary.sparkline_svg = sparkline_svg(points, label=summary.sparkline_text)
    return summaries


def full_chart(benchmark: Benchmark, participant: Participant) -> dict[str, Any]:
    """The participant's own SPC chart (a p chart, or a u chart of O/E), drawn once
    per change of the benchmark's values and kept until the next."""
    result = (
        BenchmarkResult.objects.filter(benchmark=benchmark)
        .values_list("computed_at", flat=True)
        .first()
    )
    key = f"benchmark-chart:{CHART_FORMAT}:{participant.pk}:{result}"
    return kept(benchmark.organisation_id, key, lambda: _draw(benchmark, participant))


def _draw(benchmark: Benchmark, participant: Participant) -> dict[str, Any]:
    rows = list(
        participant.values.filter(denominator__gt=0)
        .order_by("period")
        .values_list("period", "numerator", "denominator")
    )
    if not rows:
        return {"svg": "", "warnings": [], "rows": []}
    chart = u_chart if benchmark.kind == Benchmark.Kind.RATIO else p_chart
    labels = [_label(period) for period, _, _ in rows]
    found = chart(
        [n for _, n, _ in rows],
        [d for _, _, d in rows],
        labels,
        multiply=benchmark.multiplier,
        improvement=benchmark.improvement,
    )
    svg = render_svg(
        found,
        title=f"{participant.name}: {benchmark.name}",
        x_label="Period",
        y_label=_y_label(benchmark),
        id_prefix=f"chart-{participant.pk}",
    )
    return {
        "svg": svg,
        "warnings": list(found.warnings),
        "rows": [
            (label, n, d, n / d * benchmark.multiplier)
            for label, (_, n, d) in zip(labels, rows, strict=True)
        ],
    }
