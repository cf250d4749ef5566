"""Demo step: what the system's members share with it, and the system's own work.

From ``data/system.json``: Riverside and Eastmere share their project portfolios
and capability, Wolds its readiness only. So that each has something to share,
Eastmere gets two priorities, six projects with progress ratings and a small
capability picture (with a level reached by fewer than five people, which the
system sees suppressed), and Wolds a closed readiness round (some domains answered
by too few to show). The system organisation gets two priorities and one project
of its own. Running it again changes nothing.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from openqi.assessments.builtin import load_builtin_instruments
from openqi.assessments.definition import parse_definition
from openqi.assessments.models import (
    AssessmentRound,
    Instrument,
    RespondentGroup,
    Response,
)
from openqi.assessments.services import close_round
from openqi.capability import services as capability
from openqi.capability.models import CapabilityFramework, Completion, Target
from openqi.organisations.models import Organisation, StaffRecord, Unit
from openqi.projects.models import ProgressRating, Project
from openqi.strategy.models import StrategicPriority
from openqi.system.services import save_sharing

from .assessments import READINESS, _answers
from .base import Demo
from .organisations import PEOPLE
from .records import read, records

__all__ = ["add_system"]


@dataclass(frozen=True)
class _SharingSpec:
    organisation: str
    portfolio: bool
    capability: bool
    readiness: bool


@dataclass(frozen=True)
class _PrioritySpec:
    title: str
    description: str = ""


@dataclass(frozen=True)
class _SystemProjectSpec:
    title: str
    status: str
    priority: str
    problem: str = ""


@dataclass(frozen=True)
class _ProjectSpec:
    title: str
    unit: str
    lead: str
    status: str
    priority: str
    ratings: tuple[str, ...] = ()


@dataclass(frozen=True)
class _CapabilityTarget:
    level: int
    percent: str


@dataclass(frozen=True)
class _CapabilitySpec:
    #: Level position (1 first) → people who reached it.
    people: dict[str, int]
    target: _CapabilityTarget


@dataclass(frozen=True)
class _RoundSpec:
    title: str
    opened_days_ago: int
    closed_days_ago: int
    targets: dict[str, float]
    staff: int
    managers: int


SHARING = records(_SharingSpec, "system", "sharing")
SYSTEM_PRIORITIES = records(_PrioritySpec, "system", "system_priorities")
SYSTEM_PROJECTS = records(_SystemProjectSpec, "system", "system_projects")
EASTMERE_PRIORITIES: tuple[str, ...] = read(
    tuple[str, ...], "system", "eastmere_priorities"
)
EASTMERE_PROJECTS = records(_ProjectSpec, "system", "eastmere_projects")
EASTMERE_CAPABILITY: _CapabilitySpec = read(
    _CapabilitySpec, "system", "eastmere_capability"
)
WOLDS_READINESS: _RoundSpec = read(_RoundSpec, "system", "wolds_readiness")


def add_system(demo: Demo) -> None:
    """The members' sharing, Eastmere's and Wolds' shared work, the system's own."""
    system = demo.organisations["riverside-wolds"]
    today = timezone.localdate()
    _priorities_and_projects(demo, system, today)
    eastmere = demo.organisations["eastmere"]
    _eastmere_projects(demo, eastmere, today)
    _eastmere_capability(demo, eastmere, today)
    _wolds_readiness(demo, demo.organisations["wolds"], today)
    for spec in SHARING:
        member = demo.organisations[spec.organisation]
        if not member.system_sharing.filter(system=system).exists():
            save_sharing(
                member,
                portfolio=spec.portfolio,
                capability=spec.capability,
                readiness=spec.readiness,
            )
            demo.created["sharing settings"] += 1


def _priority(
    demo: Demo,
    organisation: Organisation,
    title: str,
    description: str,
    today: datetime.date,
) -> StrategicPriority:
    priority, created = StrategicPriority.objects.get_or_create(
        organisation=organisation,
        title=title,
        defaults={
            "description": description,
            "period_start": today.replace(month=4, day=1)
            if today.month >= 4
            else today.replace(year=today.year - 1, month=4, day=1),
        },
    )
    demo.created["priorities"] += created
    return priority


def _priorities_and_projects(
    demo: Demo, system: Organisation, today: datetime.date
) -> None:
    priorities = {
        spec.title: _priority(demo, system, spec.title, spec.description, today)
        for spec in SYSTEM_PRIORITIES
    }
    admin = next(demo.users[p.email] for p in PEOPLE if p.organisation == system.slug)
    for spec in SYSTEM_PROJECTS:
        if Project.objects.for_organisation(system).filter(title=spec.title).exists():
            continue
        project = Project.objects.create(
            organisation=system,
            title=spec.title,
            problem=spec.problem,
            status=spec.status,
            lead=admin,
            created_by=admin,
            start_date=today - datetime.timedelta(days=120),
        )
        project.priorities.set([priorities[spec.priority]])
        demo.created["projects"] += 1


def _eastmere_projects(
    demo: Demo, eastmere: Organisation, today: datetime.date
) -> None:
    priorities = {
        title: _priority(demo, eastmere, title, "", today)
        for title in EASTMERE_PRIORITIES
    }
    units = {u.name: u for u in Unit.objects.for_organisation(eastmere)}
    people = {
        p.name: demo.users[p.email] for p in PEOPLE if p.organisation == eastmere.slug
    }
    existing = set(
        Project.objects.for_organisation(eastmere).values_list("title", flat=True)
    )
    for spec in EASTMERE_PROJECTS:
        if spec.title in existing:
            continue
        lead = people[spec.lead]
        project = Project.objects.create(
            organisation=eastmere,
            unit=units[spec.unit],
            title=spec.title,
            status=spec.status,
            lead=lead,
            created_by=lead,
            start_date=today - datetime.timedelta(days=30 * (len(spec.ratings) + 1)),
        )
        project.priorities.set([priorities[spec.priority]])
        for n, score in enumerate(spec.ratings):
            ProgressRating.objects.create(
                project=project,
                score=Decimal(score),
                rated_by=ProgressRating.RatedBy.TEAM,
                rated_on=today - datetime.timedelta(days=30 * (len(spec.ratings) - n)),
                rater=lead,
            )
        demo.created["projects"] += 1


def _eastmere_capability(
    demo: Demo, eastmere: Organisation, today: datetime.date
) -> None:
    if not CapabilityFramework.objects.filter(organisation=eastmere).exists():
        capability.install_builtin_framework(eastmere)
    levels = list(capability.levels_for(eastmere))
    if Completion.objects.for_organisation(eastmere).exists():
        return
    records_ = list(
        StaffRecord.objects.for_organisation(eastmere)
        .select_related("unit")
        .order_by("reference")
    )
    # People reach the levels in turn: the first few of those aware go further.
    for position, people in sorted(EASTMERE_CAPABILITY.people.items()):
        level = levels[int(position) - 1]
        for n, record in enumerate(records_[:people]):
            capability.record_completion(
                record, level, today - datetime.timedelta(days=20 + 7 * (n % 40))
            )
            demo.created["capability completions"] += 1
    target = EASTMERE_CAPABILITY.target
    fields = {
        "organisation": eastmere,
        "level": levels[target.level - 1],
        "kind": Target.Kind.SHARE,
        "value": Decimal(target.percent),
        "starts_on": today - datetime.timedelta(days=180),
        "due_on": today + datetime.timedelta(days=365),
    }
    capability.save_target(Target(**fields))
    demo.created["capability targets"] += 1


def _wolds_readiness(demo: Demo, wolds: Organisation, today: datetime.date) -> None:
    spec = WOLDS_READINESS
    if (
        AssessmentRound.objects.for_organisation(wolds)
        .filter(title=spec.title)
        .exists()
    ):
        return
    load_builtin_instruments()
    instrument = (
        Instrument.objects.filter(organisation__isnull=True, key=READINESS)
        .order_by("-version")
        .first()
    )
    if instrument is None:
        return
    opened = today - datetime.timedelta(days=spec.opened_days_ago)
    closed = today - datetime.timedelta(days=spec.closed_days_ago)
    assessment_round = AssessmentRound.objects.create(
        organisation=wolds,
        instrument=instrument,
        title=spec.title,
        status=AssessmentRound.Status.OPEN,
        opened_on=opened,
    )
    definition = parse_definition(instrument.definition)
    stream = random.Random(spec.title)
    groups = [StaffRecord.StaffGroup.NURSING, StaffRecord.StaffGroup.AHP]
    responses = []
    for group, count in (
        (RespondentGroup.STAFF, spec.staff),
        (RespondentGroup.MANAGERS, spec.managers),
    ):
        for n in range(count):
            responses.append(
                Response(
                    round=assessment_round,
                    staff_group=groups[n % len(groups)],
                    respondent_group=group,
                    submitted_on=opened + datetime.timedelta(days=1 + n % 20),
                    answers=_answers(definition, group, spec.targets, "", stream),
                )
            )
    Response.objects.bulk_create(responses)
    close_round(assessment_round)
    AssessmentRound.objects.filter(pk=assessment_round.pk).update(closed_on=closed)
    demo.created["assessment rounds"] += 1
    demo.created["assessment responses"] += len(responses)
