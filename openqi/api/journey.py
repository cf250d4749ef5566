"""/organisations/{slug}/journey: the six-step roadmap, its milestones and its evidence.

Everyone in the organisation reads it; administrators and the QI team change it.
Evidence that OpenQI holds itself (a readiness round closed in the last twelve
months, priorities, projects linked to them, …) is gathered automatically and
listed beside the evidence added by hand.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status

from openqi.journey import services
from openqi.journey.forms import EvidenceForm, MilestoneForm, StepForm
from openqi.journey.models import STEPS, Evidence, JourneyStep, Milestone
from openqi.organisations.access import require_delete
from openqi.organisations.models import Membership
from openqi.strategy.services import require_qi

from . import versions
from .lookups import changes, check, date_fields, find, organisation_path
from .schemas import Day, StepStatus
from .versions import VERSION_IN, VERSION_OUT
from .views import ERRORS, WRITE_ERRORS, membership_in

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


def _step(membership: Membership, number: int) -> JourneyStep:
    if number not in STEPS:
        raise Http404(
            f"There is no step {number}: the journey has steps 1 to {len(STEPS)}. "
            f"GET {organisation_path(membership, 'journey')} lists them."
        )
    steps = services.steps_for(membership.organisation)
    return next(s for s in steps if s.number == number)


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


def _milestone(membership: Membership, step: JourneyStep, pk: int) -> Milestone:
    return find(
        step.milestones.all(),
        pk,
        "milestone",
        organisation_path(membership, f"journey/steps/{step.number}"),
    )


def _evidence(membership: Membership, step: JourneyStep, pk: int) -> Evidence:
    return find(
        step.evidence.all(),
        pk,
        "evidence",
        organisation_path(membership, f"journey/steps/{step.number}"),
    )


@router.get(
    "/organisations/{slug}/journey",
    response={200: JourneyOut, **ERRORS},
    url_name="journey",
)
def get_journey(request: HttpRequest, slug: str) -> Any:
    """The six steps with their status, milestones and evidence (by hand and automatic)."""
    organisation = membership_in(request, slug).organisation
    views = [services.step_view(step) for step in services.steps_for(organisation)]
    current = services.current_step([view.step for view in views])
    return {
        "steps": [_step_out(view) for view in views],
        "current_step": current.number,
        "missing_for_next": services.missing_for_next(views[current.number - 1]),
    }


@router.get(STEP, response={200: StepOut, **ERRORS}, url_name="journey-step")
def get_journey_step(request: HttpRequest, slug: str, number: int) -> Any:
    return _step_out(services.step_view(_step(membership_in(request, slug), number)))


@router.patch(STEP, response={200: StepOut, **WRITE_ERRORS}, url_name="journey-step")
def update_journey_step(
    request: HttpRequest, slug: str, number: int, payload: StepPatch
) -> Any:
    """Move a step on (or back), or change its notes (administrators and the QI team)."""
    membership = membership_in(request, slug)
    require_qi(membership)
    sent = changes(payload)
    expect = versions.expected(request, sent.pop("version", None))

    def attempt() -> JourneyStep:
        step = _step(membership, number)
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
def create_milestone(
    request: HttpRequest, slug: str, number: int, payload: MilestoneIn
) -> Any:
    """Add a milestone to a step (administrators and the QI team)."""
    membership = membership_in(request, slug)
    require_qi(membership)
    step = _step(membership, number)
    cleaned = check(MilestoneForm(_milestone_data(payload.dict())))
    return Status(201, services.add_milestone(step, **cleaned))


@router.patch(
    MILESTONES + "/{milestone_id}",
    response={200: MilestoneOut, **WRITE_ERRORS},
    url_name="journey-milestone",
)
def update_milestone(
    request: HttpRequest,
    slug: str,
    number: int,
    milestone_id: int,
    payload: MilestonePatch,
) -> Any:
    """Change a milestone, for example mark it done (administrators and the QI team)."""
    membership = membership_in(request, slug)
    require_qi(membership)
    step = _step(membership, number)
    sent = changes(payload)
    expect = versions.expected(request, sent.pop("version", None))

    def attempt() -> Milestone:
        milestone = _milestone(membership, step, milestone_id)
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
def delete_milestone(
    request: HttpRequest, slug: str, number: int, milestone_id: int
) -> Any:
    membership = membership_in(request, slug)
    require_qi(membership)
    milestone = _milestone(membership, _step(membership, number), milestone_id)
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
def create_evidence(
    request: HttpRequest, slug: str, number: int, payload: EvidenceIn
) -> Any:
    """Add evidence by hand, for what OpenQI does not hold (administrators and the QI team)."""
    membership = membership_in(request, slug)
    require_qi(membership)
    step = _step(membership, number)
    cleaned = check(EvidenceForm(payload.dict()))
    evidence = services.add_evidence(step, membership.user, **cleaned)
    return Status(201, _evidence_out(evidence))


@router.delete(
    EVIDENCE + "/{evidence_id}",
    response={204: None, **WRITE_ERRORS},
    url_name="journey-evidence-item",
)
def delete_evidence(
    request: HttpRequest, slug: str, number: int, evidence_id: int
) -> Any:
    membership = membership_in(request, slug)
    require_qi(membership)
    evidence = _evidence(membership, _step(membership, number), evidence_id)
    require_delete(membership, has_history=False, what="this evidence")
    evidence.delete()
    return Status(204, None)
