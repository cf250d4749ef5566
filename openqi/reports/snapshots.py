"""A board report's snapshot: every figure as at the last day of its month.

:func:`build_snapshot` reads the organisation's data as they were on the report's
date (each measure's points up to that day, projects started by then and their
latest ratings by then, barriers escalated and open then, capability coverage and
the latest readiness round as at that day) and returns plain JSON, each chart an
SVG string drawn by :func:`openqi.measures.charts.chart_svg` (the renderer the
measure page uses). Publishing stores it (``services.publish``); a published
report's page reads only that. A draft's preview builds it on demand and keeps it
until the data change (:func:`preview_snapshot`).

The shape (``FORMAT`` 1)::

    {"format": 1, "organisation": str, "title": str, "month": "2026-03",
     "month_words": "March 2026", "as_at": "2026-03-31", "published_at": iso|None,
     "published_by": str, "headings": [{"name": str, "entries": [measure index]}],
     "measures": [MEASURE], "problems": [measure index], "matrix": MATRIX,
     "portfolio": PORTFOLIO, "capability": CAPABILITY, "readiness": READINESS,
     "barriers": [BARRIER], "value": VALUE}

VALUE (``FORMAT`` 2; a snapshot published before it has no "value") is the
programme's return as at the report's date (:func:`_value`).

MEASURE holds its name, heading, owner, unit, chart name, the Making Data Count
icon codes and their words, the latest value and period, the verdict phrase, the
rules in words (the latest phase's special-cause episodes), the group and rank
that order problems first, the commentary and the chart's SVG.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from openqi.assessments.models import AssessmentRound
from openqi.assessments.services.results import ResultsNotAvailable, results_for
from openqi.audit.kept import kept
from openqi.barriers.models import Barrier
from openqi.capability import coverage
from openqi.journey.models import JourneyStep
from openqi.journey.services import current_step, steps_for
from openqi.measures import charts
from openqi.measures.models import Annotation, DataPoint, Measure
from openqi.measures.summaries import summary_from_chart
from openqi.projects.models import PROGRESS_SCALE, ProgressRating, Project
from openqi.spc.explain import period_words
from openqi.value.chart import number, pounds, return_svg
from openqi.value.services import programme_as_at

from .models import BoardReport, ReportEntry

__all__ = [
    "ASSURANCE_COLUMNS",
    "FORMAT",
    "PROBLEM_ORDER",
    "VARIATION_ROWS",
    "build_snapshot",
    "movement",
    "preview_snapshot",
    "problem_key",
]

FORMAT = 2
#: The rules in words: at most this many of a chart's latest episodes.
MOST_RULES = 5
#: Projects named in the movement since the last report (the rest are counted).
MOST_MOVES = 25

#: The summary matrix: variation (rows) × assurance (columns), as MDC draws it.
VARIATION_ROWS: tuple[tuple[str, str], ...] = (
    ("concern", "Special cause concern"),
    ("neutral", "Special cause, neither better nor worse"),
    ("common_cause", "Common cause"),
    ("improvement", "Special cause improvement"),
    ("none", "No chart yet"),
)
ASSURANCE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("consistent_fail", "Consistently failing the target"),
    ("inconsistent", "Hits and misses the target"),
    ("consistent_pass", "Consistently passing the target"),
    ("", "No target, or not judged"),
)
#: Problem sensing: the order measures are read in, worst first.
PROBLEM_ORDER = {
    "concern": 0,
    "inconsistent": 1,
    "common_cause": 2,
    "improvement": 3,
    "no_data": 4,
}
_NOT_RATED = "not_rated"


def problem_key(measure: dict[str, Any]) -> tuple[int, int, str]:
    """Concerns and failing assurance first (a concern that also fails its target
    before either alone), then hit-and-miss, common cause, improvement and no data."""
    return (
        PROBLEM_ORDER.get(measure["group"], 5),
        measure["rank"],
        measure["name"].lower(),
    )


def is_problem(measure: dict[str, Any]) -> bool:
    return bool(measure["group"] == "concern")


def _variation_row(variation: str) -> str:
    if not variation:
        return "none"
    category = variation.split("_")[0]
    return category if category in ("concern", "neutral", "improvement") else variation


# ---------------------------------------------------------------------------
# Measures


def _measure(entry: ReportEntry, as_at: datetime.date) -> dict[str, Any]:
    """One chosen measure as at ``as_at``: its chart drawn from the points up to then."""
    measure = entry.measure
    points = list(
        DataPoint.objects.filter(measure=measure, period__lte=as_at).order_by("period")
    )
    notes = list(
        Annotation.objects.filter(measure=measure, period__lte=as_at).order_by(
            "period", "pk"
        )
    )
    out: dict[str, Any] = {
        "id": measure.pk,
        "name": measure.name,
        "heading": entry.heading,
        "unit": measure.unit.name if measure.unit else "",
        "owner": measure.owner.full_name if measure.owner else "",
        "definition": measure.definition,
        "chart": "",
        "chart_name": "",
        "variation": "",
        "variation_words": "",
        "assurance": "",
        "assurance_words": "",
        "latest_value": None,
        "latest_text": "",
        "latest_period": "",
        "latest_period_words": "",
        "target_text": charts.number_text(measure.target, measure),
        "phrase": "No data up to this report's date.",
        "rules": [],
        "group": "no_data",
        "rank": 0,
        "svg": "",
        "commentary": entry.commentary,
        "commentary_by": entry.commentary_by.full_name if entry.commentary_by else "",
        "commentary_at": entry.commentary_at.date().isoformat()
        if entry.commentary_at
        else "",
    }
    try:
        chart = charts.chart_for(measure, points)
    except ValueError as problem:
        out["phrase"] = f"The chart cannot be drawn: {problem}"
        return out
    if chart is None:
        return out
    summary = summary_from_chart(measure, chart)
    latest_phase = max((s.phase for s in chart.signals), default=0)
    episodes = [s.description for s in chart.signals if s.phase == latest_phase]
    out.update(
        chart=chart.chart,
        chart_name=str(Measure.ChartType(chart.chart).label)
        if chart.chart in Measure.ChartType.values
        else chart.chart,
        variation=chart.variation or "",
        variation_words=charts.VARIATION_WORDS.get(chart.variation or "", ""),
        assurance=chart.assurance or "",
        assurance_words=charts.assurance_sentence(measure, chart),
        latest_value=summary.latest_value,
        latest_text=charts.number_text(summary.latest_value, measure),
        latest_period=summary.latest_period,
        latest_period_words=period_words(summary.latest_period),
        phrase=summary.phrase,
        rules=episodes[-MOST_RULES:],
        group=summary.group,
        rank=summary.rank,
        svg=charts.chart_svg(measure, chart, annotations=notes, points=points),
    )
    return out


def _matrix(measures: Sequence[dict[str, Any]]) -> dict[str, Any]:
    cells: dict[tuple[str, str], list[int]] = {}
    for index, measure in enumerate(measures):
        row = _variation_row(measure["variation"])
        column = measure["assurance"] if measure["variation"] else ""
        cells.setdefault((row, column), []).append(index)
    return {
        "rows": [list(row) for row in VARIATION_ROWS],
        "columns": [list(column) for column in ASSURANCE_COLUMNS],
        "cells": [
            [cells.get((row, column), []) for column, _ in ASSURANCE_COLUMNS]
            for row, _ in VARIATION_ROWS
        ],
    }


# ---------------------------------------------------------------------------
# The portfolio


def _progress_label(score: str) -> str:
    if score == _NOT_RATED:
        return "Not rated yet"
    return f"{score} – {PROGRESS_SCALE[Decimal(score)][0]}"


def _portfolio(report: BoardReport, as_at: datetime.date) -> dict[str, Any]:
    """Projects started by ``as_at`` by stage and by their latest team rating then."""
    organisation = report.organisation
    started = Q(start_date__lte=as_at) | Q(
        start_date__isnull=True, created_at__date__lte=as_at
    )
    projects = list(
        Project.objects.for_organisation(organisation)
        .filter(started)
        .order_by("title", "pk")
        .values_list("pk", "title", "status")
    )
    ratings: dict[int, str] = {}
    rows = (
        ProgressRating.objects.for_organisation(organisation)
        .filter(rated_by=ProgressRating.RatedBy.TEAM, rated_on__lte=as_at)
        .order_by("project_id", "-rated_on", "-pk")
        .values_list("project_id", "score")
    )
    for project_id, score in rows:
        ratings.setdefault(project_id, str(score))
    by_status = Counter(status for _, _, status in projects)
    by_progress = Counter(ratings.get(pk, _NOT_RATED) for pk, _, _ in projects)
    return {
        "total": len(projects),
        "by_status": [
            [value, str(label), by_status.get(value, 0)]
            for value, label in Project.Status.choices
        ],
        "by_progress": [
            [score, _progress_label(score), by_progress.get(score, 0)]
            for score in [_NOT_RATED, *(str(s) for s in PROGRESS_SCALE)]
        ],
        "projects": {
            str(pk): [title, status, ratings.get(pk, "")]
            for pk, title, status in projects
        },
    }


def _status_label(value: str) -> str:
    return str(dict(Project.Status.choices).get(value, value))


def movement(now: dict[str, Any], before: dict[str, Any] | None) -> dict[str, Any]:
    """The portfolio's movement since the previous snapshot: each stage's and
    progress level's count then and now, and the projects that started, moved
    stage or were rated up or down (the first :data:`MOST_MOVES`, with how many
    more)."""
    if before is None:
        return {"previous": None}
    portfolio = before["portfolio"]
    then_status = {row[0]: row[2] for row in portfolio["by_status"]}
    then_progress = {row[0]: row[2] for row in portfolio["by_progress"]}
    moves: list[str] = []
    then_projects = portfolio["projects"]
    for pk, (title, status, score) in now["portfolio"]["projects"].items():
        old = then_projects.get(pk)
        if old is None:
            moves.append(f"{title}: new, at {_status_label(status).lower()}")
            continue
        _, old_status, old_score = old
        if old_status != status:
            moves.append(
                f"{title}: from {_status_label(old_status).lower()} "
                f"to {_status_label(status).lower()}"
            )
        if old_score != score and score:
            if not old_score:
                moves.append(f"{title}: first rated, {score}")
            else:
                way = "up" if Decimal(score) > Decimal(old_score) else "down"
                moves.append(f"{title}: rated {way}, {old_score} to {score}")
    return {
        "previous": before["month_words"],
        "total_then": portfolio["total"],
        "by_status": [
            [label, then_status.get(value, 0), count, count - then_status.get(value, 0)]
            for value, label, count in now["portfolio"]["by_status"]
        ],
        "by_progress": [
            [
                label,
                then_progress.get(value, 0),
                count,
                count - then_progress.get(value, 0),
            ]
            for value, label, count in now["portfolio"]["by_progress"]
        ],
        "moves": moves[:MOST_MOVES],
        "more_moves": max(len(moves) - MOST_MOVES, 0),
    }


# ---------------------------------------------------------------------------
# Readiness, capability and barriers


def _capability(report: BoardReport, as_at: datetime.date) -> dict[str, Any]:
    summary = coverage.summary(report.organisation, as_at)
    return {
        "sentence": summary.sentence,
        "targets": summary.targets,
        "met": summary.met,
        "on_track": summary.on_track,
        "levels": [
            {
                "name": each.level.name,
                "people": each.people,
                "staff": each.staff,
                "share": each.share_text,
                "target": each.target.describe if each.target else "",
                "forecast": each.target.forecast.text if each.target else "",
            }
            for each in summary.levels
        ],
    }


def _readiness(report: BoardReport, as_at: datetime.date) -> dict[str, Any]:
    organisation = report.organisation
    steps = steps_for(organisation)
    current = current_step(steps)
    out: dict[str, Any] = {
        "steps": [[s.number, s.name, s.get_status_display()] for s in steps],
        "current": [current.number, current.name]
        if current.status != JourneyStep.Status.ESTABLISHED
        else None,
        "round": None,
    }
    latest = (
        AssessmentRound.objects.for_organisation(organisation)
        .filter(status=AssessmentRound.Status.CLOSED, closed_on__lte=as_at)
        .order_by("-closed_on", "-pk")
        .first()
    )
    if latest is None:
        return out
    try:
        results = results_for(latest)
    except ResultsNotAvailable:
        return out
    sections = []
    for section in results.definition.sections:
        cell = results.overall.cells.get(section.key)
        if cell is None:
            continue
        change = results.change.get(section.key)
        sections.append(
            [
                section.title,
                None if cell.score is None else round(cell.score, 1),
                None if change is None else round(change, 1),
            ]
        )
    out["round"] = {
        "title": latest.title,
        "closed_on": latest.closed_on.isoformat() if latest.closed_on else "",
        "responses": results.overall.n,
        "previous": results.previous.title if results.previous else "",
        "sections": sections,
    }
    return out


def _barriers(report: BoardReport, as_at: datetime.date) -> list[dict[str, Any]]:
    """Barriers escalated to the board and open on ``as_at``, most severe first."""
    severity = {value: i for i, value in enumerate(reversed(Barrier.Severity.values))}
    open_then = Q(status__in=(Barrier.Status.OPEN, Barrier.Status.IN_PROGRESS)) | Q(
        resolved_on__gt=as_at
    )
    rows = (
        Barrier.objects.for_organisation(report.organisation)
        .filter(open_then, escalate_to_board=True, raised_on__lte=as_at)
        .select_related("unit", "owner")
    )
    found = sorted(rows, key=lambda b: (severity[b.severity], b.raised_on, b.pk))
    return [
        {
            "title": b.title,
            "category": b.get_category_display(),
            "severity": b.get_severity_display(),
            "status": b.get_status_display()
            if b.is_open
            else Barrier.Status.OPEN.label,
            "unit": b.unit.name if b.unit else "The whole organisation",
            "owner": b.owner.full_name if b.owner else "",
            "raised_on": b.raised_on.isoformat(),
            "age_days": (as_at - b.raised_on).days,
            "description": b.description,
        }
        for b in found
    ]


# ---------------------------------------------------------------------------
# The programme's return


def _percent(ratio: Decimal | None) -> str:
    return "" if ratio is None else f"{ratio * 100:,.0f}%"


def _value(report: BoardReport, as_at: datetime.date) -> dict[str, Any]:
    """The programme's return as at ``as_at`` (openqi/value: the same sums and
    chart as the value app's programme page, with only the benefits dated on or
    before ``as_at``, a recurring one counted up to it, and the investment and
    turnover of the financial years begun by then). Amounts are kept as decimal
    strings beside the words the report shows."""
    found = programme_as_at(report.organisation, as_at)
    result = found.result
    natural = [
        [row.domain, row.unit_label, number(row.realised), number(row.expected)]
        for row in found.natural
    ]
    out: dict[str, Any] = {
        "has_investment": result.total_investment > 0,
        "benefits": found.benefit_count,
        "shared": len(found.shared),
        "natural": natural,
    }
    if not out["has_investment"]:
        return out
    benchmark = result.benchmark_percent
    rows = []
    for row in result.rows:
        share = row.share_of_turnover
        rows.append(
            {
                "label": row.label,
                "investment": str(row.investment),
                "investment_text": pounds(row.investment),
                "share": None if share is None else str(share),
                "share_text": "No turnover" if share is None else f"{share:.2f}%",
                "over_benchmark": share is not None and share > benchmark,
                "benefits": {k: str(v) for k, v in row.benefits.items()},
                "central_text": pounds(row.benefits["central"]),
                "cash_text": pounds(row.cash_releasing),
                "cumulative_investment": str(row.cumulative_investment),
                "cumulative_investment_text": pounds(row.cumulative_investment),
                "cumulative": {k: str(v) for k, v in row.cumulative_benefits.items()},
                "cumulative_text": ", ".join(
                    pounds(row.cumulative_benefits[k])
                    for k in ("low", "central", "high")
                ),
            }
        )
    scenarios = [
        {
            "name": s.name,
            "label": s.label,
            "counts": s.counts,
            "benefits": str(s.benefits),
            "benefits_text": pounds(s.benefits),
            "investment_text": pounds(s.investment),
            "roi": None if s.roi is None else str(s.roi),
            "roi_text": _percent(s.roi),
            "break_even": s.break_even_label or "",
        }
        for s in result.scenarios
    ]
    central = result.scenario("central")
    threshold = central.threshold
    out.update(
        total_investment=str(result.total_investment),
        total_investment_text=pounds(result.total_investment),
        central_benefits_text=pounds(central.benefits),
        rows=rows,
        scenarios=scenarios,
        threshold={
            "label": threshold.label,
            "amount": str(threshold.amount),
            "amount_text": pounds(threshold.amount),
        }
        if threshold
        else None,
        has_turnover=found.has_turnover,
        benchmark_text=f"{benchmark:.0f}%",
        years_over_benchmark=list(result.years_over_benchmark),
        svg=str(return_svg(result, chart_id="report-return-chart")),
    )
    return out


# ---------------------------------------------------------------------------
# The snapshot


def _entries(report: BoardReport) -> list[ReportEntry]:
    return list(
        ReportEntry.objects.filter(report=report)
        .select_related("measure", "measure__unit", "measure__owner", "commentary_by")
        .prefetch_related("measure__phase_breaks")
        .order_by("position", "pk")
    )


def previous_report(report: BoardReport) -> BoardReport | None:
    """The latest published report of an earlier month."""
    return (
        BoardReport.objects.for_organisation(report.organisation)
        .filter(status=BoardReport.Status.PUBLISHED, month__lt=report.month)
        .select_related("snapshot")
        .order_by("-month")
        .first()
    )


def build_snapshot(
    report: BoardReport,
    *,
    published_by: str = "",
    published_at: datetime.datetime | None = None,
) -> dict[str, Any]:
    """Everything the report shows, as at the last day of its month (see the
    module's docstring for the shape)."""
    as_at = report.as_at
    entries = _entries(report)
    measures = [_measure(entry, as_at) for entry in entries]
    order = {heading: i for i, heading in enumerate(report.headings)}
    headings = []
    for heading in report.headings:
        indices = [i for i, m in enumerate(measures) if m["heading"] == heading]
        indices.sort(key=lambda i: problem_key(measures[i]))
        headings.append({"name": heading, "entries": indices})
    stray = [i for i, m in enumerate(measures) if m["heading"] not in order]
    if stray:
        headings.append({"name": "Other measures", "entries": stray})
    problems = sorted(
        (i for i, m in enumerate(measures) if is_problem(m)),
        key=lambda i: problem_key(measures[i]),
    )
    snapshot: dict[str, Any] = {
        "format": FORMAT,
        "organisation": report.organisation.name,
        "title": report.title,
        "month": report.month.strftime("%Y-%m"),
        "month_words": report.month_words,
        "as_at": as_at.isoformat(),
        "published_at": timezone.localtime(published_at).isoformat()
        if published_at
        else None,
        "published_by": published_by,
        "headings": headings,
        "measures": measures,
        "problems": problems,
        "matrix": _matrix(measures),
        "portfolio": _portfolio(report, as_at),
        "capability": _capability(report, as_at),
        "readiness": _readiness(report, as_at),
        "barriers": _barriers(report, as_at),
        "value": _value(report, as_at),
    }
    previous = previous_report(report)
    before = None
    if previous is not None and hasattr(previous, "snapshot"):
        before = previous.snapshot.data
    snapshot["movement"] = movement(snapshot, before)
    return snapshot


def preview_snapshot(report: BoardReport) -> dict[str, Any]:
    """A draft's snapshot as it would be published now, kept until the
    organisation's data change (the report's own changes are audited too)."""
    key = f"board-report-preview:{FORMAT}:{report.pk}:{report.version}:{timezone.localdate()}"
    return kept(report.organisation_id, key, lambda: build_snapshot(report))
