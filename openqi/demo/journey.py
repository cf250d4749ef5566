"""Demo step: Riverside's six-step roadmap, part-way along.

Steps 1 and 2 are established, 3 and 4 in progress, 5 and 6 not started; each
step under way has milestones with dates (some done, one overdue) and evidence
added by hand for what OpenQI cannot see. Dates are relative to the day the demo
is built.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from openqi.journey.models import Evidence, JourneyStep, Milestone

from .base import Demo

__all__ = ["STEPS", "add_journey"]


@dataclass(frozen=True)
class _StepSpec:
    number: int
    status: str
    notes: str
    #: (title, due in days from today, done days ago or None)
    milestones: tuple[tuple[str, int, int | None], ...] = ()
    #: (title, description, link, added days ago)
    evidence: tuple[tuple[str, str, str, int], ...] = ()


STEPS: tuple[_StepSpec, ...] = (
    _StepSpec(
        1,
        JourneyStep.Status.ESTABLISHED,
        "Two readiness rounds closed; the third is open. Results go to the "
        "improvement forum each quarter.",
        milestones=(
            ("First readiness round closed", -385, 385),
            ("Second readiness round closed", -92, 92),
            ("Third readiness round closed", 21, None),
        ),
    ),
    _StepSpec(
        2,
        JourneyStep.Status.ESTABLISHED,
        "The board approved the improvement strategy and names an executive "
        "sponsor for each priority.",
        milestones=(
            ("Board approves the improvement strategy", -300, 296),
            ("Board development session on QI", -30, 20),
        ),
        evidence=(
            (
                "Board minutes approving the improvement strategy",
                "Item 7: the board approved the strategy and its funding for "
                "three years.",
                "https://intranet.riverside.example.org/board/minutes/strategy",
                296,
            ),
            (
                "Executive sponsors named for each priority",
                "Recorded in the quarterly board assurance report.",
                "",
                150,
            ),
        ),
    ),
    _StepSpec(
        3,
        JourneyStep.Status.IN_PROGRESS,
        "The four priorities are set; projects are lining up behind them. Next: "
        "staff listening events in every division.",
        milestones=(
            ("Vision for improvement agreed with staff side", -200, 190),
            ("Listening events in every division", -14, None),
            ("Improvement stories in the staff newsletter each month", 60, None),
        ),
        evidence=(
            (
                "Staff listening event notes, Medicine division",
                "What staff said matters most to them, themed.",
                "",
                40,
            ),
        ),
    ),
    _StepSpec(
        4,
        JourneyStep.Status.IN_PROGRESS,
        "Measurement for improvement is growing; the skills plan is in draft.",
        milestones=(
            ("Improvement skills plan approved", 45, None),
            ("Every active project has an SPC chart", 120, None),
        ),
    ),
    _StepSpec(5, JourneyStep.Status.NOT_STARTED, ""),
    _StepSpec(6, JourneyStep.Status.NOT_STARTED, ""),
)


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
