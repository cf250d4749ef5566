"""Measures: looking them and their rows up (pages and the API alike), their data
points, and the changes made to them.

The chart is in :mod:`.charts`, importing a file in :mod:`.imports`, and the
export in :mod:`.exports`; who may do what is in :mod:`.permissions`.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from openqi.audit.services import record_rows
from openqi.organisations.access import find_for
from openqi.organisations.models import Membership

from . import charts, importing, summaries

# Other apps (projects, the measures overview) read a measure's chart from here.
from .charts import chart_for as chart_for
from .charts import period_label as period_label
from .models import Annotation, DataPoint, Measure, PhaseBreak

#: Rows written by one INSERT or UPDATE (PostgreSQL takes at most 65,535
#: parameters in one statement).
WRITE_BATCH = 2000


# ---------------------------------------------------------------------------
# Looking up


def get_measure_for(membership: Membership, pk: int) -> Measure:
    """The organisation's measure ``pk``, or 404."""
    measures: QuerySet[Measure] = Measure.objects.for_organisation(
        membership.organisation
    ).select_related("unit", "owner")
    return find_for(membership, measures, pk, "measure", "measures")


def get_point_for(membership: Membership, measure: Measure, pk: int) -> DataPoint:
    """The measure's data point ``pk``, or 404."""
    points: QuerySet[DataPoint] = measure.points.all()
    listed = f"measures/{measure.pk}/data-points"
    return find_for(membership, points, pk, "data point", listed)


def get_phase_break_for(
    membership: Membership, measure: Measure, pk: int
) -> PhaseBreak:
    """The measure's phase break ``pk``, or 404."""
    phase_breaks: QuerySet[PhaseBreak] = measure.phase_breaks.all()
    listed = f"measures/{measure.pk}/phase-breaks"
    return find_for(membership, phase_breaks, pk, "phase break", listed)


def get_annotation_for(membership: Membership, measure: Measure, pk: int) -> Annotation:
    """The measure's annotation ``pk``, or 404."""
    annotations: QuerySet[Annotation] = measure.annotations.all()
    listed = f"measures/{measure.pk}/annotations"
    return find_for(membership, annotations, pk, "annotation", listed)


# ---------------------------------------------------------------------------
# Data points


def current_period(measure: Measure) -> datetime.date:
    """The first day of the period holding today: the latest that may have data."""
    return importing.period_start(timezone.localdate(), measure.frequency)


def next_period(measure: Measure) -> datetime.date | None:
    """The period after the latest point; with no points, the last complete period.

    None when the latest point is already the current period: the next one has
    not happened yet.
    """
    latest = measure.points.order_by("-period").values_list("period", flat=True).first()
    current = current_period(measure)
    if latest is not None:
        following = importing.next_period(latest, measure.frequency)
        return following if following <= current else None
    return importing.period_start(
        current - datetime.timedelta(days=1), measure.frequency
    )


def existing_points(
    measure: Measure,
) -> dict[datetime.date, tuple[float | None, float | None]]:
    return {
        period: (value, denominator)
        for period, value, denominator in measure.points.values_list(
            "period", "value", "denominator"
        )
    }


def save_rows(
    measure: Measure, rows: Sequence[importing.Row], *, source: str = ""
) -> dict[str, int]:
    """Add or change each checked row's period, all in one transaction.

    Used by the import's commit (``source`` names the file) and the API's bulk
    upsert. The points are written in batches, with one audit event for the lot
    holding every changed period's old and new numbers; the measure's
    ``updated_at``, automatic chart and chart summary are brought up to date once. Returns the
    number of new, changed and unchanged periods.
    """
    counts = {"new": 0, "changed": 0, "unchanged": 0}
    with transaction.atomic(), summaries.deferred():
        points = {
            p.period: p
            for p in measure.points.select_for_update().only(
                "id", "period", "value", "denominator", "version"
            )
        }
        existing = {p: (d.value, d.denominator) for p, d in points.items()}
        new: list[DataPoint] = []
        changed: list[DataPoint] = []
        before: dict[str, dict[str, Any]] = {}
        after: dict[str, dict[str, Any]] = {}
        for change in importing.classify(rows, existing):
            counts[change.status] += 1
            row = change.row
            if change.status == "unchanged":
                continue
            key = row.period.isoformat()
            after[key] = {"value": row.value, "denominator": row.denominator}
            if change.status == "new":
                new.append(
                    DataPoint(
                        measure=measure,
                        period=row.period,
                        value=row.value,
                        denominator=row.denominator,
                    )
                )
            else:
                point = points[row.period]
                before[key] = {"value": point.value, "denominator": point.denominator}
                point.value, point.denominator = row.value, row.denominator
                point.version += 1
                changed.append(point)
        DataPoint.objects.bulk_create(new, batch_size=WRITE_BATCH)
        DataPoint.objects.bulk_update(
            changed, ["value", "denominator", "version"], batch_size=WRITE_BATCH
        )
        if new or changed:
            # Bulk writes send no signals: move updated_at and audit them here, once.
            Measure.objects.filter(pk=measure.pk).update(updated_at=timezone.now())
            record_rows(
                measure,
                summary=_import_summary(counts, source),
                before=before,
                after=after,
            )
            # Bulk writes send no signals: the chart summary is computed here, once.
            summaries.measure_changed(measure.pk)
        charts.refresh_chart_choice(measure)
    return counts


def _import_summary(counts: dict[str, int], source: str) -> str:
    what = (
        f"{counts['new']:,} new, {counts['changed']:,} changed and "
        f"{counts['unchanged']:,} unchanged data points"
    )
    return f"Imported {source}: {what}" if source else f"Saved {what} at once"


# ---------------------------------------------------------------------------
# Changes made from the pages


def save_point(
    measure: Measure,
    *,
    period: datetime.date,
    value: float | None,
    denominator: float | None = None,
    note: str = "",
    is_excluded: bool | None = None,
    exclusion_reason: str | None = None,
    point: DataPoint | None = None,
) -> DataPoint:
    """Add the period's point, or change ``point``; ``is_excluded`` and
    ``exclusion_reason`` left as None keep what the point had."""
    if point is None:
        point = DataPoint(measure=measure)
    point.period = period
    point.value = value
    point.denominator = denominator if measure.has_denominator() else None
    point.note = note
    if is_excluded is not None:
        point.is_excluded = is_excluded
        point.exclusion_reason = (exclusion_reason or "").strip() if is_excluded else ""
    with transaction.atomic(), summaries.deferred():
        point.save()
        charts.refresh_chart_choice(measure)
    return point


def delete_point(measure: Measure, point: DataPoint) -> None:
    with transaction.atomic(), summaries.deferred():
        point.delete()
        charts.refresh_chart_choice(measure)


def save_measure(form: Any) -> Measure:
    """Save the measure form, then let an automatic chart follow the data (the
    chart summary is computed once, after both)."""
    with transaction.atomic(), summaries.deferred():
        measure: Measure = form.save()
        charts.refresh_chart_choice(measure)
    return measure


def add_phase_break(
    measure: Measure, *, period: datetime.date, reason: str
) -> PhaseBreak:
    with transaction.atomic(), summaries.deferred():
        phase_break = PhaseBreak.objects.create(
            measure=measure, period=period, reason=reason
        )
        # The latest phase decides an automatic chart.
        charts.refresh_chart_choice(measure)
    return phase_break


def save_child_form(form: Any, measure: Measure) -> Any:
    """Save a page's phase break or annotation form, then let an automatic chart
    follow (the chart summary is computed once, after both)."""
    with transaction.atomic(), summaries.deferred():
        saved = form.save()
        charts.refresh_chart_choice(measure)
    return saved


def remove_phase_break(measure: Measure, phase_break: PhaseBreak) -> None:
    with transaction.atomic(), summaries.deferred():
        phase_break.delete()
        charts.refresh_chart_choice(measure)


def add_annotation(measure: Measure, *, period: datetime.date, text: str) -> Annotation:
    return Annotation.objects.create(measure=measure, period=period, text=text)
