"""Small builders for the journey tests (house style: no factory library)."""

from __future__ import annotations

import datetime
from typing import Any

from openqi.journey.models import Evidence, JourneyStep, Milestone
from openqi.journey.services import steps_for
from openqi.organisations.models import Organisation


def step(organisation: Organisation, number: int = 1) -> JourneyStep:
    return next(s for s in steps_for(organisation) if s.number == number)


def make_milestone(
    organisation: Organisation, number: int = 1, **fields: Any
) -> Milestone:
    fields.setdefault("title", "Readiness survey sent to every ward")
    return Milestone.objects.create(step=step(organisation, number), **fields)


def make_evidence(
    organisation: Organisation, number: int = 1, **fields: Any
) -> Evidence:
    fields.setdefault("title", "Board minutes approving the QI strategy")
    fields.setdefault("added_on", datetime.date(2025, 5, 1))
    return Evidence.objects.create(step=step(organisation, number), **fields)
