"""Spread of change ideas across projects (openqi/improvement/spread.py), under
/organisations/{slug}/spread.

Everyone in the organisation reads the changes spreading; the adopting project's
lead, the QI team and administrators adopt a proven change idea into a project.
"""

from __future__ import annotations

from typing import Any

from ninja import Field, Query, Router, Schema, Status

from openqi.improvement import spread
from openqi.improvement.permissions import (
    ADOPT_CHANGE_IDEA,
    CHANGE_IMPROVEMENT_WORK,
    VIEW_IMPROVEMENT_WORK,
)
from openqi.improvement.spread_forms import AdoptForm
from openqi.organisations.permissions import MemberRequest, api_access, require
from openqi.projects.services import get_project_for

from .errors import InvalidInput
from .lookups import check
from .views import ERRORS, WRITE_ERRORS

router = Router(tags=["spread of change ideas"])

SPREAD = "/organisations/{slug}/spread"
ADOPT = SPREAD + "/{idea_id}/adopt"


class SpreadingIdeaOut(Schema):
    id: int = Field(description="The proven change idea (a driver diagram node).")
    text: str
    project_id: int = Field(description="The project where it was proven.")
    project_title: str
    unit_id: int | None = Field(description="The unit of that project.")
    teams: int = Field(
        description="Projects that adopted it, directly or from an adoption of it."
    )
    units: int = Field(description="Distinct units of those projects.")


class ChangesSpreadingOut(Schema):
    spreading: list[SpreadingIdeaOut] = Field(
        description="Proven ideas adopted by at least one other team, most teams first."
    )
    not_adopted: list[SpreadingIdeaOut] = Field(
        description="Proven ideas no other team has adopted: candidates to spread."
    )


class SpreadFilterQuery(Schema):
    priority_id: int | None = Field(
        None, ge=1, description="Only ideas proven in projects of this priority."
    )
    unit_id: int | None = Field(
        None, ge=1, description="Only ideas proven in projects of this unit."
    )


class AdoptChangeIdeaIn(Schema):
    project_id: int = Field(ge=1, description="The project that adopts the idea.")
    parent_id: int = Field(
        ge=1, description="The driver of that project the change idea goes under."
    )


class AdoptedChangeIdeaOut(Schema):
    id: int = Field(description="The new change idea in the adopting project.")
    project_id: int
    parent_id: int
    text: str
    adopted_from_id: int
    spread_source_id: int = Field(
        description="The original change idea its spread is counted to."
    )
    version: int


def _row(row: spread.SpreadRow) -> dict[str, Any]:
    return {
        "id": row.pk,
        "text": row.text,
        "project_id": row.project_pk,
        "project_title": row.project_title,
        "unit_id": row.unit_pk,
        "teams": row.teams,
        "units": row.units,
    }


@router.get(SPREAD, response={200: ChangesSpreadingOut, **ERRORS}, url_name="spread")
@api_access(VIEW_IMPROVEMENT_WORK)
def list_spread(
    request: MemberRequest, slug: str, filters: Query[SpreadFilterQuery]
) -> Any:
    """The organisation's proven change ideas: those spreading and those not adopted
    elsewhere (whole lists, not paginated: one row per proven original idea)."""
    spreading, candidates = spread.spread_rows(
        request.membership.organisation,
        priority=filters.priority_id,
        unit=filters.unit_id,
    )
    return {
        "spreading": [_row(r) for r in spreading],
        "not_adopted": [_row(r) for r in candidates],
    }


@router.post(
    ADOPT, response={201: AdoptedChangeIdeaOut, **WRITE_ERRORS}, url_name="spread-adopt"
)
@api_access(CHANGE_IMPROVEMENT_WORK)
def adopt_change_idea(
    request: MemberRequest, slug: str, idea_id: int, payload: AdoptChangeIdeaIn
) -> Any:
    """Adopt a proven change idea into another project (its lead, the QI team or an
    administrator): a new change idea under the driver named, linked to its source.
    Refused (422) for an unproven idea, its own project, or a project that has
    adopted it already."""
    membership = request.membership
    idea = spread.get_change_idea_for(membership, idea_id)
    project = get_project_for(membership, payload.project_id)
    require(membership, ADOPT_CHANGE_IDEA, project)
    form = AdoptForm(
        {"project": project.pk, "parent": payload.parent_id},
        idea=idea,
        organisation=membership.organisation,
    )
    data = check(
        form, {"__all__": "idea_id", "project": "project_id", "parent": "parent_id"}
    )
    try:
        node = spread.adopt(idea, data["project"], data["parent"])
    except spread.AdoptionRefused as refused:
        field = {"idea": "idea_id", "project": "project_id"}.get(
            refused.field, "parent_id"
        )
        raise InvalidInput({field: [refused.message]}) from None
    return Status(
        201,
        {
            "id": node.pk,
            "project_id": node.project_id,
            "parent_id": node.parent_id,
            "text": node.text,
            "adopted_from_id": idea.pk,
            "spread_source_id": node.spread_source_id,
            "version": node.version,
        },
    )
