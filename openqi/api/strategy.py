"""/organisations/{slug}/priorities: the organisation's strategic priorities ("true north").

Everyone in the organisation reads them; administrators and the QI team change them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ninja import Field, Query, Router, Schema, Status

from openqi.organisations.access import require_delete
from openqi.organisations.models import Membership
from openqi.organisations.permissions import MemberRequest, api_access
from openqi.strategy import services
from openqi.strategy.forms import PriorityForm
from openqi.strategy.models import StrategicPriority
from openqi.strategy.permissions import CHANGE_PRIORITY, VIEW_PRIORITIES

from . import versions
from .lookups import changes, check, date_fields
from .schemas import Day, Page, PageQuery, Position
from .versions import VERSION_IN, VERSION_OUT
from .views import ERRORS, WRITE_ERRORS, paginate

router = Router(tags=["strategy"])

PRIORITY = "/organisations/{slug}/priorities/{priority_id}"


class PriorityOut(Schema):
    id: int
    title: str
    description: str
    period_start: date
    period_end: date | None
    headline_measure_id: int | None = Field(
        description="The measure that shows progress on the priority, if any."
    )
    position: int = Field(description="Lists are ordered by position, then title.")
    project_count: int = Field(description="How many projects line up behind it.")
    version: int = Field(description=VERSION_OUT)


class PriorityIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    period_start: Day
    period_end: Day | None = None
    headline_measure_id: int | None = None
    position: Position = 0


class PriorityPatch(Schema):
    version: int | None = Field(None, ge=1, description=VERSION_IN)
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    period_start: Day | None = None
    period_end: Day | None = None
    headline_measure_id: int | None = None
    position: Position | None = None


def _priorities(membership: Membership) -> Any:
    # Meta.ordering is dropped from a query with an aggregate, so it is given again.
    return services.priorities_for(membership.organisation).order_by(
        "position", "title", "pk"
    )


def _form_data(data: dict[str, Any]) -> dict[str, Any]:
    """The API's fields as PriorityForm's (dates as the day, month and year it takes)."""
    form_data = {
        "title": data["title"],
        "description": data.get("description") or "",
        "headline_measure": data.get("headline_measure_id"),
        "position": data.get("position", 0),
    }
    for name in ("period_start", "period_end"):
        form_data.update(date_fields(name, data.get(name)))
    return form_data


def _cleaned(membership: Membership, data: dict[str, Any], **form: Any) -> Any:
    bound = PriorityForm(_form_data(data), organisation=membership.organisation, **form)
    return check(bound, {"headline_measure": "headline_measure_id"})


@router.get(
    "/organisations/{slug}/priorities",
    response={200: Page[PriorityOut], **ERRORS},
    url_name="priorities",
)
@api_access(VIEW_PRIORITIES)
def list_priorities(request: MemberRequest, slug: str, page: Query[PageQuery]) -> Any:
    """The organisation's strategic priorities, in their order."""
    return paginate(_priorities(request.membership), page)


@router.post(
    "/organisations/{slug}/priorities",
    response={201: PriorityOut, **WRITE_ERRORS},
    url_name="priorities",
)
@api_access(CHANGE_PRIORITY)
def create_priority(request: MemberRequest, slug: str, payload: PriorityIn) -> Any:
    """Add a strategic priority (administrators and the QI team)."""
    membership = request.membership
    cleaned = _cleaned(membership, payload.dict())
    priority = services.create_priority(membership.organisation, **cleaned)
    return Status(201, services.get_priority_for(membership, priority.pk))


@router.get(PRIORITY, response={200: PriorityOut, **ERRORS}, url_name="priority")
@api_access(VIEW_PRIORITIES)
def get_priority(request: MemberRequest, slug: str, priority_id: int) -> Any:
    return services.get_priority_for(request.membership, priority_id)


@router.patch(
    PRIORITY, response={200: PriorityOut, **WRITE_ERRORS}, url_name="priority"
)
@api_access(CHANGE_PRIORITY)
def update_priority(
    request: MemberRequest, slug: str, priority_id: int, payload: PriorityPatch
) -> Any:
    """Change a priority (administrators and the QI team); send only the fields to change."""
    membership = request.membership
    sent = changes(payload)
    expect = versions.expected(request, sent.pop("version", None))

    def attempt() -> StrategicPriority:
        priority = services.get_priority_for(membership, priority_id)
        versions.check(priority, expect)
        data = {
            "title": priority.title,
            "description": priority.description,
            "period_start": priority.period_start,
            "period_end": priority.period_end,
            "headline_measure_id": priority.headline_measure_id,
            "position": priority.position,
            **sent,
        }
        cleaned = _cleaned(membership, data, instance=priority)
        return services.update_priority(priority, **cleaned)

    priority = versions.save(expect, attempt)
    return services.get_priority_for(membership, priority.pk)


@router.delete(PRIORITY, response={204: None, **WRITE_ERRORS}, url_name="priority")
@api_access(CHANGE_PRIORITY)
def delete_priority(request: MemberRequest, slug: str, priority_id: int) -> Any:
    """Delete a priority (administrators and the QI team); its projects stay, unlinked."""
    membership = request.membership
    priority = services.get_priority_for(membership, priority_id)
    require_delete(
        membership, has_history=priority.has_history(), what="a priority with projects"
    )
    services.delete_priority(priority)
    return Status(204, None)
