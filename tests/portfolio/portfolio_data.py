"""Hand-made projects and measures for the portfolio and suggested-rating tests."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from openqi.improvement.models import DriverNode, PDSACycle
from openqi.measures.models import DataPoint, Measure, PhaseBreak
from openqi.measures.summaries import refresh_summaries
from openqi.organisations.models import Organisation
from openqi.projects.models import ProgressRating, Project, ProjectMeasure

_seq = itertools.count(1)
START = datetime.date(2022, 1, 1)


def make_project(organisation: Organisation, **fields: Any) -> Project:
    fields.setdefault("title", f"Project {next(_seq)}")
    return Project.objects.create(organisation=organisation, **fields)


def months(n: int, start: datetime.date = START) -> list[datetime.date]:
    out = []
    year, month = start.year, start.month
    for _ in range(n):
        out.append(datetime.date(year, month, 1))
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return out


def weeks(
    n: int, start: datetime.date = datetime.date(2020, 1, 6)
) -> list[datetime.date]:
    return [start + datetime.timedelta(weeks=i) for i in range(n)]


def make_measure(
    organisation: Organisation,
    values: Sequence[float | None] = (),
    *,
    periods: Sequence[datetime.date] | None = None,
    denominators: Sequence[float] | None = None,
    breaks: Sequence[datetime.date] = (),
    **fields: Any,
) -> Measure:
    fields.setdefault("name", f"Measure {next(_seq)}")
    fields.setdefault("frequency", Measure.Frequency.MONTHLY)
    measure = Measure.objects.create(organisation=organisation, **fields)
    if periods is None:
        periods = (
            weeks(len(values))
            if measure.frequency == Measure.Frequency.WEEKLY
            else months(len(values))
        )
    DataPoint.objects.bulk_create(
        DataPoint(
            measure=measure,
            period=period,
            value=value,
            denominator=None if denominators is None else denominators[i],
        )
        for i, (period, value) in enumerate(zip(periods, values, strict=True))
    )
    for when in breaks:
        PhaseBreak.objects.create(measure=measure, period=when, reason="Change made")
    # bulk_create sends no signals: compute the chart summary as save_rows does.
    refresh_summaries([measure])
    return measure


def link(project: Project, measure: Measure, role: str = "outcome") -> ProjectMeasure:
    return ProjectMeasure.objects.create(project=project, measure=measure, role=role)


def rate(
    project: Project, score: str, rated_by: str = "team", **fields: Any
) -> ProgressRating:
    fields.setdefault("rated_on", datetime.date(2024, 1, 1))
    return ProgressRating.objects.create(
        project=project, score=Decimal(score), rated_by=rated_by, **fields
    )


def add_driver_diagram(project: Project, change_ideas: int = 1) -> list[DriverNode]:
    primary = DriverNode.objects.create(
        project=project, kind=DriverNode.Kind.PRIMARY, text="Reliable checks"
    )
    secondary = DriverNode.objects.create(
        project=project,
        parent=primary,
        kind=DriverNode.Kind.SECONDARY,
        text="Checks at handover",
    )
    return [
        DriverNode.objects.create(
            project=project,
            parent=secondary,
            kind=DriverNode.Kind.CHANGE_IDEA,
            text=f"Change idea {i + 1}",
        )
        for i in range(change_ideas)
    ]


def add_cycle(project: Project, idea: DriverNode, **fields: Any) -> PDSACycle:
    fields.setdefault("title", f"Cycle {next(_seq)}")
    fields.setdefault("plan", "Try it on one ward for a week.")
    fields.setdefault("prediction", "Fewer missed checks.")
    return PDSACycle.objects.create(project=project, change_idea=idea, **fields)


# Series with a known verdict (XmR, monthly).
FLAT = [10, 11, 9, 10, 12, 10, 9, 11, 10, 11, 9, 10, 11, 10, 9, 10, 11, 10, 9, 11]
#: Twelve months around 10, then twelve months clearly lower (an improvement when lower is better).
STEP_DOWN = [10, 11, 9, 10, 12, 10, 9, 11, 10, 11, 9, 10] + [
    6,
    5,
    6,
    7,
    5,
    6,
    6,
    5,
    6,
    7,
    6,
    5,
]
#: Twelve months around 10, then twelve months clearly higher.
STEP_UP = [10, 11, 9, 10, 12, 10, 9, 11, 10, 11, 9, 10] + [
    14,
    15,
    14,
    13,
    15,
    14,
    14,
    15,
    14,
    13,
    14,
    15,
]
