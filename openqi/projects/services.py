"""Projects: looking one up, and the operations that touch several rows.

Who may do what is :mod:`openqi.projects.permissions`; which ratings a member
may give is :func:`rating_sources`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from openqi.measures.models import Measure
from openqi.organisations.access import (
    deletion_rule,
    find_for,
    may_delete,
    require_delete,
)
from openqi.organisations.models import Membership, Organisation
from openqi.organisations.permissions import has, require

from . import similarity
from .models import (
    PROGRESS_SCALE,
    Partner,
    ProgressRating,
    Project,
    ProjectMeasure,
    ProjectNote,
    Tag,
)
from .permissions import CHANGE_PROJECT, DELETE_PROJECT, RATE_AS_COACH, RATE_AS_TEAM

#: Statuses whose change is worth a line on the timeline with its reason.
ENDING_STATUSES = frozenset({Project.Status.STOPPED, Project.Status.COMPLETED})


#: What each delete confirmation says about who may delete (docs/api.md, "Deleting").
PROJECT_DELETION_RULE = deletion_rule(
    who_may_change="Its lead, the QI team or an administrator",
    history="once it has ratings, PDSA cycles, linked measures or notes",
)


def may_delete_project(membership: Membership, project: Project) -> bool:
    """Whether the member may delete the project: :data:`DELETE_PROJECT`, and the
    deletion rule for a project with history."""
    return may_delete(
        membership,
        has_history=project.has_history(),
        may_change=has(membership, DELETE_PROJECT, project),
    )


def require_project_delete(membership: Membership, project: Project) -> None:
    require(membership, CHANGE_PROJECT)
    require(membership, DELETE_PROJECT, project)
    require_delete(
        membership,
        has_history=project.has_history(),
        what="a project with ratings, PDSA cycles, linked measures or notes",
    )


def is_on_team(membership: Membership, project: Project) -> bool:
    return project.lead_id == membership.user_id or (
        project.team.filter(pk=membership.user_id).exists()
    )


def rating_sources(membership: Membership, project: Project) -> list[str]:
    """Which ratings (``ProgressRating.RatedBy`` values) the member may give."""
    sources: list[str] = []
    if has(membership, RATE_AS_TEAM, project):
        sources.append(ProgressRating.RatedBy.TEAM)
    if has(membership, RATE_AS_COACH):
        sources.append(ProgressRating.RatedBy.COACH)
    return sources


def default_rating_source(membership: Membership, project: Project) -> str | None:
    """The rating the member most likely gives: the coach's for the QI team off the
    project's team, the team's otherwise."""
    sources = rating_sources(membership, project)
    if ProgressRating.RatedBy.COACH in sources and not is_on_team(membership, project):
        return ProgressRating.RatedBy.COACH
    return sources[0] if sources else None


# Looking projects up ------------------------------------------------------------


def get_project_for(membership: Membership, pk: int) -> Project:
    """The organisation's project ``pk`` with what its pages show, or a 404 that
    says where the API lists them; used by the pages and the API alike."""
    projects: QuerySet[Project] = Project.objects.for_organisation(
        membership.organisation
    ).select_related("unit", "lead", "created_by")
    project = find_for(membership, projects, pk, "project", "projects")
    project.organisation = membership.organisation  # the same row: no query to read it
    return project


def search_projects(
    organisation: Organisation,
    *,
    text: str = "",
    status: str = "",
    priority: Any = None,
) -> Any:
    """The organisation's projects whose title contains ``text``, optionally of one status
    and supporting one priority."""
    projects = Project.objects.for_organisation(organisation).select_related(
        "unit", "lead"
    )
    if text:
        projects = projects.filter(title__icontains=text)
    if status:
        projects = projects.filter(status=status)
    if priority is not None:
        projects = projects.filter(priorities=priority)
    return projects.order_by("title", "pk")


# Creating and changing projects ---------------------------------------------------


def tag_names(text: str) -> list[str]:
    """Tags typed as comma-separated text: trimmed, blanks and repeats dropped."""
    names: list[str] = []
    for piece in text.split(","):
        name = " ".join(piece.split())
        if name and name.lower() not in {n.lower() for n in names}:
            names.append(name)
    return names


def _tags(organisation: Organisation, names: list[str]) -> list[Tag]:
    """The organisation's tags with these names, creating those it lacks."""
    existing = {
        tag.name.lower(): tag for tag in Tag.objects.for_organisation(organisation)
    }
    tags = []
    for name in names:
        tag = existing.get(name.lower())
        if tag is None:
            tag = Tag.objects.create(organisation=organisation, name=name)
            existing[name.lower()] = tag
        tags.append(tag)
    return tags


def create_project(
    organisation: Organisation,
    *,
    created_by: Any,
    priorities: Any = (),
    team: Any = (),
    tags: list[str] | tuple[str, ...] = (),
    **fields: Any,
) -> Project:
    """A new project; the arguments come from a validated ``ProjectForm``."""
    with transaction.atomic():
        project = Project(organisation=organisation, created_by=created_by, **fields)
        project.full_clean()
        project.save()
        project.priorities.set(priorities)
        project.team.set(team)
        project.tags.set(_tags(organisation, list(tags)))
    return project


def update_project(
    project: Project,
    *,
    author: Any,
    priorities: Any = None,
    team: Any = None,
    tags: list[str] | None = None,
    **fields: Any,
) -> Project:
    """Save changes to a project. A change of status adds a note to the timeline,
    with the reason when the project stopped or completed."""
    old_status = Project.objects.get(pk=project.pk).status
    with transaction.atomic():
        for name, value in fields.items():
            setattr(project, name, value)
        project.full_clean()
        project.save()
        if priorities is not None:
            project.priorities.set(priorities)
        if team is not None:
            project.team.set(team)
        if tags is not None:
            project.tags.set(_tags(project.organisation, tags))
        if project.status != old_status:
            add_note(project, author=author, text=_status_note(project, old_status))
    return project


def _status_note(project: Project, old_status: str) -> str:
    old = Project.Status(old_status).label
    text = f"Status changed from {old} to {project.get_status_display()}."
    if project.status in ENDING_STATUSES and project.status_reason.strip():
        text += f" Reason: {project.status_reason.strip()}"
    return text


def delete_project(project: Project) -> None:
    project.delete()


# The timeline, ratings, partners and measures ------------------------------------------


def add_note(project: Project, *, author: Any, text: str) -> ProjectNote:
    return ProjectNote.objects.create(project=project, author=author, text=text)


def add_rating(
    project: Project,
    *,
    rater: Any,
    score: Decimal,
    rated_by: str,
    rated_on: datetime.date,
    comment: str = "",
) -> ProgressRating:
    rating = ProgressRating(
        project=project,
        rater=rater,
        score=score,
        rated_by=rated_by,
        rated_on=rated_on,
        comment=comment,
    )
    rating.full_clean()
    rating.save()
    return rating


@dataclass(frozen=True)
class RatingSummary:
    """The latest rating of one source (team or coach), with its level's meaning."""

    rated_by: str
    label: str
    rating: ProgressRating | None

    @property
    def meaning(self) -> tuple[str, str] | None:
        return self.rating.meaning() if self.rating else None


def latest_ratings(ratings: list[ProgressRating]) -> list[RatingSummary]:
    """The newest team rating and the newest coach rating (``ratings`` newest first)."""
    summaries = []
    for source, label in ProgressRating.RatedBy.choices:
        newest = next((r for r in ratings if r.rated_by == source), None)
        summaries.append(RatingSummary(source, label, newest))
    return summaries


def progress_scale() -> list[tuple[Decimal, str, str]]:
    """Every level of the IHI scale: (score, name, what it means)."""
    return [(score, name, meaning) for score, (name, meaning) in PROGRESS_SCALE.items()]


def add_partner(project: Project, **fields: Any) -> Partner:
    partner = Partner(project=project, **fields)
    partner.full_clean()
    partner.save()
    return partner


def remove_partner(partner: Partner) -> None:
    partner.delete()


def link_measure(project: Project, *, measure: Measure, role: str) -> ProjectMeasure:
    link = ProjectMeasure(project=project, measure=measure, role=role)
    link.full_clean()
    link.save()
    return link


def unlink_measure(link: ProjectMeasure) -> None:
    link.delete()


def measures_by_role(
    project: Project, links: list[ProjectMeasure] | None = None
) -> list[tuple[str, list[ProjectMeasure]]]:
    """The project's linked measures (``links``, read here when not given) grouped
    as outcome, process and balancing."""
    if links is None:
        links = list(project.measure_links.select_related("measure"))
    return [
        (label, [link for link in links if link.role == role])
        for role, label in ProjectMeasure.Role.choices
    ]


#: Measures offered at once by the "Link a measure" picker; a search finds the others.
MEASURES_OFFERED = 10


def measures_to_link(
    project: Project, text: str = "", *, limit: int = MEASURES_OFFERED
) -> tuple[list[Measure], int]:
    """The organisation's measures not yet linked to the project whose names contain
    every word of ``text``: the first ``limit`` by name, and how many there are.

    Two queries, however many measures the organisation holds: the picker shows
    a short list and says how many more a narrower search would find.
    """
    measures = Measure.objects.for_organisation(project.organisation).exclude(
        project_links__project=project
    )
    for word in text.split():
        measures = measures.filter(name__icontains=word)
    shown = list(measures.order_by("name", "pk")[:limit])
    total = len(shown) if len(shown) < limit else measures.count()
    return shown, total


# Similar projects ------------------------------------------------------------------------


@dataclass(frozen=True)
class SimilarProject:
    project: Project
    match: similarity.Match


def similar_projects(
    organisation: Organisation,
    *,
    title: str,
    aim: str = "",
    problem: str = "",
    exclude: int | None = None,
) -> list[SimilarProject]:
    """The organisation's projects most like these words, best first, with why."""
    rows = Project.objects.for_organisation(organisation).values_list(
        "pk", "title", "aim_what", "aim_how_much", "problem"
    )
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    texts = [
        similarity.Text(pk, title_, f"{what} {how_much}".strip(), problem_)
        for pk, title_, what, how_much, problem_ in rows
    ]
    matches = similarity.similar(similarity.Text(None, title, aim, problem), texts)
    if not matches:
        return []
    projects = Project.objects.for_organisation(organisation).select_related(
        "unit", "lead"
    )
    by_pk = {p.pk: p for p in projects.filter(pk__in=[m.key for m in matches])}
    return [SimilarProject(by_pk[m.key], m) for m in matches if m.key in by_pk]
