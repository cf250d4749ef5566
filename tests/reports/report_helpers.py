"""Small builders for the board report tests."""

from __future__ import annotations

import datetime
from typing import Any

from openqi.measures.models import Measure
from openqi.organisations.models import Organisation
from openqi.reports import services
from openqi.reports.models import DEFAULT_HEADINGS, BoardReport, ReportEntry
from tests.measures.helpers import add_points

#: A monthly series from January 2023: twenty points around 10, then a run of
#: eight at 14 (September 2024 to April 2025), a special cause shift upwards.
STEADY = [10, 11, 9, 10, 12, 8, 10, 11, 9, 10, 11, 9, 10, 12, 8, 10, 11, 9, 10, 10]
SHIFT_UP = STEADY + [14] * 8


def make_report(
    organisation: Organisation,
    month: datetime.date = datetime.date(2025, 3, 1),
    **fields: Any,
) -> BoardReport:
    fields.setdefault("title", f"Board report, {month:%B %Y}")
    fields.setdefault("headings", list(DEFAULT_HEADINGS))
    return BoardReport.objects.create(organisation=organisation, month=month, **fields)


def make_charted_measure(
    organisation: Organisation,
    name: str,
    values: list[float] = STEADY,
    **fields: Any,
) -> Measure:
    fields.setdefault("frequency", Measure.Frequency.MONTHLY)
    measure = Measure.objects.create(organisation=organisation, name=name, **fields)
    add_points(measure, values, start=datetime.date(2023, 1, 1))
    return measure


def add_entry(
    report: BoardReport, measure: Measure, heading: str = "Safe"
) -> ReportEntry:
    return services.add_entry(report, measure, heading)


def published_report(
    organisation: Organisation,
    month: datetime.date = datetime.date(2025, 3, 1),
    *,
    measures: list[Measure] | None = None,
    by: Any = None,
) -> BoardReport:
    report = make_report(organisation, month)
    for measure in measures or []:
        add_entry(report, measure)
    return services.publish(report, by)
