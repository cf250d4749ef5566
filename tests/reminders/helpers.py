"""Builders for the reminder tests: a measure owned by a person, with a concern."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

from django.core import mail
from django.core.management import call_command

from openqi.accounts.models import User
from openqi.measures import importing, services
from openqi.measures.models import ChartSummary, Measure
from openqi.organisations.models import Organisation

#: A Monday (ISO week 2027-W09), and the days after it.
MONDAY = datetime.date(2027, 3, 1)
TUESDAY = MONDAY + datetime.timedelta(days=1)
NEXT_MONDAY = MONDAY + datetime.timedelta(days=7)
SITE = "https://openqi.example.org"
#: Fourteen steady months from January 2026, then one far above them.
STEADY_THEN_HIGH = [10, 11, 10, 9, 10, 11, 10, 9, 10, 11, 10, 9, 10, 11, 40]


def owned_measure_with_concern(
    organisation: Organisation, owner: User, name: str
) -> Measure:
    """A monthly measure (lower is better) owned by ``owner`` whose latest point,
    February 2027, is a special-cause concern; saved through the measures
    service, so its chart summary is computed as the pages compute it."""
    measure = Measure.objects.create(
        organisation=organisation, owner=owner, name=name, improvement="decrease"
    )
    period = datetime.date(2025, 12, 1)
    rows = []
    for number, value in enumerate(STEADY_THEN_HIGH, start=1):
        rows.append(importing.Row(number, period, float(value), None))
        period = importing.next_period(period, measure.frequency)
    services.save_rows(measure, rows)
    summary = ChartSummary.objects.get(measure=measure)
    assert summary.variation.startswith("concern"), summary.variation
    return measure


def send(day: datetime.date = MONDAY, **options: Any) -> str:
    """Run ``send_reminders`` as on ``day``; what it printed."""
    out = StringIO()
    call_command(
        "send_reminders", site_url=SITE, date=day.isoformat(), stdout=out, **options
    )
    return out.getvalue()


def sent_to(email: str) -> list[Any]:
    """The e-mails sent to ``email`` in this test (django.core.mail.outbox)."""
    return [m for m in mail.outbox if email in m.to]
