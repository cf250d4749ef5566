"""Demo step: Riverside's six-step roadmap, part-way along.

Steps 1 and 2 are established, 3 and 4 in progress, 5 and 6 not started; each
step under way has milestones with dates (some done, one overdue) and evidence
added by hand for what OpenQI cannot see. Read from ``data/journey.json``; dates
are relative to the day the demo is built.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import NamedTuple

from django.utils import timezone

from openqi.journey.models import Evidence, JourneyStep, Milestone

from .base import Demo
from .records import records

__all__ = ["STEPS", "add_journey"]


class _Milestone(NamedTuple):
    title: str
    #: Due this many days from today (negative: in the past).
    due_in_days: int
    #: Done this many days ago; None: not done yet.
    done_days_ago: int | None


class _Evidence(NamedTuple):
    title: str
    description: str
    link: str
    added_days_ago: int


@dataclass(frozen=True)
class _StepSpec:
    number: int
    status: str
    notes: str
    milestones: tuple[_Milestone, ...] = ()
    evidence: tuple[_Evidence, ...] = ()


STEPS = records(_StepSpec, "journey", "steps")


def add_journey(demo: Demo) -> None:
    """Riverside's six steps with their status, milestones and evidence."""
    riverside = demo.organisations["riverside"]
    today = timezone.localdate()
    added_by = demo.users.get("priya.venkataraman@riverside.example.org")
    for spec in STEPS:
        step, created = JourneyStep.objects.get_or_create(
            organisation=riverside, number=spec.number
        )
        if created or (
            step.status == JourneyStep.Status.NOT_STARTED and not step.notes
        ):
            if (step.status, step.notes) != (spec.status, spec.notes):
                step.status, step.notes = spec.status, spec.notes
                step.save()
        demo.created["journey steps"] += created
        for title, due, done_ago in spec.milestones:
            _, created = Milestone.objects.get_or_create(
                step=step,
                title=title,
                defaults={
                    "due_on": today + datetime.timedelta(days=due),
                    "done_on": today - datetime.timedelta(days=done_ago)
                    if done_ago is not None
                    else None,
                },
            )
            demo.created["milestones"] += created
        for title, description, link, ago in spec.evidence:
            _, created = Evidence.objects.get_or_create(
                step=step,
                title=title,
                defaults={
                    "description": description,
                    "link": link,
                    "added_by": added_by,
                    "added_on": today - datetime.timedelta(days=ago),
                },
            )
            demo.created["evidence"] += created
