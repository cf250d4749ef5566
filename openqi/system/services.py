"""The members' sharing settings, and the system's portfolio built from what they share.

What a member shares is computed from its own data by the apps' services (the
projects with their latest ratings as the portfolio reads them, the capability
coverage summary, the latest closed readiness round's stored results) and kept
**per member** under that member's data version (:func:`openqi.audit.kept.kept`):
any audited change in the member (a project, a rating, a completion, its
sharing settings) makes its part unreachable when it commits, and the other
members' parts stay kept. The system's page reads each member's kept part (one
cache round trip each) and combines them on each request: counting, laying out
and suppressing a few hundred figures costs far less than computing any one
member's. Keying one value on the system instead would need every member's
change to invalidate the system, which the audit trail does not do.

The sharing settings themselves are read live on every request (one query for
all members), so a member that turns sharing off is gone from the system's view
at once, whatever is kept.
"""

from __future__ import annotations

import datetime
import importlib
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from openqi.assessments.models import AssessmentRound
from openqi.assessments.services.instruments import definition_of
from openqi.assessments.services.results import ResultsNotAvailable, stored_results
from openqi.audit.kept import kept
from openqi.capability import coverage
from openqi.core.versioning import VersionConflict
from openqi.organisations.models import Membership, Organisation
from openqi.portfolio.services import with_latest_ratings
from openqi.projects.models import PROGRESS_SCALE, Project
from openqi.strategy.models import StrategicPriority

from .models import PARTS, Sharing
from .suppression import Table, is_small, suppress_table

__all__ = [
    "FORMAT",
    "MemberShare",
    "NotInSystem",
    "Portfolio",
    "SharedProject",
    "portfolio_for",
    "save_sharing",
    "sharing_for",
    "system_of",
]

#: A release that changes what is kept moves this, so old values are not read.
FORMAT = 1
#: The progress ratings' columns: the IHI scale, then "not rated".
RATINGS: tuple[Decimal, ...] = tuple(PROGRESS_SCALE)
NOT_RATED = "Not rated"


class NotInSystem(Exception):
    """The organisation belongs to no system: there is nothing to share with."""

    def __init__(self, organisation: Organisation) -> None:
        super().__init__(
            f"{organisation.name} does not belong to an integrated care system, so "
            "there is no system to share with. An administrator of the system adds "
            "it as a member."
        )


# Sharing settings ---------------------------------------------------------------


def system_of(organisation: Organisation) -> Organisation | None:
    """The member's system, or None."""
    if organisation.system_id is None:
        return None
    return organisation.system


def sharing_for(organisation: Organisation) -> Sharing:
    """The member's sharing with its current system (an unsaved row sharing
    nothing when it has never chosen). Raises :class:`NotInSystem`."""
    system = system_of(organisation)
    if system is None:
        raise NotInSystem(organisation)
    found = Sharing.objects.filter(organisation=organisation, system=system).first()
    return found or Sharing(organisation=organisation, system=system)


def save_sharing(
    organisation: Organisation,
    *,
    portfolio: bool,
    capability: bool,
    readiness: bool,
    version: int | None = None,
) -> Sharing:
    """Set what the member shares with its system (on its audit trail).

    ``version`` is the version the change was made on: a different saved one
    raises :class:`~openqi.core.versioning.VersionConflict`.
    """
    with transaction.atomic():
        sharing = sharing_for(organisation)
        if sharing.pk is not None:
            sharing = Sharing.objects.select_for_update().get(pk=sharing.pk)
            if version is not None and version != sharing.version:
                raise VersionConflict(sharing, version)
        sharing.portfolio = portfolio
        sharing.capability = capability
        sharing.readiness = readiness
        sharing.save()
    return sharing


def shared_parts(sharing: Sharing) -> list[str]:
    """What the row shares, in words ("Our project portfolio", …)."""
    return [label for name, label, _ in PARTS if getattr(sharing, name)]


# What each member shares (kept per member) ----------------------------------------


@dataclass(frozen=True)
class SharedProject:
    """A shared project: its title, priorities, status and latest rating; nothing else."""

    pk: int
    title: str
    status: str
    priorities: tuple[str, ...]
    #: The latest rating by the team, else by the QI coach; None when unrated.
    rating: Decimal | None

    @property
    def status_label(self) -> str:
        return str(Project.Status(self.status).label)

    @property
    def rating_label(self) -> str:
        if self.rating is None:
            return NOT_RATED
        return f"{self.rating} – {PROGRESS_SCALE[self.rating][0]}"


@dataclass(frozen=True)
class LevelCount:
    """A skill level across the member: people who reached it, staff, and the
    people its organisation-wide target needs (None without one)."""

    name: str
    people: int
    staff: int
    need: int | None


@dataclass(frozen=True)
class DomainScore:
    title: str
    #: Answers behind the score.
    n: int
    score: float | None


@dataclass(frozen=True)
class RoundShare:
    instrument: str
    title: str
    closed_on: datetime.date | None
    domains: tuple[DomainScore, ...]


@dataclass(frozen=True)
class MemberShare:
    """What one member shares with its system."""

    pk: int
    slug: str
    name: str
    portfolio: bool = False
    capability: bool = False
    readiness: bool = False
    projects: tuple[SharedProject, ...] = ()
    levels: tuple[LevelCount, ...] = ()
    round: RoundShare | None = None

    @property
    def shares_anything(self) -> bool:
        return self.portfolio or self.capability or self.readiness


def _projects(member: Organisation) -> tuple[SharedProject, ...]:
    # with_latest_ratings annotates team_score and coach_score (read by name:
    # the type checker does not see annotations).
    projects = (
        with_latest_ratings(Project.objects.for_organisation(member))
        .only("pk", "title", "status")
        .order_by("title", "pk")
    )
    rows = [
        (
            p.pk,
            p.title,
            p.status,
            getattr(p, "team_score", None),
            getattr(p, "coach_score", None),
        )
        for p in projects
    ]
    titles: dict[int, list[str]] = defaultdict(list)
    links = (
        Project.priorities.through.objects.filter(project__organisation=member)
        .order_by("strategicpriority__position", "strategicpriority__title")
        .values_list("project_id", "strategicpriority__title")
    )
    for project_id, title in links:
        titles[project_id].append(title)
    return tuple(
        SharedProject(
            pk=pk,
            title=title,
            status=status,
            priorities=tuple(titles.get(pk, ())),
            rating=_score(team if team is not None else coach),
        )
        for pk, title, status, team, coach in rows
    )


def _score(value: Any) -> Decimal | None:
    if value is None:
        return None
    score = Decimal(str(value)).quantize(Decimal("0.1"))
    return score if score in PROGRESS_SCALE else None


def _levels(member: Organisation, today: datetime.date) -> tuple[LevelCount, ...]:
    summary = coverage.summary(member, today)
    return tuple(
        LevelCount(
            name=each.level.name,
            people=each.people,
            staff=each.staff,
            need=each.target.need if each.target is not None else None,
        )
        for each in summary.levels
    )


def _round(member: Organisation) -> RoundShare | None:
    latest = (
        AssessmentRound.objects.for_organisation(member)
        .filter(status=AssessmentRound.Status.CLOSED, closed_on__isnull=False)
        .select_related("instrument")
        .order_by("-closed_on", "-pk")
        .first()
    )
    if latest is None:
        return None
    try:
        cells = stored_results(latest)["overall"]["cells"]
    except (ResultsNotAvailable, KeyError):
        return None
    definition = definition_of(latest)
    domains = []
    for section in definition.sections:
        cell = cells.get(section.key) or {}
        domains.append(
            DomainScore(
                title=section.title,
                n=int(cell.get("n") or 0),
                score=cell.get("score"),
            )
        )
    return RoundShare(
        instrument=definition.name,
        title=latest.title,
        closed_on=latest.closed_on,
        domains=tuple(domains),
    )


def _compute_share(
    member: Organisation, flags: tuple[bool, bool, bool], today: datetime.date
) -> MemberShare:
    portfolio, capability, readiness = flags
    return MemberShare(
        pk=member.pk,
        slug=member.slug,
        name=member.name,
        portfolio=portfolio,
        capability=capability,
        readiness=readiness,
        projects=_projects(member) if portfolio else (),
        levels=_levels(member, today) if capability else (),
        round=_round(member) if readiness else None,
    )


def member_share(
    member: Organisation, sharing: Sharing | None, today: datetime.date
) -> MemberShare:
    """What ``member`` shares under ``sharing`` (nothing without one), kept until
    the member's data change."""
    flags = (
        (sharing.portfolio, sharing.capability, sharing.readiness)
        if sharing is not None
        else (False, False, False)
    )
    if not any(flags):
        return MemberShare(pk=member.pk, slug=member.slug, name=member.name)
    key = (
        f"system-share:{FORMAT}:{sharing.system_id if sharing else 0}:"
        f"{''.join('1' if f else '0' for f in flags)}:{today.isoformat()}"
    )
    return kept(member.pk, key, lambda: _compute_share(member, flags, today))


# The system's view ----------------------------------------------------------------


@dataclass(frozen=True)
class Matrix:
    """Members (rows) × categories (columns) of project counts, with totals."""

    columns: tuple[str, ...]
    #: (member, counts, row total) for each member.
    rows: tuple[tuple[MemberShare, tuple[int, ...], int], ...]
    totals: tuple[int, ...]
    total: int
    #: The largest count, for shading.
    largest: int


@dataclass(frozen=True)
class PriorityCount:
    member: MemberShare
    priority: str
    count: int


@dataclass(frozen=True)
class CapabilityTable:
    levels: tuple[str, ...]
    members: tuple[MemberShare, ...]
    #: People per member × level after suppression; totals per level across members.
    people: Table
    #: Staff per member (None where withheld), and the people each level's target
    #: needs (None without a target).
    staff: tuple[int | None, ...]
    needs: tuple[tuple[int | None, ...], ...]


@dataclass(frozen=True)
class ReadinessTable:
    domains: tuple[str, ...]
    members: tuple[MemberShare, ...]
    #: Score per member × domain, None where withheld (fewer than 5 answers) or
    #: not asked in the member's instrument.
    scores: tuple[tuple[float | None, ...], ...]
    #: Whether each cell was asked at all (else "not asked" rather than withheld).
    asked: tuple[tuple[bool, ...], ...]


@dataclass(frozen=True)
class Publication:
    title: str
    member: str
    kind: str
    href: str


@dataclass
class Portfolio:
    """The system's view: its members and what each shares, combined."""

    system: Organisation
    members: list[MemberShare]
    publications: list[Publication] | None = None
    own_priorities: list[StrategicPriority] = field(default_factory=list)
    own_projects: list[Project] = field(default_factory=list)

    @property
    def sharing_portfolio(self) -> list[MemberShare]:
        return [m for m in self.members if m.portfolio]

    def projects(self) -> list[tuple[MemberShare, SharedProject]]:
        return [(m, p) for m in self.sharing_portfolio for p in m.projects]

    def by_status(self) -> Matrix:
        statuses = [value for value, _ in Project.Status.choices]
        labels = tuple(str(label) for _, label in Project.Status.choices)
        return _matrix(
            self.sharing_portfolio, labels, lambda p: statuses.index(p.status)
        )

    def by_rating(self) -> Matrix:
        labels = (*(f"{r}" for r in RATINGS), NOT_RATED)
        return _matrix(
            self.sharing_portfolio,
            labels,
            lambda p: RATINGS.index(p.rating) if p.rating is not None else len(RATINGS),
        )

    def by_priority(self) -> list[PriorityCount]:
        found = []
        for member in self.sharing_portfolio:
            counts: Counter[str] = Counter()
            for project in member.projects:
                for priority in project.priorities or ("No strategic priority",):
                    counts[priority] += 1
            found += [
                PriorityCount(member, priority, n)
                for priority, n in sorted(
                    counts.items(), key=lambda kv: (-kv[1], kv[0])
                )
            ]
        return found

    def capability(self) -> CapabilityTable | None:
        members = tuple(m for m in self.members if m.capability and m.levels)
        if not members:
            return None
        levels: list[str] = []
        for member in members:
            levels += [lv.name for lv in member.levels if lv.name not in levels]
        counts = []
        needs = []
        for member in members:
            by_name = {lv.name: lv for lv in member.levels}
            counts.append([by_name[n].people if n in by_name else 0 for n in levels])
            needs.append(
                tuple(by_name[n].need if n in by_name else None for n in levels)
            )
        staff = tuple(
            None if is_small(s) else s
            for s in (max((lv.staff for lv in m.levels), default=0) for m in members)
        )
        # A person counts at every level they reached, so rows have no total;
        # each level's total across the members does.
        table = suppress_table(counts, row_totals=False, column_totals=True)
        return CapabilityTable(
            levels=tuple(levels),
            members=members,
            people=table,
            staff=staff,
            needs=tuple(needs),
        )

    def readiness(self) -> ReadinessTable | None:
        members = tuple(m for m in self.members if m.readiness and m.round)
        if not members:
            return None
        domains: list[str] = []
        for member in members:
            assert member.round is not None
            domains += [d.title for d in member.round.domains if d.title not in domains]
        scores = []
        asked = []
        for member in members:
            assert member.round is not None
            by_title = {d.title: d for d in member.round.domains}
            scores.append(
                tuple(
                    None
                    if t not in by_title
                    or is_small(by_title[t].n)
                    or by_title[t].score is None
                    else round(float(by_title[t].score or 0), 1)
                    for t in domains
                )
            )
            asked.append(tuple(t in by_title for t in domains))
        return ReadinessTable(
            domains=tuple(domains),
            members=members,
            scores=tuple(scores),
            asked=tuple(asked),
        )


def _matrix(
    members: Sequence[MemberShare], columns: tuple[str, ...], column_of: Any
) -> Matrix:
    rows = []
    for member in members:
        counts = [0] * len(columns)
        for project in member.projects:
            counts[column_of(project)] += 1
        rows.append((member, tuple(counts), sum(counts)))
    totals = tuple(sum(r[1][c] for r in rows) for c in range(len(columns)))
    largest = max((n for r in rows for n in r[1]), default=0)
    return Matrix(columns, tuple(rows), totals, sum(totals), largest)


def _publications(system: Organisation) -> list[Publication] | None:
    """The members' live publications the system may read, newest first (None
    while the library cannot say)."""
    try:
        library = importlib.import_module("openqi.library.services")
    except ImportError:
        return None
    visible = getattr(library, "visible_publications", None)
    if visible is None:
        return None
    found = (
        visible(system)
        .filter(organisation__system=system)
        .select_related("organisation")[:50]
    )
    return [
        Publication(
            title=p.title,
            member=p.organisation.name,
            kind=p.get_kind_display(),
            href=_publication_href(system, p.pk),
        )
        for p in found
    ]


def _publication_href(system: Organisation, pk: int) -> str:
    for name in ("library:detail", "library:publication"):
        try:
            return reverse(name, kwargs={"slug": system.slug, "pk": pk})
        except NoReverseMatch:
            continue
    return ""


def require_system(organisation: Organisation) -> None:
    """404 unless the organisation is a system (the pages and API live under one)."""
    if organisation.kind != Organisation.Kind.SYSTEM:
        raise Http404(
            f"{organisation.name} is not an integrated care system: it has no "
            "system portfolio."
        )


def portfolio_for(
    membership: Membership,
    today: datetime.date | None = None,
    *,
    publications: bool = True,
    own: bool = True,
) -> Portfolio:
    """The system's portfolio as ``membership`` (a role in the system organisation)
    sees it. A member that shares nothing is absent."""
    system = membership.organisation
    require_system(system)
    day = today or timezone.localdate()
    members = list(Organisation.objects.filter(system=system).order_by("name", "pk"))
    settings = {
        s.organisation_id: s
        for s in Sharing.objects.filter(system=system, organisation__in=members)
    }
    shares = [
        member_share(member, settings.get(member.pk), day)
        for member in members
        if member.pk in settings and settings[member.pk].anything
    ]
    found = Portfolio(system=system, members=shares)
    if publications:
        found.publications = _publications(system)
    if own:
        found.own_priorities = list(StrategicPriority.objects.for_organisation(system))
        found.own_projects = list(
            Project.objects.for_organisation(system).order_by("title")[:50]
        )
    return found


def visible_member_slugs(memberships: Sequence[Membership]) -> set[str]:
    """The organisations whose projects the person may open (they are a member)."""
    return {m.organisation.slug for m in memberships}
