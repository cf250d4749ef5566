"""/organisations/{slug}/barriers: the barrier log, for the improvement forum to work through.

Everyone in the organisation reads it; everyone but a viewer logs and changes
barriers; administrators and the QI team delete them. Input is checked by the
pages' BarrierForm and saved by openqi.barriers.services.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from openqi.barriers import services
from openqi.barriers.forms import BarrierForm
from openqi.barriers.models import Barrier
from openqi.barriers.permissions import CHANGE_BARRIER, DELETE_BARRIER, VIEW_BARRIERS
from openqi.core.categories import BarrierCategory
from openqi.organisations.access import require_delete
from openqi.organisations.models import Membership
from openqi.organisations.permissions import MemberRequest, api_access

from . import versions
from .lookups import changes, check, date_fields
from .schemas import BarrierStatus, Day, Page, PageQuery
from .versions import VERSION_IN, VERSION_OUT
from .views import ERRORS, WRITE_ERRORS, paginate

router = Router(tags=["barriers"])

BARRIER = "/organisations/{slug}/barriers/{barrier_id}"

#: Form field → API field, so errors name the field the caller sent.
FIELDS = {"unit": "unit_id", "owner": "owner_id", "projects": "project_ids"}


class BarrierOut(Schema):
    id: int
    category: BarrierCategory
    title: str
    description: str
    unit_id: int | None
    severity: Barrier.Severity
    owner_id: int | None
    owner: str | None = Field(description="The owner's name.")
    status: BarrierStatus
    is_open: bool = Field(description="Open or being worked on.")
    project_ids: list[int] = Field(description="The projects it holds up.")
    raised_on: date
    resolved_on: date | None
    resolution: str
    escalate_to_board: bool = Field(description="Flagged for the board report.")
    age_days: int = Field(
        description="Days since it was raised (to when it was resolved, if it was)."
    )
    version: int = Field(description=VERSION_OUT)


class BarrierIn(Schema):
    """A new barrier is open; PATCH it later to change its status."""

    category: BarrierCategory
    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    unit_id: int | None = Field(None, description="Empty: the whole organisation.")
    severity: Barrier.Severity = Barrier.Severity.MEDIUM
    owner_id: int | None = None
    project_ids: list[int] = Field(default_factory=list)
    raised_on: Day | None = Field(None, description="Today if left out.")
    escalate_to_board: bool = False


class BarrierPatch(Schema):
    version: int | None = Field(None, ge=1, description=VERSION_IN)
    category: BarrierCategory | None = None
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    unit_id: int | None = None
    severity: Barrier.Severity | None = None
    owner_id: int | None = None
    status: BarrierStatus | None = None
    project_ids: list[int] | None = None
    raised_on: Day | None = None
    resolved_on: Day | None = None
    resolution: str | None = None
    escalate_to_board: bool | None = None


class BarrierQuery(PageQuery):
    category: BarrierCategory | None = None
    status: BarrierStatus | None = None
    severity: Barrier.Severity | None = None
    unit_id: int | None = None
    is_open: bool | None = Field(
        None, description="true: open or being worked on; false: resolved or closed."
    )
    escalate_to_board: bool | None = None


def _out(barrier: Barrier) -> dict[str, Any]:
    until = barrier.resolved_on or timezone.localdate()
    return {
        "id": barrier.pk,
        "category": barrier.category,
        "title": barrier.title,
        "description": barrier.description,
        "unit_id": barrier.unit_id,
        "severity": barrier.severity,
        "owner_id": barrier.owner_id,
        "owner": str(barrier.owner) if barrier.owner else None,
        "status": barrier.status,
        "is_open": barrier.is_open,
        "project_ids": sorted(p.pk for p in barrier.projects.all()),
        "raised_on": barrier.raised_on,
        "resolved_on": barrier.resolved_on,
        "resolution": barrier.resolution,
        "escalate_to_board": barrier.escalate_to_board,
        "age_days": max((until - barrier.raised_on).days, 0),
        "version": barrier.version,
    }


def _save(
    membership: Membership, barrier: Barrier | None, data: dict[str, Any]
) -> Barrier:
    """Check ``data`` with the page's BarrierForm and save it through the service."""
    form_data = {
        "title": data["title"],
        "category": data["category"],
        "description": data.get("description") or "",
        "severity": data.get("severity") or "",
        "unit": data.get("unit_id"),
        "owner": data.get("owner_id"),
        "projects": data.get("project_ids") or [],
        "escalate_to_board": bool(data.get("escalate_to_board")),
        "status": data.get("status") or "",
        "resolution": data.get("resolution") or "",
        **date_fields("raised_on", data.get("raised_on") or timezone.localdate()),
        **date_fields("resolved_on", data.get("resolved_on")),
    }
    form = BarrierForm(
        form_data, instance=barrier, organisation=membership.organisation
    )
    cleaned = check(form, FIELDS)
    projects = cleaned.pop("projects")
    return services.save_barrier(form.instance, projects=projects, **cleaned)


@router.get(
    "/organisations/{slug}/barriers",
    response={200: Page[BarrierOut], **ERRORS},
    url_name="barriers",
)
@api_access(VIEW_BARRIERS)
def list_barriers(request: MemberRequest, slug: str, query: Query[BarrierQuery]) -> Any:
    """The barrier log, open barriers first and the newest first; filter with the query."""
    organisation = request.membership.organisation
    barriers = services.search_barriers(
        organisation,
        category=query.category or "",
        status=query.status or "",
        severity=query.severity or "",
    ).prefetch_related("projects")
    if query.unit_id is not None:
        barriers = barriers.filter(unit_id=query.unit_id)
    if query.escalate_to_board is not None:
        barriers = barriers.filter(escalate_to_board=query.escalate_to_board)
    if query.is_open is True:
        barriers = barriers.filter(status__in=services.OPEN_STATUSES)
    elif query.is_open is False:
        barriers = barriers.exclude(status__in=services.OPEN_STATUSES)
    page = paginate(barriers, query)
    page["items"] = [_out(b) for b in page["items"]]
    return page


@router.post(
    "/organisations/{slug}/barriers",
    response={201: BarrierOut, **WRITE_ERRORS},
    url_name="barriers",
)
@api_access(CHANGE_BARRIER)
def create_barrier(request: MemberRequest, slug: str, payload: BarrierIn) -> Any:
    """Log a barrier (anyone but a viewer)."""
    membership = request.membership
    barrier = _save(membership, None, payload.dict())
    return Status(201, _out(services.get_barrier_for(membership, barrier.pk)))


@router.get(BARRIER, response={200: BarrierOut, **ERRORS}, url_name="barrier")
@api_access(VIEW_BARRIERS)
def get_barrier(request: MemberRequest, slug: str, barrier_id: int) -> Any:
    return _out(services.get_barrier_for(request.membership, barrier_id))


@router.patch(BARRIER, response={200: BarrierOut, **WRITE_ERRORS}, url_name="barrier")
@api_access(CHANGE_BARRIER)
def update_barrier(
    request: MemberRequest, slug: str, barrier_id: int, payload: BarrierPatch
) -> Any:
    """Change a barrier (anyone but a viewer); send only the fields to change."""
    membership = request.membership
    sent = changes(payload)
    expect = versions.expected(request, sent.pop("version", None))

    def attempt() -> Barrier:
        barrier = services.get_barrier_for(membership, barrier_id)
        versions.check(barrier, expect)
        data = {
            "title": barrier.title,
            "category": barrier.category,
            "description": barrier.description,
            "severity": barrier.severity,
            "unit_id": barrier.unit_id,
            "owner_id": barrier.owner_id,
            "project_ids": [p.pk for p in barrier.projects.all()],
            "escalate_to_board": barrier.escalate_to_board,
            "status": barrier.status,
            "raised_on": barrier.raised_on,
            "resolved_on": barrier.resolved_on,
            "resolution": barrier.resolution,
            **sent,
        }
        return _save(membership, barrier, data)

    barrier = versions.save(expect, attempt)
    return _out(services.get_barrier_for(membership, barrier.pk))


@router.delete(BARRIER, response={204: None, **WRITE_ERRORS}, url_name="barrier")
@api_access(DELETE_BARRIER)
def delete_barrier(request: MemberRequest, slug: str, barrier_id: int) -> Any:
    """Delete a barrier (administrators and the QI team); its projects stay."""
    membership = request.membership
    barrier = services.get_barrier_for(membership, barrier_id)
    require_delete(membership, has_history=barrier.has_history(), what="this barrier")
    barrier.delete()
    return Status(204, None)
