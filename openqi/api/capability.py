"""/organisations/{slug}/capability: the framework of levels, programmes, cohorts,
enrolments, completions and targets, and a person's training record.

Every member reads the framework, programmes, cohorts, enrolments, completions and
targets; the QI team and administrators change them. A person's training record is
read by the QI team and administrators, and erased on request by an administrator.
Input is checked by the pages' forms (openqi/capability/forms.py) and saved by
openqi.capability.services, so a rule is written once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Literal

from django.db.models import Count, Q, QuerySet
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from typing_extensions import TypeAliasType

from openqi.capability import coverage, doing, services
from openqi.capability.completion_form import CompletionForm
from openqi.capability.forms import (
    CohortForm,
    EnrolForm,
    EnrolmentStatusForm,
    EraseForm,
    LevelForm,
    ProgrammeForm,
    TargetForm,
)
from openqi.capability.models import (
    Audience,
    CapabilityLevel,
    Cohort,
    Completion,
    Enrolment,
    Programme,
    ProjectRequirement,
    Target,
)
from openqi.capability.permissions import (
    CHANGE_CAPABILITY,
    ERASE_TRAINING_RECORD,
    VIEW_CAPABILITY,
    VIEW_TRAINING_RECORDS,
)
from openqi.core.versioning import VersionConflict
from openqi.organisations.access import find_for
from openqi.organisations.models import Membership, StaffRecord, Unit
from openqi.organisations.permissions import MemberRequest, api_access, has

from . import versions
from .errors import InvalidInput
from .lookups import changes, check, choose, date_fields
from .schemas import Day, Number, Page, PageQuery
from .versions import VERSION_IN, VERSION_OUT
from .views import ERRORS, WRITE_ERRORS, paginate

router = Router(tags=["capability"])

CAPABILITY = "/organisations/{slug}/capability"
LEVEL = CAPABILITY + "/levels/{level_id}"
PROGRAMME = CAPABILITY + "/programmes/{programme_id}"
COHORT = CAPABILITY + "/cohorts/{cohort_id}"
ENROLMENT = CAPABILITY + "/enrolments/{enrolment_id}"
TARGET = CAPABILITY + "/targets/{target_id}"
STAFF = CAPABILITY + "/staff/{staff_id}"

# The models' choices under names of their own (one OpenAPI schema per name).
CapabilityAudience = TypeAliasType("CapabilityAudience", Audience)
ProgrammeFormat = TypeAliasType("ProgrammeFormat", Programme.Format)
ProjectRequirementChoice = TypeAliasType("ProjectRequirementChoice", ProjectRequirement)
EnrolmentStatus = TypeAliasType("EnrolmentStatus", Enrolment.Status)
TargetKind = TypeAliasType("TargetKind", Target.Kind)

#: Form field → API field, so errors name the field the caller sent.
FIELDS = {"level": "level_id", "unit": "unit_id", "programme": "programme_id"}


# Levels --------------------------------------------------------------------------


class LevelOut(Schema):
    id: int
    name: str
    description: str
    who_for: str = Field(description="Who the level is for.")
    skills: str = Field(description="The skills and behaviours it covers.")
    audience: CapabilityAudience = Field(
        description="Which of the three groups it serves: the board, improvement "
        "leaders or all staff."
    )
    position: int = Field(description="Its place in the framework, lowest dose first.")
    use_count: int = Field(
        description="How many programmes, completions and targets use it; a level "
        "in use cannot be deleted."
    )
    version: int = Field(description=VERSION_OUT)


class LevelIn(Schema):
    """A new level goes to the end of the framework; move it with …/move."""

    name: str = Field(min_length=1, max_length=100)
    who_for: str = Field(min_length=1, max_length=300)
    description: str = Field("", max_length=2000)
    skills: str = Field(min_length=1, max_length=3000)
    audience: CapabilityAudience = Audience.ALL_STAFF


class LevelPatch(Schema):
    version: int | None = Field(None, ge=1, description=VERSION_IN)
    name: str | None = Field(None, min_length=1, max_length=100)
    who_for: str | None = Field(None, min_length=1, max_length=300)
    description: str | None = Field(None, max_length=2000)
    skills: str | None = Field(None, min_length=1, max_length=3000)
    audience: CapabilityAudience | None = None


class MoveIn(Schema):
    direction: Literal["up", "down"]


def _level_out(level: CapabilityLevel, uses: int | None = None) -> dict[str, Any]:
    if uses is None:
        uses = (
            level.programmes.count() + level.completions.count() + level.targets.count()
        )
    return {
        "id": level.pk,
        "name": level.name,
        "description": level.description,
        "who_for": level.who_for,
        "skills": level.skills,
        "audience": level.audience,
        "position": level.position,
        "use_count": uses,
        "version": level.version,
    }


def _save_level(
    membership: Membership, level: CapabilityLevel | None, data: dict[str, Any]
) -> CapabilityLevel:
    form = LevelForm(
        {
            "name": data.get("name") or "",
            "who_for": data.get("who_for") or "",
            "description": data.get("description") or "",
            "skills": data.get("skills") or "",
            "audience": data.get("audience") or "",
        },
        instance=level,
        organisation=membership.organisation,
    )
    return services.save_level(form.instance, **check(form, FIELDS))


@router.get(
    CAPABILITY + "/levels",
    response={200: Page[LevelOut], **ERRORS},
    url_name="capability-levels",
)
@api_access(VIEW_CAPABILITY)
def list_levels(request: MemberRequest, slug: str, query: Query[PageQuery]) -> Any:
    """The framework's levels, lowest dose first (on the first visit ever, OpenQI's
    built-in framework is put in place, as on the pages)."""
    organisation = request.membership.organisation
    services.framework_for(organisation)
    uses = services.level_uses(organisation)
    page = paginate(services.levels_for(organisation), query)
    page["items"] = [_level_out(lv, uses.get(lv.pk, 0)) for lv in page["items"]]
    return page


@router.post(
    CAPABILITY + "/levels",
    response={201: LevelOut, **WRITE_ERRORS},
    url_name="capability-levels",
)
@api_access(CHANGE_CAPABILITY)
def create_level(request: MemberRequest, slug: str, payload: LevelIn) -> Any:
    """Add a level to the end of the framework (administrators and the QI team)."""
    membership = request.membership
    level = _save_level(membership, None, payload.dict())
    return Status(201, _level_out(services.get_level_for(membership, level.pk)))


@router.post(
    CAPABILITY + "/levels/built-in",
    response={201: list[LevelOut], **WRITE_ERRORS},
    url_name="capability-builtin",
)
@api_access(CHANGE_CAPABILITY)
def install_builtin(request: MemberRequest, slug: str) -> Any:
    """Put OpenQI's built-in levels into an empty framework (409 if it has levels)."""
    try:
        levels = services.install_builtin_framework(request.membership.organisation)
    except services.FrameworkNotEmpty:
        raise HttpError(
            409,
            "The built-in framework is only put into an empty framework: this one "
            "already has levels. Change them, or delete them first.",
        ) from None
    return Status(201, [_level_out(level, 0) for level in levels])


@router.get(LEVEL, response={200: LevelOut, **ERRORS}, url_name="capability-level")
@api_access(VIEW_CAPABILITY)
def get_level(request: MemberRequest, slug: str, level_id: int) -> Any:
    return _level_out(services.get_level_for(request.membership, level_id))


@router.patch(
    LEVEL, response={200: LevelOut, **WRITE_ERRORS}, url_name="capability-level"
)
@api_access(CHANGE_CAPABILITY)
def update_level(
    request: MemberRequest, slug: str, level_id: int, payload: LevelPatch
) -> Any:
    """Change a level (administrators and the QI team); send only the fields to change."""
    membership = request.membership
    sent = changes(payload)
    expect = versions.expected(request, sent.pop("version", None))

    def attempt() -> CapabilityLevel:
        level = services.get_level_for(membership, level_id)
        versions.check(level, expect)
        data = {
            "name": level.name,
            "who_for": level.who_for,
            "description": level.description,
            "skills": level.skills,
            "audience": level.audience,
            **sent,
        }
        return _save_level(membership, level, data)

    level = versions.save(expect, attempt)
    return _level_out(services.get_level_for(membership, level.pk))


@router.post(
    LEVEL + "/move",
    response={200: LevelOut, **WRITE_ERRORS},
    url_name="capability-level-move",
)
@api_access(CHANGE_CAPABILITY)
def move_level(
    request: MemberRequest, slug: str, level_id: int, payload: MoveIn
) -> Any:
    """Move a level one place up or down the framework (at either end it stays)."""
    membership = request.membership
    services.move_level(services.get_level_for(membership, level_id), payload.direction)
    return _level_out(services.get_level_for(membership, level_id))


@router.delete(LEVEL, response={204: None, **WRITE_ERRORS}, url_name="capability-level")
@api_access(CHANGE_CAPABILITY)
def delete_level(request: MemberRequest, slug: str, level_id: int) -> Any:
    """Delete a level nothing uses (administrators and the QI team); a level that
    programmes, completions or targets use is a 409 saying which."""
    level = services.get_level_for(request.membership, level_id)
    try:
        services.delete_level(level)
    except services.LevelInUse as refused:
        raise HttpError(409, str(refused)) from None
    return Status(204, None)


# Programmes ----------------------------------------------------------------------


class ProgrammeOut(Schema):
    id: int
    name: str
    level_id: int = Field(description="The level it confers.")
    level: str = Field(description="The level's name.")
    provider: str
    duration_hours: float | None = Field(description="The learning time, if fixed.")
    format: ProgrammeFormat
    project_requirement: ProjectRequirementChoice = Field(
        description="What participants are asked to do in a real project."
    )
    version: int = Field(description=VERSION_OUT)


class ProgrammeIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    level_id: int
    provider: str = Field("", max_length=200)
    duration_hours: Number | None = Field(
        None, description="0.5 to 2,000 hours, to a tenth; empty if it varies."
    )
    format: ProgrammeFormat = Programme.Format.FACE_TO_FACE
    project_requirement: ProjectRequirementChoice = ProjectRequirement.NONE


class ProgrammePatch(Schema):
    version: int | None = Field(None, ge=1, description=VERSION_IN)
    name: str | None = Field(None, min_length=1, max_length=200)
    level_id: int | None = None
    provider: str | None = Field(None, max_length=200)
    duration_hours: Number | None = None
    format: ProgrammeFormat | None = None
    project_requirement: ProjectRequirementChoice | None = None


def _number(value: Any) -> str:
    return "" if value is None else str(value)


def _programme_out(programme: Programme) -> dict[str, Any]:
    hours = programme.duration_hours
    return {
        "id": programme.pk,
        "name": programme.name,
        "level_id": programme.level_id,
        "level": programme.level.name,
        "provider": programme.provider,
        "duration_hours": float(hours) if hours is not None else None,
        "format": programme.format,
        "project_requirement": programme.project_requirement,
        "version": programme.version,
    }


def _save_programme(
    membership: Membership, programme: Programme | None, data: dict[str, Any]
) -> Programme:
    form = ProgrammeForm(
        {
            "name": data.get("name") or "",
            "level": data.get("level_id"),
            "provider": data.get("provider") or "",
            "duration_hours": _number(data.get("duration_hours")),
            "format": data.get("format") or "",
            "project_requirement": data.get("project_requirement") or "",
        },
        instance=programme,
        organisation=membership.organisation,
    )
    return services.save_programme(form.instance, **check(form, FIELDS))


@router.get(
    CAPABILITY + "/programmes",
    response={200: Page[ProgrammeOut], **ERRORS},
    url_name="capability-programmes",
)
@api_access(VIEW_CAPABILITY)
def list_programmes(request: MemberRequest, slug: str, query: Query[PageQuery]) -> Any:
    """The programmes, by the level they confer and then by name."""
    page = paginate(services.programmes_for(request.membership.organisation), query)
    page["items"] = [_programme_out(p) for p in page["items"]]
    return page


@router.post(
    CAPABILITY + "/programmes",
    response={201: ProgrammeOut, **WRITE_ERRORS},
    url_name="capability-programmes",
)
@api_access(CHANGE_CAPABILITY)
def create_programme(request: MemberRequest, slug: str, payload: ProgrammeIn) -> Any:
    """Add a programme that confers a level (administrators and the QI team)."""
    membership = request.membership
    programme = _save_programme(membership, None, payload.dict())
    return Status(
        201, _programme_out(services.get_programme_for(membership, programme.pk))
    )


@router.get(
    PROGRAMME, response={200: ProgrammeOut, **ERRORS}, url_name="capability-programme"
)
@api_access(VIEW_CAPABILITY)
def get_programme(request: MemberRequest, slug: str, programme_id: int) -> Any:
    return _programme_out(services.get_programme_for(request.membership, programme_id))


@router.patch(
    PROGRAMME,
    response={200: ProgrammeOut, **WRITE_ERRORS},
    url_name="capability-programme",
)
@api_access(CHANGE_CAPABILITY)
def update_programme(
    request: MemberRequest, slug: str, programme_id: int, payload: ProgrammePatch
) -> Any:
    """Change a programme (administrators and the QI team); send only the fields to
    change. Completions already recorded keep the level they were recorded at."""
    membership = request.membership
    sent = changes(payload)
    expect = versions.expected(request, sent.pop("version", None))

    def attempt() -> Programme:
        programme = services.get_programme_for(membership, programme_id)
        versions.check(programme, expect)
        data = {
            "name": programme.name,
            "level_id": programme.level_id,
            "provider": programme.provider,
            "duration_hours": programme.duration_hours,
            "format": programme.format,
            "project_requirement": programme.project_requirement,
            **sent,
        }
        return _save_programme(membership, programme, data)

    programme = versions.save(expect, attempt)
    return _programme_out(services.get_programme_for(membership, programme.pk))


# Cohorts -------------------------------------------------------------------------


class CohortOut(Schema):
    id: int
    programme_id: int
    programme: str = Field(description="The programme's name.")
    level_id: int = Field(description="The level the programme confers.")
    name: str
    starts_on: date
    ends_on: date | None
    project_requirement: ProjectRequirementChoice = Field(
        description="What each participant is asked to do in a real project."
    )
    enrolled: int = Field(description="How many are enrolled, in any status.")
    completed: int = Field(description="How many have completed.")
    version: int = Field(description=VERSION_OUT)


class CohortIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    starts_on: Day
    ends_on: Day | None = Field(None, description="Empty: no fixed end.")
    project_requirement: ProjectRequirementChoice | None = Field(
        None, description="The programme's if left out."
    )


class CohortPatch(Schema):
    version: int | None = Field(None, ge=1, description=VERSION_IN)
    name: str | None = Field(None, min_length=1, max_length=100)
    starts_on: Day | None = None
    ends_on: Day | None = None
    project_requirement: ProjectRequirementChoice | None = None


def _counted(cohorts: QuerySet[Cohort]) -> QuerySet[Cohort]:
    return cohorts.annotate(
        n_enrolled=Count("enrolments"),
        n_completed=Count("enrolments", filter=Q(enrolments__status="completed")),
    )


def _cohort_out(cohort: Cohort) -> dict[str, Any]:
    return {
        "id": cohort.pk,
        "programme_id": cohort.programme_id,
        "programme": cohort.programme.name,
        "level_id": cohort.programme.level_id,
        "name": cohort.name,
        "starts_on": cohort.starts_on,
        "ends_on": cohort.ends_on,
        "project_requirement": cohort.project_requirement,
        "enrolled": getattr(cohort, "n_enrolled", 0),
        "completed": getattr(cohort, "n_completed", 0),
        "version": cohort.version,
    }


def _read_cohort(membership: Membership, cohort_id: int) -> dict[str, Any]:
    cohort = services.get_cohort_for(membership, cohort_id)
    counted = _counted(Cohort.objects.filter(pk=cohort.pk))  # access: found above
    return _cohort_out(counted.select_related("programme").get())


def _save_cohort(
    programme: Programme, cohort: Cohort | None, data: dict[str, Any]
) -> Cohort:
    form = CohortForm(
        {
            "name": data.get("name") or "",
            "project_requirement": data.get("project_requirement")
            or programme.project_requirement,
            **date_fields("starts_on", data.get("starts_on")),
            **date_fields("ends_on", data.get("ends_on")),
        },
        instance=cohort,
        programme=programme,
    )
    return services.save_cohort(form.instance, **check(form, FIELDS))


@router.get(
    PROGRAMME + "/cohorts",
    response={200: Page[CohortOut], **ERRORS},
    url_name="capability-cohorts",
)
@api_access(VIEW_CAPABILITY)
def list_cohorts(
    request: MemberRequest, slug: str, programme_id: int, query: Query[PageQuery]
) -> Any:
    """A programme's cohorts, the latest start first, with their counts."""
    programme = services.get_programme_for(request.membership, programme_id)
    cohorts = _counted(programme.cohorts.select_related("programme")).order_by(
        "-starts_on", "name", "pk"
    )
    page = paginate(cohorts, query)
    page["items"] = [_cohort_out(c) for c in page["items"]]
    return page


@router.post(
    PROGRAMME + "/cohorts",
    response={201: CohortOut, **WRITE_ERRORS},
    url_name="capability-cohorts",
)
@api_access(CHANGE_CAPABILITY)
def create_cohort(
    request: MemberRequest, slug: str, programme_id: int, payload: CohortIn
) -> Any:
    """Add a cohort of a programme (administrators and the QI team)."""
    membership = request.membership
    programme = services.get_programme_for(membership, programme_id)
    cohort = _save_cohort(programme, None, payload.dict())
    return Status(201, _read_cohort(membership, cohort.pk))


@router.get(COHORT, response={200: CohortOut, **ERRORS}, url_name="capability-cohort")
@api_access(VIEW_CAPABILITY)
def get_cohort(request: MemberRequest, slug: str, cohort_id: int) -> Any:
    return _read_cohort(request.membership, cohort_id)


@router.patch(
    COHORT, response={200: CohortOut, **WRITE_ERRORS}, url_name="capability-cohort"
)
@api_access(CHANGE_CAPABILITY)
def update_cohort(
    request: MemberRequest, slug: str, cohort_id: int, payload: CohortPatch
) -> Any:
    """Change a cohort (administrators and the QI team); send only the fields to change."""
    membership = request.membership
    sent = changes(payload)
    expect = versions.expected(request, sent.pop("version", None))

    def attempt() -> Cohort:
        cohort = services.get_cohort_for(membership, cohort_id)
        versions.check(cohort, expect)
        data = {
            "name": cohort.name,
            "starts_on": cohort.starts_on,
            "ends_on": cohort.ends_on,
            "project_requirement": cohort.project_requirement,
            **sent,
        }
        return _save_cohort(cohort.programme, cohort, data)

    cohort = versions.save(expect, attempt)
    return _read_cohort(membership, cohort.pk)


# Enrolments ----------------------------------------------------------------------


class EnrolmentOut(Schema):
    id: int
    cohort_id: int
    staff_record_id: int
    employee_number: str = Field(description="The staff record's reference.")
    unit_id: int | None = Field(description="The person's unit now.")
    status: EnrolmentStatus
    completed_on: date | None
    version: int = Field(description=VERSION_OUT)


class EnrolmentQuery(PageQuery):
    status: EnrolmentStatus | None = None


class EnrolIn(Schema):
    person: str = Field(
        min_length=1,
        max_length=254,
        description="The employee number or e-mail address of an active staff record.",
    )


class EnrolmentPatch(Schema):
    version: int | None = Field(None, ge=1, description=VERSION_IN)
    status: EnrolmentStatus | None = None
    completed_on: Day | None = Field(
        None,
        description="Needed when the status is completed; cleared by any other status.",
    )


def _enrolment_out(enrolment: Enrolment) -> dict[str, Any]:
    person = enrolment.staff_record
    return {
        "id": enrolment.pk,
        "cohort_id": enrolment.cohort_id,
        "staff_record_id": person.pk,
        "employee_number": person.reference,
        "unit_id": person.unit_id,
        "status": enrolment.status,
        "completed_on": enrolment.completed_on,
        "version": enrolment.version,
    }


@router.get(
    COHORT + "/enrolments",
    response={200: Page[EnrolmentOut], **ERRORS},
    url_name="capability-enrolments",
)
@api_access(VIEW_CAPABILITY)
def list_enrolments(
    request: MemberRequest, slug: str, cohort_id: int, query: Query[EnrolmentQuery]
) -> Any:
    """A cohort's enrolments, by employee number; filter with ``status``."""
    cohort = services.get_cohort_for(request.membership, cohort_id)
    enrolments = services.enrolments_of(cohort)
    if query.status is not None:
        enrolments = enrolments.filter(status=query.status)
    page = paginate(enrolments, query)
    page["items"] = [_enrolment_out(e) for e in page["items"]]
    return page


@router.post(
    COHORT + "/enrolments",
    response={201: EnrolmentOut, **WRITE_ERRORS},
    url_name="capability-enrolments",
)
@api_access(CHANGE_CAPABILITY)
def enrol(request: MemberRequest, slug: str, cohort_id: int, payload: EnrolIn) -> Any:
    """Enrol a person, found by employee number or e-mail address (administrators
    and the QI team)."""
    membership = request.membership
    cohort = services.get_cohort_for(membership, cohort_id)
    form = EnrolForm({"person": payload.person}, cohort=cohort)
    check(form)
    assert form.staff_record is not None  # found by a valid form
    try:
        enrolment = services.enrol(cohort, form.staff_record)
    except services.AlreadyEnrolled as refused:
        raise HttpError(409, str(refused)) from None
    return Status(
        201, _enrolment_out(services.get_enrolment_for(membership, enrolment.pk))
    )


@router.get(
    ENROLMENT, response={200: EnrolmentOut, **ERRORS}, url_name="capability-enrolment"
)
@api_access(VIEW_CAPABILITY)
def get_enrolment(request: MemberRequest, slug: str, enrolment_id: int) -> Any:
    return _enrolment_out(services.get_enrolment_for(request.membership, enrolment_id))


@router.patch(
    ENROLMENT,
    response={200: EnrolmentOut, **WRITE_ERRORS},
    url_name="capability-enrolment",
)
@api_access(CHANGE_CAPABILITY)
def update_enrolment(
    request: MemberRequest, slug: str, enrolment_id: int, payload: EnrolmentPatch
) -> Any:
    """Mark an enrolment enrolled, completed (with ``completed_on``) or withdrawn
    (administrators and the QI team). Completing it records a completion of the
    programme's level; taking it back removes that completion."""
    membership = request.membership
    sent = changes(payload)
    expect = versions.expected(request, sent.pop("version", None))
    if sent.get("status") not in (None, Enrolment.Status.COMPLETED):
        sent.setdefault("completed_on", None)

    def attempt() -> Enrolment:
        enrolment = services.get_enrolment_for(membership, enrolment_id)
        versions.check(enrolment, expect)
        data = {
            "status": enrolment.status,
            "completed_on": enrolment.completed_on,
            **sent,
        }
        form = EnrolmentStatusForm(
            {
                "status": data["status"] or "",
                **date_fields("completed_on", data["completed_on"]),
            },
            instance=enrolment,
        )
        cleaned = check(form)
        return services.set_enrolment_status(
            enrolment, cleaned["status"], cleaned.get("completed_on")
        )

    enrolment = versions.save(expect, attempt)
    return _enrolment_out(services.get_enrolment_for(membership, enrolment.pk))


# Completions ---------------------------------------------------------------------


class CompletionOut(Schema):
    id: int
    level_id: int
    level: str = Field(description="The level's name.")
    completed_on: date
    unit_id: int | None = Field(description="The person's unit when it was recorded.")
    staff_group: StaffRecord.StaffGroup | None = Field(
        description="The person's staff group when it was recorded."
    )
    programme_id: int | None
    cohort_id: int | None
    enrolment_id: int | None = Field(
        description="The enrolment whose completion recorded it, if any."
    )
    staff_record_id: int | None = Field(
        description="The person: given only to those who may read training records "
        "(the QI team and administrators), and null once their record is erased."
    )
    employee_number: str | None = Field(
        description="As staff_record_id: only for those who may read training records."
    )


class CompletionQuery(PageQuery):
    level_id: int | None = None
    unit_id: int | None = Field(None, description="That unit and every unit under it.")
    programme_id: int | None = None
    staff_group: StaffRecord.StaffGroup | None = None
    completed_from: Day | None = Field(None, description="On or after this date.")
    completed_to: Day | None = Field(None, description="On or before this date.")


class CompletionIn(Schema):
    level_id: int
    person: str = Field(
        min_length=1,
        max_length=254,
        description="The employee number or e-mail address of a staff record.",
    )
    completed_on: Day
    programme_id: int | None = Field(
        None, description="The programme, if any: it must confer the level."
    )


def _completion_out(completion: Completion, *, named: bool) -> dict[str, Any]:
    person = completion.staff_record if named else None
    return {
        "id": completion.pk,
        "level_id": completion.level_id,
        "level": completion.level.name,
        "completed_on": completion.completed_on,
        "unit_id": completion.unit_id,
        "staff_group": completion.staff_group or None,
        "programme_id": completion.programme_id,
        "cohort_id": completion.cohort_id,
        "enrolment_id": completion.enrolment_id,
        "staff_record_id": person.pk if person else None,
        "employee_number": person.reference if person else None,
    }


def _completions(membership: Membership) -> QuerySet[Completion]:
    return (
        Completion.objects.for_organisation(membership.organisation)
        .select_related("level", "staff_record")
        .order_by("-completed_on", "pk")
    )


@router.get(
    CAPABILITY + "/completions",
    response={200: Page[CompletionOut], **ERRORS},
    url_name="capability-completions",
)
@api_access(VIEW_CAPABILITY)
def list_completions(
    request: MemberRequest, slug: str, query: Query[CompletionQuery]
) -> Any:
    """Completions, the latest first; filter by level, unit (with the units under
    it), programme, staff group and a range of dates."""
    membership = request.membership
    organisation = membership.organisation
    completions = _completions(membership)
    level = choose(
        services.levels_for(organisation), query.level_id, "level_id", "level"
    )
    if level is not None:
        completions = completions.filter(level=level)
    unit = choose(
        Unit.objects.for_organisation(organisation), query.unit_id, "unit_id", "unit"
    )
    if unit is not None:
        completions = completions.filter(
            Q(unit=unit) | Q(unit__parent=unit) | Q(unit__parent__parent=unit)
        )
    programme = choose(
        services.programmes_for(organisation),
        query.programme_id,
        "programme_id",
        "programme",
    )
    if programme is not None:
        completions = completions.filter(programme=programme)
    if query.staff_group is not None:
        completions = completions.filter(staff_group=query.staff_group)
    start, end = query.completed_from, query.completed_to
    if start is not None and end is not None and end < start:
        raise InvalidInput(
            {"completed_to": ["must be the same as or after completed_from."]}
        )
    if start is not None:
        completions = completions.filter(completed_on__gte=start)
    if end is not None:
        completions = completions.filter(completed_on__lte=end)
    named = has(membership, VIEW_TRAINING_RECORDS)
    page = paginate(completions, query)
    page["items"] = [_completion_out(c, named=named) for c in page["items"]]
    return page


@router.post(
    CAPABILITY + "/completions",
    response={201: CompletionOut, **WRITE_ERRORS},
    url_name="capability-completions",
)
@api_access(CHANGE_CAPABILITY)
def create_completion(request: MemberRequest, slug: str, payload: CompletionIn) -> Any:
    """Record by hand that a person reached a level (administrators and the QI
    team); their unit and staff group are taken from their staff record now."""
    membership = request.membership
    form = CompletionForm(
        {
            "level": payload.level_id,
            "person": payload.person,
            "programme": payload.programme_id,
            **date_fields("completed_on", payload.completed_on),
        },
        organisation=membership.organisation,
    )
    cleaned = check(form, FIELDS)
    assert form.staff_record is not None  # found by a valid form
    completion = services.record_completion(
        form.staff_record,
        cleaned["level"],
        cleaned["completed_on"],
        cleaned.get("programme"),
    )
    saved = _completions(membership).get(pk=completion.pk)
    return Status(201, _completion_out(saved, named=True))


# Targets -------------------------------------------------------------------------


class TargetOut(Schema):
    id: int
    level_id: int
    level: str = Field(description="The level's name.")
    kind: TargetKind = Field(
        description="share: a per cent of staff; ratio: one trained person per "
        "value staff."
    )
    value: float
    describe: str = Field(description='The target in words: "80% of staff".')
    unit_id: int | None = Field(
        description="Empty: the whole organisation; a unit counts its whole subtree."
    )
    staff_group: StaffRecord.StaffGroup | None = Field(
        description="Empty: all staff groups."
    )
    starts_on: date
    due_on: date
    version: int = Field(description=VERSION_OUT)


class TargetIn(Schema):
    level_id: int
    kind: TargetKind = Target.Kind.SHARE
    value: Number = Field(
        description="A share: 0.1 to 100 per cent, to one decimal place; a ratio: a "
        "whole number of staff, 1 to 100,000."
    )
    unit_id: int | None = None
    staff_group: StaffRecord.StaffGroup | None = None
    starts_on: Day
    due_on: Day


class TargetPatch(Schema):
    version: int | None = Field(None, ge=1, description=VERSION_IN)
    level_id: int | None = None
    kind: TargetKind | None = None
    value: Number | None = None
    unit_id: int | None = None
    staff_group: StaffRecord.StaffGroup | None = None
    starts_on: Day | None = None
    due_on: Day | None = None


def _target_out(target: Target) -> dict[str, Any]:
    return {
        "id": target.pk,
        "level_id": target.level_id,
        "level": target.level.name,
        "kind": target.kind,
        "value": float(target.value),
        "describe": target.describe(),
        "unit_id": target.unit_id,
        "staff_group": target.staff_group or None,
        "starts_on": target.starts_on,
        "due_on": target.due_on,
        "version": target.version,
    }


def _save_target(
    membership: Membership, target: Target | None, data: dict[str, Any]
) -> Target:
    form = TargetForm(
        {
            "level": data.get("level_id"),
            "kind": data.get("kind") or "",
            "value": _number(data.get("value")),
            "unit": data.get("unit_id"),
            "staff_group": data.get("staff_group") or "",
            **date_fields("starts_on", data.get("starts_on")),
            **date_fields("due_on", data.get("due_on")),
        },
        instance=target,
        organisation=membership.organisation,
    )
    return services.save_target(form.instance, **check(form, FIELDS))


@router.get(
    CAPABILITY + "/targets",
    response={200: Page[TargetOut], **ERRORS},
    url_name="capability-targets",
)
@api_access(VIEW_CAPABILITY)
def list_targets(request: MemberRequest, slug: str, query: Query[PageQuery]) -> Any:
    """The targets, by level and then by the date due."""
    page = paginate(services.targets_for(request.membership.organisation), query)
    page["items"] = [_target_out(t) for t in page["items"]]
    return page


@router.post(
    CAPABILITY + "/targets",
    response={201: TargetOut, **WRITE_ERRORS},
    url_name="capability-targets",
)
@api_access(CHANGE_CAPABILITY)
def create_target(request: MemberRequest, slug: str, payload: TargetIn) -> Any:
    """Add a target for a level (administrators and the QI team)."""
    membership = request.membership
    target = _save_target(membership, None, payload.dict())
    return Status(201, _target_out(services.get_target_for(membership, target.pk)))


@router.get(TARGET, response={200: TargetOut, **ERRORS}, url_name="capability-target")
@api_access(VIEW_CAPABILITY)
def get_target(request: MemberRequest, slug: str, target_id: int) -> Any:
    return _target_out(services.get_target_for(request.membership, target_id))


@router.patch(
    TARGET, response={200: TargetOut, **WRITE_ERRORS}, url_name="capability-target"
)
@api_access(CHANGE_CAPABILITY)
def update_target(
    request: MemberRequest, slug: str, target_id: int, payload: TargetPatch
) -> Any:
    """Change a target (administrators and the QI team); send only the fields to change."""
    membership = request.membership
    sent = changes(payload)
    expect = versions.expected(request, sent.pop("version", None))

    def attempt() -> Target:
        target = services.get_target_for(membership, target_id)
        versions.check(target, expect)
        data = {
            "level_id": target.level_id,
            "kind": target.kind,
            "value": target.value,
            "unit_id": target.unit_id,
            "staff_group": target.staff_group,
            "starts_on": target.starts_on,
            "due_on": target.due_on,
            **sent,
        }
        return _save_target(membership, target, data)

    target = versions.save(expect, attempt)
    return _target_out(services.get_target_for(membership, target.pk))


@router.delete(
    TARGET, response={204: None, **WRITE_ERRORS}, url_name="capability-target"
)
@api_access(CHANGE_CAPABILITY)
def delete_target(request: MemberRequest, slug: str, target_id: int) -> Any:
    """Delete a target (administrators and the QI team); completions are untouched."""
    services.get_target_for(request.membership, target_id).delete()
    return Status(204, None)


# Deleting what nothing uses yet, or what was entered wrongly ----------------------


def _removed(
    request: MemberRequest,
    instance: Programme | Cohort | Completion,
    remove: Callable[[Any, int | None], None],
) -> Any:
    """Delete through the service: ``If-Match`` with an older version is a 412,
    and a record in use a 409 with the service's message."""
    expect = versions.expected(request, None)
    versions.check(instance, expect)
    try:
        remove(instance, expect.version)
    except (services.InUse, services.MadeByEnrolment) as refused:
        raise HttpError(409, str(refused)) from None
    except VersionConflict:
        raise HttpError(
            412,
            "Someone else changed this record while your deletion was being made. "
            "GET it again and send its ETag as If-Match.",
        ) from None
    return Status(204, None)


@router.delete(
    PROGRAMME, response={204: None, **WRITE_ERRORS}, url_name="capability-programme"
)
@api_access(CHANGE_CAPABILITY)
def delete_programme(request: MemberRequest, slug: str, programme_id: int) -> Any:
    """Delete a programme no one has taken, with its cohorts (administrators and the
    QI team); one with enrolments or completions is a 409 saying which."""
    programme = services.get_programme_for(request.membership, programme_id)
    return _removed(request, programme, services.delete_programme)


@router.delete(
    COHORT, response={204: None, **WRITE_ERRORS}, url_name="capability-cohort"
)
@api_access(CHANGE_CAPABILITY)
def delete_cohort(request: MemberRequest, slug: str, cohort_id: int) -> Any:
    """Delete a cohort no one is enrolled in (administrators and the QI team); one
    with enrolments or completions is a 409 saying which."""
    cohort = services.get_cohort_for(request.membership, cohort_id)
    return _removed(request, cohort, services.delete_cohort)


@router.delete(
    CAPABILITY + "/completions/{completion_id}",
    response={204: None, **WRITE_ERRORS},
    url_name="capability-completion",
)
@api_access(CHANGE_CAPABILITY)
def delete_completion(request: MemberRequest, slug: str, completion_id: int) -> Any:
    """Remove a completion entered by hand or imported by mistake (administrators
    and the QI team); one an enrolment recorded is a 409: change the enrolment."""
    membership = request.membership
    completion = find_for(
        membership,
        _completions(membership),
        completion_id,
        "completion",
        "capability/completions",
    )
    return _removed(request, completion, services.delete_completion)


# A person's training record ------------------------------------------------------


class StaffBriefOut(Schema):
    id: int
    employee_number: str
    unit_id: int | None
    staff_group: StaffRecord.StaffGroup
    is_active: bool
    email: str = Field(
        description="Kept only to match learning-management exports; empty once erased."
    )


class RecordEnrolmentOut(Schema):
    id: int
    cohort_id: int
    cohort: str
    programme_id: int
    programme: str
    level_id: int
    status: EnrolmentStatus
    completed_on: date | None


class RecordCompletionOut(Schema):
    id: int
    level_id: int
    level: str
    completed_on: date
    programme_id: int | None
    cohort_id: int | None


class TrainingRecordOut(Schema):
    staff_record: StaffBriefOut
    enrolments: list[RecordEnrolmentOut]
    completions: list[RecordCompletionOut]


class EraseIn(Schema):
    confirm: bool = Field(
        description="true: the person has asked for their training record to be erased."
    )


class ErasedOut(Schema):
    enrolments_deleted: int
    completions_kept: int = Field(
        description="Still counted, in their level, date, unit and staff group, "
        "but no longer naming the person."
    )


def _training_record(membership: Membership, staff_id: int) -> dict[str, Any]:
    record = services.training_record(
        services.get_staff_record_for(membership, staff_id)
    )
    person = record.staff_record
    return {
        "staff_record": {
            "id": person.pk,
            "employee_number": person.reference,
            "unit_id": person.unit_id,
            "staff_group": person.staff_group,
            "is_active": person.is_active,
            "email": person.email,
        },
        "enrolments": [
            {
                "id": e.pk,
                "cohort_id": e.cohort_id,
                "cohort": e.cohort.name,
                "programme_id": e.cohort.programme_id,
                "programme": e.cohort.programme.name,
                "level_id": e.cohort.programme.level_id,
                "status": e.status,
                "completed_on": e.completed_on,
            }
            for e in record.enrolments
        ],
        "completions": [
            {
                "id": c.pk,
                "level_id": c.level_id,
                "level": c.level.name,
                "completed_on": c.completed_on,
                "programme_id": c.programme_id,
                "cohort_id": c.cohort_id,
            }
            for c in record.completions
        ],
    }


@router.get(
    STAFF + "/training-record",
    response={200: TrainingRecordOut, **ERRORS},
    url_name="capability-training-record",
)
@api_access(VIEW_TRAINING_RECORDS)
def get_training_record(request: MemberRequest, slug: str, staff_id: int) -> Any:
    """A person's enrolments and completions (the QI team and administrators);
    ``staff_id`` is the id of GET …/staff."""
    return _training_record(request.membership, staff_id)


@router.post(
    STAFF + "/training-record/erase",
    response={200: ErasedOut, **WRITE_ERRORS},
    url_name="capability-training-record-erase",
)
@api_access(ERASE_TRAINING_RECORD)
def erase_training_record(
    request: MemberRequest, slug: str, staff_id: int, payload: EraseIn
) -> Any:
    """Erase a person's training record on request (administrators): their
    enrolments are deleted, their completions stay counted without naming them,
    and the e-mail address kept for matching is removed."""
    person = services.get_staff_record_for(request.membership, staff_id)
    check(EraseForm({"confirm": "on" if payload.confirm else ""}))
    erased = services.erase_training_record(person)
    return {
        "enrolments_deleted": erased.enrolments,
        "completions_kept": erased.completions,
    }


# Coverage and learning by doing (read only, kept until the data change) ----------


class CoverageLevelOut(Schema):
    id: int
    name: str
    audience: CapabilityAudience
    position: int


class CoverageCellOut(Schema):
    level_id: int
    staff: int = Field(description="Active staff in the unit (and staff group).")
    people: int = Field(description="Of them, how many have reached the level.")
    share: float | None = Field(description="people / staff (0 to 1); null: no staff.")
    band: str = Field(
        description="How the cell stands against its target (no_staff, no_target, …)."
    )
    target_id: int | None = Field(
        description="The target the cell is measured against."
    )
    need: int | None
    gap: int | None


class CoverageRowOut(Schema):
    unit_id: int | None = Field(description="null: the whole organisation.")
    name: str
    depth: int
    staff: int
    cells: list[CoverageCellOut] = Field(
        description="One per level, in the levels' order."
    )


class ForecastOut(Schema):
    status: str = Field(description="met, on_track, late, stalled or no_staff.")
    text: str
    expected_on: date | None


class TargetCoverageOut(Schema):
    target_id: int
    level_id: int
    unit_id: int | None
    staff_group: StaffRecord.StaffGroup | None
    describe: str
    starts_on: date
    due_on: date
    staff: int
    people: int
    need: int
    gap: int
    recent: int = Field(
        description="People who reached the level in the last 12 months."
    )
    band: str
    forecast: ForecastOut


class TrendOut(Schema):
    level_id: int
    people: list[int] = Field(description="At the end of each month of ``months``.")


class CoverageOut(Schema):
    today: date
    staff_group: StaffRecord.StaffGroup | None
    levels: list[CoverageLevelOut]
    rows: list[CoverageRowOut] = Field(
        description="The organisation first, then the unit tree, parents first."
    )
    targets: list[TargetCoverageOut] = Field(description="Largest gap first.")
    months: list[date]
    trend: list[TrendOut]


class CoverageQuery(Schema):
    staff_group: StaffRecord.StaffGroup | None = None


def _coverage_out(found: Any) -> dict[str, Any]:
    return {
        "today": found.today,
        "staff_group": found.group or None,
        "levels": [
            {
                "id": lv.pk,
                "name": lv.name,
                "audience": lv.audience,
                "position": lv.position,
            }
            for lv in found.levels
        ],
        "rows": [
            {
                "unit_id": row.unit_pk,
                "name": row.name,
                "depth": row.depth,
                "staff": row.staff,
                "cells": [
                    {
                        "level_id": cell.level_pk,
                        "staff": cell.staff,
                        "people": cell.people,
                        "share": cell.share,
                        "band": cell.band,
                        "target_id": cell.goal.target_pk if cell.goal else None,
                        "need": cell.goal.need if cell.goal else None,
                        "gap": cell.goal.gap if cell.goal else None,
                    }
                    for cell in row.cells
                ],
            }
            for row in found.rows
        ],
        "targets": [
            {
                "target_id": t.pk,
                "level_id": t.level_pk,
                "unit_id": t.unit_pk,
                "staff_group": t.staff_group or None,
                "describe": t.describe,
                "starts_on": t.starts_on,
                "due_on": t.due_on,
                "staff": t.staff,
                "people": t.people,
                "need": t.need,
                "gap": t.gap,
                "recent": t.recent,
                "band": t.band,
                "forecast": {
                    "status": t.forecast.status,
                    "text": t.forecast.text,
                    "expected_on": t.forecast.expected_on,
                },
            }
            for t in found.targets
        ],
        "months": list(found.months),
        "trend": [
            {"level_id": lv.pk, "people": list(series)}
            for lv, series in zip(found.levels, found.trend, strict=True)
        ],
    }


@router.get(
    CAPABILITY + "/coverage",
    response={200: CoverageOut, **ERRORS},
    url_name="capability-coverage",
)
@api_access(VIEW_CAPABILITY)
def get_coverage(request: MemberRequest, slug: str, query: Query[CoverageQuery]) -> Any:
    """Coverage against targets, as the capability page shows it: the unit × level
    heatmap (rolled up the unit tree), every target with its gap and forecast,
    and each level's trend; for one staff group with ``staff_group``."""
    organisation = request.membership.organisation
    return _coverage_out(coverage.coverage(organisation, query.staff_group or ""))


class LevelRefOut(Schema):
    id: int
    name: str


class LevelShareOut(Schema):
    level_id: int
    name: str
    reached: int = Field(description="Current staff who reached the level.")
    linked: int = Field(description="Of them, linked to a user account.")
    active: int = Field(
        description="Of them, active in a project in the last 12 months."
    )


class ProjectRefOut(Schema):
    id: int
    title: str
    unit: str
    status: str


class CoachOut(Schema):
    staff_record_id: int
    employee_number: str
    unit: str
    linked: bool
    projects: list[ProjectRefOut]


class TrainedPersonOut(Schema):
    staff_record_id: int
    employee_number: str
    unit: str
    level: str = Field(description="Their highest level.")
    completed_on: date
    linked: bool = Field(description="Whether OpenQI can link them to a user account.")


class DoingOut(Schema):
    today: date
    since: date = Field(description="The start of the 12 months counted.")
    lead_level: LevelRefOut | None
    coach_level: LevelRefOut | None
    levels: list[LevelShareOut]
    trained: int
    open_projects: int
    projects_without_lead: list[ProjectRefOut] = Field(
        description="Open projects with nobody trained at project-lead level."
    )
    coaches: list[CoachOut]
    projects_without_coach: list[ProjectRefOut]
    never_active: list[TrainedPersonOut] = Field(
        description="People trained but never active in a project."
    )


def _project_ref(project: Any) -> dict[str, Any]:
    return {
        "id": project.pk,
        "title": project.title,
        "unit": project.unit,
        "status": project.status,
    }


def _level_ref(level: Any) -> dict[str, Any] | None:
    return {"id": level.pk, "name": level.name} if level is not None else None


@router.get(
    CAPABILITY + "/doing",
    response={200: DoingOut, **ERRORS},
    url_name="capability-doing",
)
@api_access(VIEW_CAPABILITY)
def get_doing(request: MemberRequest, slug: str) -> Any:
    """Learning by doing, as its page shows it: for each level the share of trained
    people active in a project in the last 12 months, open projects with nobody
    trained to lead them, coaches' load and people trained but never active."""
    found = doing.learning_by_doing(request.membership.organisation)
    return {
        "today": found.today,
        "since": found.since,
        "lead_level": _level_ref(found.lead_level),
        "coach_level": _level_ref(found.coach_level),
        "levels": [
            {
                "level_id": s.pk,
                "name": s.name,
                "reached": s.reached,
                "linked": s.linked,
                "active": s.active,
            }
            for s in found.levels
        ],
        "trained": found.trained,
        "open_projects": found.open_projects,
        "projects_without_lead": [_project_ref(p) for p in found.projects_without_lead],
        "coaches": [
            {
                "staff_record_id": c.staff_pk,
                "employee_number": c.reference,
                "unit": c.unit,
                "linked": c.linked,
                "projects": [_project_ref(p) for p in c.projects],
            }
            for c in found.coaches
        ],
        "projects_without_coach": [
            _project_ref(p) for p in found.projects_without_coach
        ],
        "never_active": [
            {
                "staff_record_id": p.staff_pk,
                "employee_number": p.reference,
                "unit": p.unit,
                "level": p.level,
                "completed_on": p.completed_on,
                "linked": p.linked,
            }
            for p in found.never_active
        ],
    }
