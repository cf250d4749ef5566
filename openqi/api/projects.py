"""/organisations/{slug}/projects: improvement projects, their progress ratings,
timeline notes and linked measures.

Everyone in the organisation reads them; everyone but a viewer changes them.
Coach ratings are for administrators and the QI team. The driver diagram and
PDSA cycles are in :mod:`openqi.api.drivers`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from openqi.accounts.models import User
from openqi.organisations.models import Membership
from openqi.organisations.permissions import MemberRequest, api_access
from openqi.projects import services
from openqi.projects.forms import (
    MeasureLinkForm,
    NoteForm,
    PartnerForm,
    ProjectForm,
    RatingForm,
)
from openqi.projects.models import (
    PROGRESS_SCALE,
    Partner,
    ProgressRating,
    Project,
    ProjectMeasure,
    ProjectNote,
)
from openqi.projects.permissions import CHANGE_PROJECT, VIEW_PROJECTS

from . import versions
from .auth import caller
from .errors import InvalidInput
from .lookups import changes, check, date_fields, organisation_api_path
from .schemas import (
    Answer,
    Day,
    MeasureKind,
    ObjectIn,
    Page,
    PageQuery,
    PartnerKind,
    ProjectMeasureRole,
    ProjectStatus,
)
from .versions import VERSION_IN, VERSION_OUT
from .views import ERRORS, WRITE_ERRORS, paginate

router = Router(tags=["projects"])

PROJECTS = "/organisations/{slug}/projects"
PROJECT = PROJECTS + "/{project_id}"

#: Model field → the API field that sets it, so errors name what the caller sent.
_API_FIELD = {
    "unit": "unit_id",
    "lead": "lead_id",
    "team": "team_ids",
    "priorities": "priority_ids",
    "aim_what": "aim.what",
    "aim_how_much": "aim.how_much",
    "aim_by_when": "aim.by_when",
}


# Shapes -------------------------------------------------------------------------------


class PersonRef(Answer):
    id: int
    full_name: str


class _AimFields(Schema):
    what: str = Field("", description="What we will improve.")
    how_much: str = Field("", max_length=200, description="By how much.")
    by_when: Day | None = Field(None, description="By when.")


class AimIn(_AimFields, ObjectIn):
    pass


class AimOut(Answer, _AimFields):
    statement: str = Field(description="The aim in one sentence.")


class PartnerIn(Schema):
    name: str = Field(min_length=1, max_length=150)
    kind: PartnerKind = Partner.Kind.PATIENT
    contribution: str = Field("", max_length=300)


class PartnerOut(Answer, PartnerIn):
    id: int


class RatingOut(Answer):
    id: int
    score: float = Field(description="On the IHI scale, 0.5 to 5.0 in halves.")
    label: str = Field(description="The level's name, e.g. 'Modest improvement'.")
    meaning: str = Field(description="What the level means.")
    rated_by: ProgressRating.RatedBy
    rated_on: date
    rater: PersonRef | None
    comment: str


class LatestRatings(Answer):
    team: RatingOut | None = Field(description="The team's latest rating.")
    coach: RatingOut | None = Field(description="The QI coach's latest rating.")


class MeasureLinkOut(Answer):
    measure_id: int
    name: str
    kind: MeasureKind
    role: ProjectMeasureRole


class ProjectOut(Answer):
    id: int
    version: int = Field(description=VERSION_OUT)
    title: str
    problem: str
    aim: AimOut
    unit_id: int | None
    priority_ids: list[int]
    method: Project.Method
    method_other: str
    lead: PersonRef | None
    team: list[PersonRef]
    partners: list[PartnerOut] = Field(description="Patient and carer partners.")
    status: ProjectStatus
    status_reason: str
    start_date: date | None
    end_date: date | None
    tags: list[str]
    latest_ratings: LatestRatings
    measures: list[MeasureLinkOut] = Field(description="Linked measures, by role.")
    created_at: datetime
    updated_at: datetime


class ProjectIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    problem: str = ""
    aim: AimIn = Field(default_factory=AimIn)  # type: ignore[arg-type]  # pydantic types default_factory from the field; ninja's Schema hides it
    unit_id: int | None = None
    priority_ids: list[int] = Field(default_factory=list)
    method: Project.Method = Project.Method.MODEL_FOR_IMPROVEMENT
    method_other: str = Field("", max_length=100)
    lead_id: int | None = Field(
        None, description="A member of the organisation (the id in /members' person)."
    )
    team_ids: list[int] = Field(
        default_factory=list, description="Members of the organisation, by person id."
    )
    partners: list[PartnerIn] = Field(default_factory=list)
    status: ProjectStatus = Project.Status.IDEA
    status_reason: str = Field("", description="Needed when the status is stopped.")
    start_date: Day | None = None
    end_date: Day | None = None
    tags: list[str] = Field(default_factory=list, description="Tag names.")


class ProjectPatch(Schema):
    """Send only the fields to change; a list sent replaces the list."""

    version: int | None = Field(None, ge=1, description=VERSION_IN)
    title: str | None = Field(None, min_length=1, max_length=200)
    problem: str | None = None
    aim: AimIn | None = None
    unit_id: int | None = None
    priority_ids: list[int] | None = None
    method: Project.Method | None = None
    method_other: str | None = Field(None, max_length=100)
    lead_id: int | None = None
    team_ids: list[int] | None = None
    partners: list[PartnerIn] | None = None
    status: ProjectStatus | None = None
    status_reason: str | None = None
    start_date: Day | None = None
    end_date: Day | None = None
    tags: list[str] | None = None


class ProjectQuery(PageQuery):
    status: ProjectStatus | None = None
    unit_id: int | None = None
    priority_id: int | None = None
    method: Project.Method | None = None


class RatingIn(Schema):
    score: float = Field(description="0.5 to 5.0 in halves.")
    rated_by: ProgressRating.RatedBy = Field(
        ProgressRating.RatedBy.TEAM,
        description="coach ratings are for administrators and the QI team.",
    )
    rated_on: Day | None = Field(None, description="Defaults to today.")
    comment: str = ""


class RatingQuery(PageQuery):
    rated_by: ProgressRating.RatedBy | None = None


class NoteOut(Schema):
    id: int
    text: str
    author: PersonRef | None
    created_at: datetime


class NoteIn(Schema):
    text: str = Field(min_length=1)


class MeasureLinkIn(Schema):
    measure_id: int
    role: ProjectMeasureRole = ProjectMeasure.Role.OUTCOME


# Reading ------------------------------------------------------------------------------

#: The project fields ProjectOut shows (a page of projects loads no more).
_PROJECT_FIELDS = (
    *("id", "version", "title", "problem", "aim_what", "aim_how_much", "aim_by_when"),
    *("unit_id", "method", "method_other", "status", "status_reason"),
    *("start_date", "end_date", "created_at", "updated_at", "lead__full_name"),
)


def _projects(membership: Membership) -> Any:
    return (
        Project.objects.for_organisation(membership.organisation)
        .select_related("lead")
        .only(*_PROJECT_FIELDS)
    )


def _person(user: User | None) -> dict[str, Any] | None:
    return None if user is None else {"id": user.pk, "full_name": user.full_name}


def _rating_out(rating: ProgressRating) -> dict[str, Any]:
    label, meaning = rating.meaning()
    return {
        "id": rating.pk,
        "score": float(rating.score),
        "label": label,
        "meaning": meaning,
        "rated_by": rating.rated_by,
        "rated_on": rating.rated_on,
        "rater": _person(rating.rater),
        "comment": rating.comment,
    }


def _rating_values_out(rating: dict[str, Any]) -> dict[str, Any]:
    """RatingOut from a rating's values (as ``_rating_out`` from the row)."""
    label, meaning = PROGRESS_SCALE[Decimal(rating["score"])]
    rater = rating["rater_id"]
    return {
        "id": rating["id"],
        "score": float(rating["score"]),
        "label": label,
        "meaning": meaning,
        "rated_by": rating["rated_by"],
        "rated_on": rating["rated_on"],
        "rater": None
        if rater is None
        else {"id": rater, "full_name": rating["rater__full_name"]},
        "comment": rating["comment"],
    }


def _link_out(link: ProjectMeasure) -> dict[str, Any]:
    return {
        "measure_id": link.measure_id,
        "name": link.measure.name,
        "kind": link.measure.kind,
        "role": link.role,
    }


def _by_project(rows: Any) -> dict[int, list[Any]]:
    """Rows whose first value is a project id, grouped by it (in the rows' order)."""
    grouped: dict[int, list[Any]] = defaultdict(list)
    for project_id, *rest in rows:
        grouped[project_id].append(rest)
    return grouped


def _projects_out(projects: list[Project]) -> list[dict[str, Any]]:
    """ProjectOut for each project, in six queries however many projects and rows
    each carries: plain values, no model rows, one per list a project shows."""
    ids = [project.pk for project in projects]
    team = _by_project(
        Project.team.through.objects.filter(project_id__in=ids)  # access: the projects'
        .order_by("user__full_name", "user__email")
        .values_list("project_id", "user_id", "user__full_name")
    )
    priorities = _by_project(
        Project.priorities.through.objects.filter(  # access: the projects'
            project_id__in=ids
        )
        .order_by("strategicpriority__position", "strategicpriority__title")
        .values_list("project_id", "strategicpriority_id")
    )
    tags = _by_project(
        Project.tags.through.objects.filter(project_id__in=ids)  # access: the projects'
        .order_by("tag__name")
        .values_list("project_id", "tag__name")
    )
    partners = _by_project(
        Partner.objects.filter(project_id__in=ids)  # access: the projects'
        .order_by("name", "pk")
        .values_list("project_id", "id", "name", "kind", "contribution")
    )
    links = _by_project(
        ProjectMeasure.objects.filter(project_id__in=ids)  # access: the projects'
        .order_by("role", "measure__name")
        .values_list(
            "project_id", "measure_id", "measure__name", "measure__kind", "role"
        )
    )
    # Only the latest of each kind of rating, however long a project's history.
    latest: dict[tuple[int, str], dict[str, Any]] = {
        (rating["project_id"], rating["rated_by"]): rating
        for rating in ProgressRating.objects.filter(  # access: the projects'
            project_id__in=ids
        )
        .annotate(
            newest=Window(
                RowNumber(),
                partition_by=[F("project_id"), F("rated_by")],
                order_by=[F("rated_on").desc(), F("pk").desc()],
            )
        )
        .filter(newest=1)
        .order_by()
        .values(
            *("id", "project_id", "score", "rated_by", "rated_on", "rater_id"),
            *("rater__full_name", "comment"),
        )
    }
    return [
        {
            "id": project.pk,
            "version": project.version,
            "title": project.title,
            "problem": project.problem,
            "aim": {
                "what": project.aim_what,
                "how_much": project.aim_how_much,
                "by_when": project.aim_by_when,
                "statement": project.aim_statement(),
            },
            "unit_id": project.unit_id,
            "priority_ids": [pk for (pk,) in priorities[project.pk]],
            "method": project.method,
            "method_other": project.method_other,
            "lead": _person(project.lead),
            "team": [{"id": pk, "full_name": name} for pk, name in team[project.pk]],
            "partners": [
                {"id": pk, "name": name, "kind": kind, "contribution": contribution}
                for pk, name, kind, contribution in partners[project.pk]
            ],
            "status": project.status,
            "status_reason": project.status_reason,
            "start_date": project.start_date,
            "end_date": project.end_date,
            "tags": [name for (name,) in tags[project.pk]],
            "latest_ratings": {
                by.value: None
                if (rating := latest.get((project.pk, by.value))) is None
                else _rating_values_out(rating)
                for by in ProgressRating.RatedBy
            },
            "measures": [
                {"measure_id": pk, "name": name, "kind": kind, "role": role}
                for pk, name, kind, role in links[project.pk]
            ],
            "created_at": project.created_at,
            "updated_at": project.updated_at,
        }
        for project in projects
    ]


def _project_out(project: Project) -> dict[str, Any]:
    return _projects_out([project])[0]


# Writing ------------------------------------------------------------------------------


def _form_data(data: dict[str, Any]) -> dict[str, Any]:
    """The API's project fields as ProjectForm's (dates as day, month and year)."""
    aim = data.get("aim") or {}
    form_data = {
        "title": data.get("title"),
        "problem": data.get("problem") or "",
        "aim_what": aim.get("what") or "",
        "aim_how_much": aim.get("how_much") or "",
        "unit": data.get("unit_id"),
        "priorities": data.get("priority_ids") or [],
        "method": data.get("method"),
        "method_other": data.get("method_other") or "",
        "lead": data.get("lead_id"),
        "team": data.get("team_ids") or [],
        "status": data.get("status"),
        "status_reason": data.get("status_reason") or "",
        "tags": ", ".join(data.get("tags") or []),
    }
    form_data = {k: v for k, v in form_data.items() if v is not None}
    form_data.update(date_fields("aim_by_when", aim.get("by_when")))
    for name in ("start_date", "end_date"):
        form_data.update(date_fields(name, data.get(name)))
    return form_data


def _current(project: Project) -> dict[str, Any]:
    """The project as the API's input fields, for a PATCH to change some of them."""
    return {
        "title": project.title,
        "problem": project.problem,
        "aim": {
            "what": project.aim_what,
            "how_much": project.aim_how_much,
            "by_when": project.aim_by_when,
        },
        "unit_id": project.unit_id,
        "priority_ids": [p.pk for p in project.priorities.all()],
        "method": project.method,
        "method_other": project.method_other,
        "lead_id": project.lead_id,
        "team_ids": [u.pk for u in project.team.all()],
        "status": project.status,
        "status_reason": project.status_reason,
        "start_date": project.start_date,
        "end_date": project.end_date,
        "tags": [t.name for t in project.tags.all()],
    }


def _checked_partners(partners: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Each partner checked by PartnerForm; errors name the partner's place in the list."""
    cleaned = []
    for index, partner in enumerate(partners or []):
        form = PartnerForm(partner)
        if not form.is_valid():
            raise InvalidInput(
                {
                    f"partners[{index}].{f}": [str(e) for e in m]
                    for f, m in form.errors.items()
                }
            )
        cleaned.append(form.cleaned_data)
    return cleaned


def _replace_partners(project: Project, partners: list[dict[str, Any]]) -> None:
    for partner in project.partners.all():
        services.remove_partner(partner)
    for partner in partners:
        services.add_partner(project, **partner)


# Projects -----------------------------------------------------------------------------


@router.get(PROJECTS, response={200: Page[ProjectOut], **ERRORS}, url_name="projects")
@api_access(VIEW_PROJECTS)
def list_projects(request: MemberRequest, slug: str, query: Query[ProjectQuery]) -> Any:
    """The organisation's projects, by title; filter by status, unit_id, priority_id, method."""
    membership = request.membership
    projects = _projects(membership)
    if query.status:
        projects = projects.filter(status=query.status)
    if query.unit_id is not None:
        projects = projects.filter(unit_id=query.unit_id)
    if query.priority_id is not None:
        projects = projects.filter(priorities__pk=query.priority_id)
    if query.method:
        projects = projects.filter(method=query.method)
    result = paginate(projects.order_by("title", "pk"), query)
    result["items"] = _projects_out(result["items"])
    return result


@router.post(PROJECTS, response={201: ProjectOut, **WRITE_ERRORS}, url_name="projects")
@api_access(CHANGE_PROJECT)
def create_project(request: MemberRequest, slug: str, payload: ProjectIn) -> Any:
    """Start a project (everyone but viewers)."""
    membership = request.membership
    data = payload.dict()
    form = ProjectForm(_form_data(data), organisation=membership.organisation)
    check(form, _API_FIELD)
    partners = _checked_partners(data["partners"])
    with transaction.atomic():
        project = services.create_project(
            membership.organisation,
            created_by=caller(request),
            **form.project_fields(),
        )
        _replace_partners(project, partners)
    return Status(201, _project_out(services.get_project_for(membership, project.pk)))


@router.get(PROJECT, response={200: ProjectOut, **ERRORS}, url_name="project")
@api_access(VIEW_PROJECTS)
def get_project(request: MemberRequest, slug: str, project_id: int) -> Any:
    """A project with its aim, team, partners, latest ratings and linked measures."""
    return _project_out(services.get_project_for(request.membership, project_id))


@router.patch(PROJECT, response={200: ProjectOut, **WRITE_ERRORS}, url_name="project")
@api_access(CHANGE_PROJECT)
def update_project(
    request: MemberRequest, slug: str, project_id: int, payload: ProjectPatch
) -> Any:
    """Change a project (everyone but viewers); send only the fields to change."""
    membership = request.membership
    sent = changes(payload)
    expect = versions.expected(request, sent.pop("version", None))
    aim = sent.pop("aim", None) or {}

    def attempt() -> Project:
        project = services.get_project_for(membership, project_id)
        versions.check(project, expect)
        data = _current(project)
        data["aim"].update(aim)
        data.update(sent)
        form = ProjectForm(
            _form_data(data), instance=project, organisation=membership.organisation
        )
        check(form, _API_FIELD)
        partners = _checked_partners(sent["partners"]) if "partners" in sent else None
        with transaction.atomic():
            services.update_project(
                project,
                author=caller(request),
                **form.project_fields(),
            )
            if partners is not None:
                _replace_partners(project, partners)
        return project

    project = versions.save(expect, attempt)
    return _project_out(services.get_project_for(membership, project.pk))


@router.delete(PROJECT, response={204: None, **WRITE_ERRORS}, url_name="project")
@api_access(CHANGE_PROJECT)
def delete_project(request: MemberRequest, slug: str, project_id: int) -> Any:
    """Delete a project with its notes, ratings, driver diagram and cycles (its lead,
    the QI team and administrators); its measures stay."""
    membership = request.membership
    project = services.get_project_for(membership, project_id)
    services.require_project_delete(membership, project)
    services.delete_project(project)
    return Status(204, None)


# Progress ratings ---------------------------------------------------------------------


@router.get(
    PROJECT + "/ratings",
    response={200: Page[RatingOut], **ERRORS},
    url_name="project-ratings",
)
@api_access(VIEW_PROJECTS)
def list_ratings(
    request: MemberRequest, slug: str, project_id: int, query: Query[RatingQuery]
) -> Any:
    """The project's progress ratings, newest first: its history on the IHI scale."""
    project = services.get_project_for(request.membership, project_id)
    ratings = project.ratings.select_related("rater").order_by("-rated_on", "-pk")
    if query.rated_by:
        ratings = ratings.filter(rated_by=query.rated_by)
    result = paginate(ratings, query)
    result["items"] = [_rating_out(r) for r in result["items"]]
    return result


@router.post(
    PROJECT + "/ratings",
    response={201: RatingOut, **WRITE_ERRORS},
    url_name="project-ratings",
)
@api_access(CHANGE_PROJECT)
def create_rating(
    request: MemberRequest, slug: str, project_id: int, payload: RatingIn
) -> Any:
    """Rate the project's progress (everyone but viewers; coach ratings: administrators
    and the QI team). Earlier ratings are kept."""
    membership = request.membership
    project = services.get_project_for(membership, project_id)
    sources = services.rating_sources(membership, project)
    if payload.rated_by not in sources:
        who = (
            "the QI team and administrators"
            if payload.rated_by == ProgressRating.RatedBy.COACH
            else "the project's lead and team, the QI team and administrators"
        )
        raise PermissionDenied(
            f"A {ProgressRating.RatedBy(payload.rated_by).label.lower()}'s rating is "
            f"given by {who}."
        )
    score = Decimal(str(payload.score))
    if score not in PROGRESS_SCALE:
        levels = ", ".join(str(level) for level in PROGRESS_SCALE)
        raise InvalidInput(
            {
                "score": [
                    f"{payload.score} is not a level of the IHI scale; use one of {levels}."
                ]
            }
        )
    data = {
        "score": str(next(level for level in PROGRESS_SCALE if level == score)),
        "rated_by": payload.rated_by,
        "comment": payload.comment,
        **date_fields("rated_on", payload.rated_on or timezone.localdate()),
    }
    cleaned = check(RatingForm(data, sources=sources))
    rating = services.add_rating(
        project,
        rater=caller(request),
        **cleaned,
    )
    return Status(201, _rating_out(rating))


# Notes --------------------------------------------------------------------------------


@router.get(
    PROJECT + "/notes",
    response={200: Page[NoteOut], **ERRORS},
    url_name="project-notes",
)
@api_access(VIEW_PROJECTS)
def list_notes(
    request: MemberRequest, slug: str, project_id: int, page: Query[PageQuery]
) -> Any:
    """The project's timeline, newest first."""
    project = services.get_project_for(request.membership, project_id)
    result = paginate(project.notes.select_related("author"), page)
    result["items"] = [_note_out(n) for n in result["items"]]
    return result


@router.post(
    PROJECT + "/notes",
    response={201: NoteOut, **WRITE_ERRORS},
    url_name="project-notes",
)
@api_access(CHANGE_PROJECT)
def create_note(
    request: MemberRequest, slug: str, project_id: int, payload: NoteIn
) -> Any:
    """Add a note to the project's timeline (everyone but viewers)."""
    membership = request.membership
    project = services.get_project_for(membership, project_id)
    cleaned = check(NoteForm({"text": payload.text}))
    note = services.add_note(
        project,
        author=caller(request),
        text=cleaned["text"],
    )
    return Status(201, _note_out(note))


def _note_out(note: ProjectNote) -> dict[str, Any]:
    return {
        "id": note.pk,
        "text": note.text,
        "author": _person(note.author),
        "created_at": note.created_at,
    }


# Measure links ------------------------------------------------------------------------


@router.get(
    PROJECT + "/measures",
    response={200: Page[MeasureLinkOut], **ERRORS},
    url_name="project-measures",
)
@api_access(VIEW_PROJECTS)
def list_measure_links(
    request: MemberRequest, slug: str, project_id: int, page: Query[PageQuery]
) -> Any:
    """The project's measures: outcome, then process, then balancing."""
    project = services.get_project_for(request.membership, project_id)
    links = project.measure_links.select_related("measure").order_by(
        "role", "measure__name"
    )
    result = paginate(links, page)
    result["items"] = [_link_out(link) for link in result["items"]]
    return result


@router.post(
    PROJECT + "/measures",
    response={201: MeasureLinkOut, **WRITE_ERRORS},
    url_name="project-measures",
)
@api_access(CHANGE_PROJECT)
def link_measure(
    request: MemberRequest, slug: str, project_id: int, payload: MeasureLinkIn
) -> Any:
    """Link a measure to the project as an outcome, process or balancing measure
    (everyone but viewers)."""
    membership = request.membership
    project = services.get_project_for(membership, project_id)
    existing = project.measure_links.filter(measure_id=payload.measure_id).first()
    if existing is not None:
        raise HttpError(
            409,
            f"{existing.measure} is already linked to this project as a "
            f"{existing.get_role_display().lower()} measure. To change its role, "
            "delete the link and add it again.",
        )
    form = MeasureLinkForm(
        {"measure": payload.measure_id, "role": payload.role}, project=project
    )
    link = services.link_measure(project, **check(form, {"measure": "measure_id"}))
    return Status(201, _link_out(link))


@router.delete(
    PROJECT + "/measures/{measure_id}",
    response={204: None, **WRITE_ERRORS},
    url_name="project-measure",
)
@api_access(CHANGE_PROJECT)
def unlink_measure(
    request: MemberRequest, slug: str, project_id: int, measure_id: int
) -> Any:
    """Unlink a measure from the project (everyone but viewers); the measure stays."""
    membership = request.membership
    project = services.get_project_for(membership, project_id)
    link = project.measure_links.filter(measure_id=measure_id).first()
    if link is None:
        raise Http404(
            f"Measure {measure_id} is not linked to this project. GET "
            f"{organisation_api_path(membership, f'projects/{project.pk}/measures')} "
            "lists its measures."
        )
    services.unlink_measure(link)
    return Status(204, None)
