"""Demo step: Riverside's barrier log, for the improvement forum.

Fifteen barriers across the seven categories: some new, some months old, at every
severity and status, some holding up demo projects, one escalated to the board.
Dates are relative to the day the demo is built.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from openqi.barriers.models import Barrier
from openqi.projects.models import Project

from .base import Demo
from .measures import units_by_name

__all__ = ["BARRIERS", "add_barriers"]

_O, _P, _R, _C = (
    Barrier.Status.OPEN,
    Barrier.Status.IN_PROGRESS,
    Barrier.Status.RESOLVED,
    Barrier.Status.CLOSED,
)


@dataclass(frozen=True)
class _BarrierSpec:
    category: str
    title: str
    description: str
    unit: str
    severity: str
    status: str
    raised_days_ago: int
    owner: str = ""
    projects: tuple[str, ...] = ()
    #: For a resolved barrier: days ago, and how.
    resolved_days_ago: int | None = None
    resolution: str = ""
    escalate: bool = False


BARRIERS: tuple[_BarrierSpec, ...] = (
    _BarrierSpec(
        "resources",
        "No protected time for teams to test changes",
        "Project team members fit PDSA cycles around full clinical shifts; "
        "cycles stall for weeks at a time.",
        "",
        Barrier.Severity.CRITICAL,
        _P,
        230,
        owner="declan.marsh@riverside.example.org",
        projects=(
            "Falls prevention on the elderly care wards",
            "Fewer operations cancelled on the day",
        ),
        escalate=True,
    ),
    _BarrierSpec(
        "information",
        "Emergency department data arrives a month late",
        "The monthly extract reaches the team four weeks after month end, too "
        "late to see the effect of a change.",
        "Emergency department",
        Barrier.Severity.HIGH,
        _O,
        75,
        owner="tobias.whitlock@riverside.example.org",
        projects=(
            "Rapid assessment and treatment in the emergency department",
            "Initial assessment within 15 minutes",
        ),
    ),
    _BarrierSpec(
        "timing",
        "Winter pressures cancel project meetings",
        "Every project meeting in the Acute medical unit was stood down in "
        "December and January.",
        "Acute medical unit",
        Barrier.Severity.MEDIUM,
        _R,
        320,
        owner="kwame.asante-bell@riverside.example.org",
        projects=("Electronic discharge summaries",),
        resolved_days_ago=240,
        resolution="Meetings moved to a fifteen-minute huddle that survives "
        "escalation days.",
    ),
    _BarrierSpec(
        "culture",
        "Staff fear blame when a test of change fails",
        "Teams on two wards said they would rather not try a change than be "
        "seen to fail.",
        "Elderly care wards",
        Barrier.Severity.HIGH,
        _P,
        150,
        owner="priya.venkataraman@riverside.example.org",
        projects=("Falls prevention on the elderly care wards",),
    ),
    _BarrierSpec(
        "leadership",
        "No executive sponsor for the theatres priority",
        "The theatres work has no named executive to unblock decisions on scheduling.",
        "Main theatres",
        Barrier.Severity.HIGH,
        _R,
        200,
        owner="amara.okonkwo-hale@riverside.example.org",
        projects=("Fewer operations cancelled on the day",),
        resolved_days_ago=120,
        resolution="The chief operating officer now sponsors the theatres work.",
    ),
    _BarrierSpec(
        "focus",
        "Too many local priorities in Surgery",
        "The division runs eleven improvement projects against five different "
        "sets of priorities.",
        "",
        Barrier.Severity.MEDIUM,
        _O,
        45,
        owner="eleri.pryce@riverside.example.org",
    ),
    _BarrierSpec(
        "engagement",
        "Few patients involved in project teams",
        "Only two of the active projects have a patient or carer on the team.",
        "",
        Barrier.Severity.MEDIUM,
        _O,
        20,
        owner="hannah.ferreira@riverside.example.org",
    ),
    _BarrierSpec(
        "information",
        "No single list of who holds improvement skills",
        "Training records sit in three systems; no one can say who has been "
        "trained to what level.",
        "",
        Barrier.Severity.LOW,
        _O,
        12,
    ),
    _BarrierSpec(
        "resources",
        "No analyst support for stroke measures",
        "The stroke team builds its own charts in a spreadsheet each month.",
        "Stroke unit",
        Barrier.Severity.MEDIUM,
        _P,
        60,
        owner="mehmet.orhan@riverside.example.org",
        projects=("Faster thrombolysis for stroke",),
    ),
    _BarrierSpec(
        "timing",
        "Maternity improvement paused during the inspection",
        "All improvement work on the labour ward stopped for the inspection "
        "visit and its preparation.",
        "Labour ward",
        Barrier.Severity.LOW,
        _C,
        280,
        owner="farah.quraishi@riverside.example.org",
    ),
    _BarrierSpec(
        "culture",
        "Improvement seen as the QI team's job",
        "Staff in the staff survey said improvement is something done to them "
        "by the central team.",
        "",
        Barrier.Severity.MEDIUM,
        _O,
        100,
        owner="callum.rennard@riverside.example.org",
    ),
    _BarrierSpec(
        "engagement",
        "Consultants not attending project meetings",
        "Meetings are held when consultants are in clinic.",
        "Cardiology",
        Barrier.Severity.MEDIUM,
        _R,
        180,
        owner="saoirse.dunleavy@riverside.example.org",
        projects=("Patient-initiated follow-up in cardiology",),
        resolved_days_ago=90,
        resolution="Project meetings moved to the consultants' supporting "
        "activity time.",
    ),
    _BarrierSpec(
        "leadership",
        "Ward managers not released for improvement training",
        "Managers are booked onto the course but pulled back to cover shifts.",
        "",
        Barrier.Severity.HIGH,
        _O,
        35,
        owner="declan.marsh@riverside.example.org",
    ),
    _BarrierSpec(
        "focus",
        "Projects started without a clear aim",
        "Three new projects began before their aim said how much and by when.",
        "",
        Barrier.Severity.LOW,
        _R,
        130,
        owner="imogen.castellan@riverside.example.org",
        resolved_days_ago=70,
        resolution="The project start page now asks for the aim before anything else.",
    ),
    _BarrierSpec(
        "information",
        "Pathology results not linked to ward measures",
        "Repeat test counts cannot be matched to wards without manual work.",
        "Pathology",
        Barrier.Severity.MEDIUM,
        _O,
        5,
        projects=("Fewer repeat blood tests",),
    ),
)


def add_barriers(demo: Demo) -> None:
    """Riverside's barrier log."""
    riverside = demo.organisations["riverside"]
    today = timezone.localdate()
    units = units_by_name(riverside)
    projects = {p.title: p for p in Project.objects.for_organisation(riverside)}
    for spec in BARRIERS:
        if Barrier.objects.filter(organisation=riverside, title=spec.title).exists():
            continue
        barrier = Barrier.objects.create(
            organisation=riverside,
            category=spec.category,
            title=spec.title,
            description=spec.description,
            unit=units.get(spec.unit),
            severity=spec.severity,
            owner=demo.users.get(spec.owner),
            status=spec.status,
            raised_on=today - datetime.timedelta(days=spec.raised_days_ago),
            resolved_on=today - datetime.timedelta(days=spec.resolved_days_ago)
            if spec.resolved_days_ago is not None
            else None,
            resolution=spec.resolution,
            escalate_to_board=spec.escalate,
        )
        barrier.projects.set([projects[t] for t in spec.projects if t in projects])
        demo.created["barriers"] += 1
