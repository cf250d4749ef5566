"""Learning by doing: whether the people the organisation trains take part in
real improvement work.

**Who a staff record is.** A staff record is linked to a user account by
``StaffRecord.user``; where that is empty, by its e-mail address: the user whose
e-mail address (lower-cased) is the staff record's. A record with neither is
never seen on a project. Only current staff records (``is_active``) count, and
only completions that still name their person (an erased training record is an
anonymous count, :func:`openqi.capability.services.erase_training_record`).

**Who is on a project.** Its lead (``Project.lead``) and its team members
(``Project.team``), as they stand now: OpenQI keeps no dates for joining a
team, so someone on a project's team is taken to have been on it for the whole
of the project's life.

**When a project was active.** A project is *active between* two dates when it
has got beyond an idea (its status is active, sustaining, completed or
stopped), has started by the later date (its start date is empty or on or
before it), and had not closed before the earlier date: a completed or stopped
project closed on its end date, or, without one, on the day it was last
changed. An idea is nobody's improvement work yet.

- A person is *active in a project in the last 12 months* when they lead or are
  on the team of a project active between the same date a year ago and today.
- A person is *never active* when they lead or are on the team of no project
  beyond an idea.
- A project is *open* when it is under way: active or sustaining.

**Project-lead and coach levels.** The framework's levels for leaders
(``Audience.LEADERS``) in their order: the first is the *project-lead level*,
the second the *coach level* (in the built-in framework, "Improvement project
lead" and "Improvement coach"). A person is *trained at* one of them when they
completed it or a later level for leaders (a coach or an expert adviser has the
project lead's method too; the board's development does not count). Reordering
the framework changes which levels these are; the page names them.

Everything for an organisation is computed in five queries
(:func:`compute_learning_by_doing`) and kept until its data change
(:func:`learning_by_doing`, through ``openqi.audit.kept``); a cohort's
participants take three (:func:`cohort_participation`).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from django.db.models import Q
from django.utils import timezone

from openqi.accounts.models import User
from openqi.audit.kept import kept
from openqi.organisations.models import Organisation
from openqi.projects.models import Project

from .models import (
    Audience,
    CapabilityLevel,
    Cohort,
    Completion,
    Enrolment,
    ProjectRequirement,
)

__all__ = [
    "OPEN_STATUSES",
    "CoachLoad",
    "CohortParticipation",
    "Doing",
    "LevelRef",
    "LevelShare",
    "Person",
    "ProjectRef",
    "ProjectRow",
    "active_between",
    "coach_level",
    "cohort_participation",
    "compute_learning_by_doing",
    "learning_by_doing",
    "project_lead_level",
    "year_before",
]

#: A change to what is computed moves this, so no page reads the old shape.
FORMAT = 2

#: Projects under way: what "open" means here.
OPEN_STATUSES = frozenset({Project.Status.ACTIVE, Project.Status.SUSTAINING})
#: Projects that have ended, on their end date (or their last change).
CLOSED_STATUSES = frozenset({Project.Status.COMPLETED, Project.Status.STOPPED})


def _today() -> datetime.date:
    """Today where the organisation is (the 12 months end on it)."""
    return timezone.localdate()


def year_before(day: datetime.date) -> datetime.date:
    """The same date a year earlier (29 February: the 28th)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


# The pieces ----------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectRow:
    """What the computation needs of a project (plain data: it is kept)."""

    pk: int
    title: str
    status: str
    status_label: str
    unit: str
    starts_on: datetime.date | None
    closed_on: datetime.date | None
    lead_id: int | None
    team: frozenset[int] = frozenset()

    @property
    def people(self) -> frozenset[int]:
        """Its lead and team members' user ids."""
        return self.team | ({self.lead_id} if self.lead_id else frozenset())

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


def active_between(
    project: ProjectRow, since: datetime.date, until: datetime.date
) -> bool:
    """Whether the project was active at some time from ``since`` to ``until``
    (see the module's docstring)."""
    if project.status == Project.Status.IDEA:
        return False
    if project.starts_on is not None and project.starts_on > until:
        return False
    return project.closed_on is None or project.closed_on >= since


def project_lead_level(levels: Iterable[CapabilityLevel]) -> CapabilityLevel | None:
    """The framework's first level for leaders (``levels`` in framework order)."""
    leaders = [level for level in levels if level.audience == Audience.LEADERS]
    return leaders[0] if leaders else None


def coach_level(levels: Iterable[CapabilityLevel]) -> CapabilityLevel | None:
    """The framework's second level for leaders (``levels`` in framework order)."""
    leaders = [level for level in levels if level.audience == Audience.LEADERS]
    return leaders[1] if len(leaders) > 1 else None


def _at_or_after(
    levels: list[CapabilityLevel], first: CapabilityLevel | None
) -> set[int]:
    """The ids of ``first`` and every later level for leaders."""
    if first is None:
        return set()
    start = next(i for i, level in enumerate(levels) if level.pk == first.pk)
    return {level.pk for level in levels[start:] if level.audience == Audience.LEADERS}


def _projects(
    organisation: Organisation, since: datetime.date | None = None
) -> list[ProjectRow]:
    """The organisation's projects beyond an idea, with their teams (two queries);
    with ``since``, only those not closed before it (the rest of the rule is
    :func:`active_between`'s)."""
    projects = (
        Project.objects.for_organisation(organisation)
        .exclude(status=Project.Status.IDEA)
        .order_by("title", "pk")
    )
    if since is not None:
        projects = projects.filter(
            ~Q(status__in=CLOSED_STATUSES)
            | Q(end_date__gte=since)
            | Q(end_date__isnull=True, updated_at__date__gte=since)
        )
    labels = dict(Project.Status.choices)
    rows = projects.values_list(
        "pk",
        "title",
        "status",
        "unit__name",
        "start_date",
        "end_date",
        "updated_at",
        "lead_id",
    )
    found = {
        pk: ProjectRow(
            pk=pk,
            title=title,
            status=status,
            status_label=str(labels.get(status, status)),
            unit=unit or "",
            starts_on=start,
            closed_on=(
                (end or timezone.localdate(updated))
                if status in CLOSED_STATUSES
                else None
            ),
            lead_id=lead_id,
        )
        for pk, title, status, unit, start, end, updated, lead_id in rows
    }
    team: dict[int, set[int]] = defaultdict(set)
    links = Project.team.through.objects.filter(project__in=projects.values("pk"))
    for project_id, user_id in links.values_list("project_id", "user_id"):
        team[project_id].add(user_id)
    return [replace(row, team=frozenset(team.get(pk, ()))) for pk, row in found.items()]


def _emails(projects: list[ProjectRow]) -> dict[str, int]:
    """E-mail address (lower-cased) → user id, for everyone on these projects:
    the users a staff record without ``user`` can be matched to (one query)."""
    people = (
        set().union(*(project.people for project in projects)) if projects else set()
    )
    if not people:
        return {}
    users = User.objects.filter(pk__in=sorted(people)).values_list("pk", "email")
    return {email.lower(): pk for pk, email in users}


def _user_of(user_id: int | None, email: str, emails: dict[str, int]) -> int | None:
    if user_id is not None:
        return user_id
    return emails.get(email.lower()) if email else None


# The organisation's picture --------------------------------------------------------


@dataclass(frozen=True)
class LevelRef:
    pk: int
    name: str


@dataclass(frozen=True)
class LevelShare:
    """Of the people who reached a level: how many are linked to a user account,
    and how many were active in a project in the last 12 months."""

    pk: int
    name: str
    reached: int
    linked: int
    active: int

    @property
    def share(self) -> float | None:
        """The active share in per cent (None when nobody reached the level)."""
        return 100 * self.active / self.reached if self.reached else None


class Person(NamedTuple):
    """A trained person: their highest level and the day they reached it (a named
    tuple: the kept value holds thousands, and tuples read back from the cache in
    half the time dataclasses take)."""

    staff_pk: int
    reference: str
    unit: str
    level: str
    level_index: int
    completed_on: datetime.date
    linked: bool


@dataclass(frozen=True)
class CoachLoad:
    staff_pk: int
    reference: str
    unit: str
    linked: bool
    projects: tuple[ProjectRef, ...]

    @property
    def load(self) -> int:
        return len(self.projects)


@dataclass(frozen=True)
class ProjectRef:
    pk: int
    title: str
    unit: str
    status: str


@dataclass(frozen=True)
class Doing:
    """Learning by doing for one organisation on one day (plain data: it is kept)."""

    today: datetime.date
    since: datetime.date
    lead_level: LevelRef | None
    coach_level: LevelRef | None
    levels: list[LevelShare]
    trained: int
    open_projects: int
    projects_without_lead: list[ProjectRef]
    coaches: list[CoachLoad]
    projects_without_coach: list[ProjectRef]
    never_active: list[Person] = field(default_factory=list)

    @property
    def never_active_unlinked(self) -> int:
        """How many of the never-active have no user account OpenQI can link."""
        return sum(1 for person in self.never_active if not person.linked)

    @property
    def coaches_on_projects(self) -> int:
        return sum(1 for coach in self.coaches if coach.load)

    @property
    def coaching_places(self) -> int:
        """Coach-project pairs: a project with two coaches counts twice."""
        return sum(coach.load for coach in self.coaches)

    @property
    def most_projects(self) -> int:
        return max((coach.load for coach in self.coaches), default=0)

    @property
    def mean_load(self) -> float | None:
        """Open projects per coach on average, over every coach (None without one)."""
        return self.coaching_places / len(self.coaches) if self.coaches else None


def compute_learning_by_doing(
    organisation: Organisation, today: datetime.date | None = None
) -> Doing:
    """The organisation's learning by doing, computed now (five queries: levels,
    completions, projects, their teams, and their people's e-mail addresses)."""
    today = today or _today()
    since = year_before(today)
    levels = list(
        CapabilityLevel.objects.for_organisation(organisation).order_by(
            "position", "pk"
        )
    )
    index = {level.pk: i for i, level in enumerate(levels)}
    lead = project_lead_level(levels)
    coach = coach_level(levels)
    lead_ids = _at_or_after(levels, lead)
    coach_ids = _at_or_after(levels, coach)

    projects = _projects(organisation)
    emails = _emails(projects)
    recent_people: set[int] = set()
    ever_people: set[int] = set()
    for project in projects:
        ever_people |= project.people
        if active_between(project, since, today):
            recent_people |= project.people
    open_projects = [project for project in projects if project.is_open]

    completions = (
        Completion.objects.for_organisation(organisation)
        .filter(staff_record__isnull=False, staff_record__is_active=True)
        .order_by()
        .values_list(
            "staff_record_id",
            "level_id",
            "completed_on",
            "staff_record__reference",
            "staff_record__unit__name",
            "staff_record__user_id",
            "staff_record__email",
        )
    )
    # Each person: their user id, and each level they reached → its first date.
    who: dict[int, tuple[str, str, int | None]] = {}
    reached: dict[int, dict[int, datetime.date]] = defaultdict(dict)
    for staff_pk, level_id, day, reference, unit, user_id, email in completions:
        who[staff_pk] = (reference, unit or "", _user_of(user_id, email, emails))
        first = reached[staff_pk].get(level_id)
        if first is None or day < first:
            reached[staff_pk][level_id] = day

    shares = []
    for level in levels:
        people = [pk for pk, days in reached.items() if level.pk in days]
        users = [who[pk][2] for pk in people]
        shares.append(
            LevelShare(
                pk=level.pk,
                name=level.name,
                reached=len(people),
                linked=sum(1 for user in users if user is not None),
                active=sum(1 for user in users if user in recent_people),
            )
        )

    lead_users = {
        who[pk][2]
        for pk, days in reached.items()
        if who[pk][2] is not None and lead_ids.intersection(days)
    }
    without_lead = [
        _ref(project)
        for project in open_projects
        if lead is not None and not project.people & lead_users
    ]

    coaches = []
    coach_users: set[int] = set()
    for pk, days in reached.items():
        if not coach_ids.intersection(days):
            continue
        reference, unit, user = who[pk]
        on = tuple(
            _ref(project)
            for project in open_projects
            if user is not None and user in project.people
        )
        if user is not None:
            coach_users.add(user)
        coaches.append(CoachLoad(pk, reference, unit, user is not None, on))
    coaches.sort(key=lambda coach: (-coach.load, coach.reference))
    without_coach = [
        _ref(project)
        for project in open_projects
        if coach is not None and not project.people & coach_users
    ]

    never = []
    for pk, days in reached.items():
        reference, unit, user = who[pk]
        if user is not None and user in ever_people:
            continue
        top = max(days, key=lambda level_id: index[level_id])
        never.append(
            Person(
                staff_pk=pk,
                reference=reference,
                unit=unit,
                level=levels[index[top]].name,
                level_index=index[top],
                completed_on=days[top],
                linked=user is not None,
            )
        )
    never.sort(key=lambda p: (-p.level_index, -p.completed_on.toordinal(), p.reference))

    return Doing(
        today=today,
        since=since,
        lead_level=LevelRef(lead.pk, lead.name) if lead else None,
        coach_level=LevelRef(coach.pk, coach.name) if coach else None,
        levels=shares,
        trained=len(reached),
        open_projects=len(open_projects),
        projects_without_lead=without_lead,
        coaches=coaches,
        projects_without_coach=without_coach,
        never_active=never,
    )


def _ref(project: ProjectRow) -> ProjectRef:
    return ProjectRef(project.pk, project.title, project.unit, project.status_label)


def learning_by_doing(
    organisation: Organisation, today: datetime.date | None = None
) -> Doing:
    """:func:`compute_learning_by_doing`, kept until the organisation's data change
    (and for the day: the 12 months move with it)."""
    today = today or _today()
    return kept(
        organisation.pk,
        f"capability:doing:{FORMAT}:{today.isoformat()}",
        lambda: compute_learning_by_doing(organisation, today),
    )


# A cohort's participants -----------------------------------------------------------


@dataclass(frozen=True)
class CohortParticipation:
    """Whether each participant of a cohort has led or joined a project active
    since the cohort started, against what the cohort asks."""

    requirement: str
    since: datetime.date
    #: Enrolment id → "led", "joined" or "" (neither).
    done: dict[int, str]
    #: Enrolment id → whether that meets the requirement.
    met: dict[int, bool]
    #: Participants still counted (not withdrawn), and how many of them meet it.
    counted: int
    meeting: int


def cohort_participation(
    cohort: Cohort,
    enrolments: Iterable[Enrolment],
    today: datetime.date | None = None,
) -> CohortParticipation | None:
    """For a cohort that asks for a project: whether each participant has led or
    joined a project active from the cohort's start to today (three queries:
    the projects, their teams and their people's e-mail addresses). ``enrolments``
    come with their staff records. None when the cohort asks for no project."""
    if cohort.project_requirement == ProjectRequirement.NONE:
        return None
    today = today or _today()
    since = cohort.starts_on
    projects = [
        project
        for project in _projects(cohort.programme.organisation, since)
        if active_between(project, since, today)
    ]
    emails = _emails(projects)
    led = {project.lead_id for project in projects if project.lead_id}
    joined = set().union(*(project.team for project in projects)) if projects else set()
    done: dict[int, str] = {}
    met: dict[int, bool] = {}
    counted = meeting = 0
    for enrolment in enrolments:
        person = enrolment.staff_record
        user = _user_of(person.user_id, person.email, emails)
        did = "led" if user in led else "joined" if user in joined else ""
        done[enrolment.pk] = did
        ok = did == "led" or (
            did == "joined" and cohort.project_requirement == ProjectRequirement.JOIN
        )
        met[enrolment.pk] = ok
        if enrolment.status != Enrolment.Status.WITHDRAWN:
            counted += 1
            meeting += ok
    return CohortParticipation(
        requirement=cohort.project_requirement,
        since=since,
        done=done,
        met=met,
        counted=counted,
        meeting=meeting,
    )
