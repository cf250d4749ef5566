"""/organisations/{slug}/journey: the six-step roadmap, its milestones and its evidence.

Everyone in the organisation reads it; administrators and the QI team change it.
Evidence that OpenQI holds itself (a readiness round closed in the last twelve
months, priorities, projects linked to them, …) is gathered automatically and
listed beside the evidence added by hand.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Router, Schema, Status

from openqi.journey import services
from openqi.journey.forms import EvidenceForm, MilestoneForm, StepForm
from openqi.journey.models import Evidence, JourneyStep, Milestone
from openqi.journey.permissions import CHANGE_JOURNEY, VIEW_JOURNEY
from openqi.organisations.access import require_delete
from openqi.organisations.permissions import MemberRequest, api_access

from . import versions
from .lookups import changes, check, date_fields
from .schemas import Day, StepStatus
from .versions import VERSION_IN, VERSION_OUT
from .views import ERRORS, WRITE_ERRORS

router = Router(tags=["journey"])

STEP = "/organisations/{slug}/journey/steps/{number}"
MILESTONES = STEP + "/milestones"
EVIDENCE = STEP + "/evidence"


class MilestoneOut(Schema):
    id: int
    title: str
    due_on: date | None
    done_on: date | None
    version: int = Field(description=VERSION_OUT)


class MilestoneIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    due_on: Day | None = None
    done_on: Day | None = None


class MilestonePatch(Schema):
    version: int | None = Field(None, ge=1, description=VERSION_IN)
    title: str | None = Field(None, min_length=1, max_length=200)
    due_on: Day | None = None
    done_on: Day | None = None


class EvidenceOut(Schema):
    id: int
    title: str
    description: str
    link: str
    added_by: str | None
    added_on: date


class EvidenceIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    link: str = Field("", description="A web address, if the evidence is online.")


class AutomaticEvidenceOut(Schema):
    label: str = Field(description="What OpenQI looked for.")
    is_met: bool | None = Field(
        description="Whether it is in place; null where OpenQI holds no data on it."
    )
    sentence: str = Field(description="What OpenQI found, in words.")


class StepOut(Schema):
    number: int
    name: str
    purpose: str
    status: StepStatus
    notes: str
    updated_at: datetime | None
    version: int = Field(description=VERSION_OUT)
    milestones: list[MilestoneOut]
    overdue_milestone_ids: list[int] = Field(
        description="Milestones past their due date and not done."
    )
    evidence: list[EvidenceOut] = Field(description="Evidence added by hand.")
    automatic_evidence: list[AutomaticEvidenceOut] = Field(
        description="Evidence OpenQI gathers itself from what it holds."
    )


class JourneyOut(Schema):
    steps: list[StepOut]
    current_step: int = Field(
        description="Where the organisation stands: the first step not yet "
        "established (the last step when all six are)."
    )
    missing_for_next: list[str] = Field(
        description="What the current step still lacks before the organisation moves on."
    )


class StepPatch(Schema):
    version: int | None = Field(None, ge=1, description=VERSION_IN)
    status: StepStatus | None = None
    notes: str | None = None


def _evidence_out(evidence: Evidence) -> dict[str, Any]:
    return {
        "id": evidence.pk,
        "title": evidence.title,
        "description": evidence.description,
        "link": evidence.link,
        "added_by": str(evidence.added_by) if evidence.added_by else None,
        "added_on": evidence.added_on,
    }


def _step_out(view: services.StepView) -> dict[str, Any]:
    step = view.step
    return {
        "number": step.number,
        "name": step.name,
        "purpose": step.purpose,
        "status": step.status,
        "notes": step.notes,
        "updated_at": step.updated_at,
        "version": step.version,
        "milestones": view.milestones,
        "overdue_milestone_ids": sorted(view.overdue),
        "evidence": [_evidence_out(e) for e in view.evidence],
        "automatic_evidence": view.automatic,
    }


def _milestone_data(data: dict[str, Any]) -> dict[str, Any]:
    """The API's fields as MilestoneForm's (dates as the day, month and year it takes)."""
    return {
        "title": data.get("title") or "",
        **date_fields("due_on", data.get("due_on")),
        **date_fields("done_on", data.get("done_on")),
    }


@router.get(
    "/organisations/{slug}/journey",
    response={200: JourneyOut, **ERRORS},
    url_name="journey",
)
@api_access(VIEW_JOURNEY)
def get_journey(request: MemberRequest, slug: str) -> Any:
    """The six steps with their status, milestones and evidence (by hand and automatic)."""
    organisation = request.membership.organisation
    steps = services.steps_for(organisation, with_items=True)
    views = services.step_views(organisation, steps)
    current = services.current_step([view.step for view in views])
    return {
        "steps": [_step_out(view) for view in views],
        "current_step": current.number,
        "missing_for_next": services.missing_for_next(views[current.number - 1]),
    }


@router.get(STEP, response={200: StepOut, **ERRORS}, url_name="journey-step")
@api_access(VIEW_JOURNEY)
def get_journey_step(request: MemberRequest, slug: str, number: int) -> Any:
    return _step_out(
        services.step_view(services.get_step_for(request.membership, number))
    )


@router.patch(STEP, response={200: StepOut, **WRITE_ERRORS}, url_name="journey-step")
@api_access(CHANGE_JOURNEY)
def update_journey_step(
    request: MemberRequest, slug: str, number: int, payload: StepPatch
) -> Any:
    """Move a step on (or back), or change its notes (administrators and the QI team)."""
    membership = request.membership
    sent = changes(payload)
    expect = versions.expected(request, sent.pop("version", None))

    def attempt() -> JourneyStep:
        step = services.get_step_for(membership, number)
        versions.check(step, expect)
        data = {"status": step.status, "notes": step.notes, **sent}
        data["notes"] = data["notes"] or ""
        cleaned = check(StepForm(data, instance=JourneyStep(number=step.number)))
        return services.update_step(step, **cleaned)

    return _step_out(services.step_view(versions.save(expect, attempt)))


@router.post(
    MILESTONES,
    response={201: MilestoneOut, **WRITE_ERRORS},
    url_name="journey-milestones",
)
@api_access(CHANGE_JOURNEY)
def create_milestone(
    request: MemberRequest, slug: str, number: int, payload: MilestoneIn
) -> Any:
    """Add a milestone to a step (administrators and the QI team)."""
    membership = request.membership
    step = services.get_step_for(membership, number)
    cleaned = check(MilestoneForm(_milestone_data(payload.dict())))
    return Status(201, services.add_milestone(step, **cleaned))


@router.patch(
    MILESTONES + "/{milestone_id}",
    response={200: MilestoneOut, **WRITE_ERRORS},
    url_name="journey-milestone",
)
@api_access(CHANGE_JOURNEY)
def update_milestone(
    request: MemberRequest,
    slug: str,
    number: int,
    milestone_id: int,
    payload: MilestonePatch,
) -> Any:
    """Change a milestone, for example mark it done (administrators and the QI team)."""
    membership = request.membership
    step = services.get_step_for(membership, number)
    sent = changes(payload)
    expect = versions.expected(request, sent.pop("version", None))

    def attempt() -> Milestone:
        milestone = services.get_milestone_for(membership, milestone_id, step)
        versions.check(milestone, expect)
        data = {
            "title": milestone.title,
            "due_on": milestone.due_on,
            "done_on": milestone.done_on,
            **sent,
        }
        form = MilestoneForm(_milestone_data(data), instance=Milestone(step=step))
        return services.update_milestone(milestone, **check(form))

    return versions.save(expect, attempt)


@router.delete(
    MILESTONES + "/{milestone_id}",
    response={204: None, **WRITE_ERRORS},
    url_name="journey-milestone",
)
@api_access(CHANGE_JOURNEY)
def delete_milestone(
    request: MemberRequest, slug: str, number: int, milestone_id: int
) -> Any:
    membership = request.membership
    milestone = services.get_milestone_for(
        membership, milestone_id, services.get_step_for(membership, number)
    )
    require_delete(
        membership, has_history=milestone.has_history(), what="this milestone"
    )
    milestone.delete()
    return Status(204, None)


@router.post(
    EVIDENCE,
    response={201: EvidenceOut, **WRITE_ERRORS},
    url_name="journey-evidence",
)
@api_access(CHANGE_JOURNEY)
def create_evidence(
    request: MemberRequest, slug: str, number: int, payload: EvidenceIn
) -> Any:
    """Add evidence by hand, for what OpenQI does not hold (administrators and the QI team)."""
    membership = request.membership
    step = services.get_step_for(membership, number)
    cleaned = check(EvidenceForm(payload.dict()))
    evidence = services.add_evidence(step, membership.user, **cleaned)
    return Status(201, _evidence_out(evidence))


@router.delete(
    EVIDENCE + "/{evidence_id}",
    response={204: None, **WRITE_ERRORS},
    url_name="journey-evidence-item",
)
@api_access(CHANGE_JOURNEY)
def delete_evidence(
    request: MemberRequest, slug: str, number: int, evidence_id: int
) -> Any:
    membership = request.membership
    evidence = services.get_evidence_for(
        membership, evidence_id, services.get_step_for(membership, number)
    )
    require_delete(membership, has_history=False, what="this evidence")
    evidence.delete()
    return Status(204, None)
