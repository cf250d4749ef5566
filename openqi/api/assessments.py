"""Assessments: instruments, rounds, anonymous links, results and the action plan.

Everyone in the organisation reads them; administrators and the QI team run
rounds and keep the action plan (openqi.assessments.permissions). The anonymous
survey itself is a public page, not part of the API.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, Literal, cast

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Body, Field, Query, Router, Schema, Status

from openqi.assessments import instruments, services
from openqi.assessments.definition import DefinitionError
from openqi.assessments.forms import ActionForm, LinkForm, RoundForm
from openqi.assessments.models import ActionItem, AssessmentRound, RespondentGroup
from openqi.assessments.permissions import CHANGE_ASSESSMENTS, VIEW_ASSESSMENTS
from openqi.core.categories import EnablerCategory
from openqi.organisations.access import require_delete
from openqi.organisations.models import Membership, StaffRecord
from openqi.organisations.permissions import MemberRequest, api_access
from openqi.organisations.services import RuleBroken

from . import versions
from .errors import InvalidInput
from .lookups import changes, check, date_fields
from .schemas import ActionStatus, Day, Page, PageQuery, RoundStatus
from .versions import VERSION_IN, VERSION_OUT
from .views import ERRORS, WRITE_ERRORS, paginate

router = Router(tags=["assessments"])


def _membership(request: HttpRequest) -> Membership:
    """The member ``api_access`` looked up and checked."""
    return cast(MemberRequest, request).membership


INSTRUMENTS = "/organisations/{slug}/instruments"
INSTRUMENT = INSTRUMENTS + "/{instrument_id}"
ROUNDS = "/organisations/{slug}/rounds"
ROUND = ROUNDS + "/{round_id}"
ACTIONS = "/organisations/{slug}/actions"
ACTION = ACTIONS + "/{action_id}"


# Instruments ---------------------------------------------------------------------


class InstrumentOut(Schema):
    id: int
    key: str
    version: str
    name: str
    description: str
    is_builtin: bool = Field(description="Built into OpenQI, for every organisation.")


class InstrumentDetailOut(InstrumentOut):
    definition: dict[str, Any] = Field(
        description="The definition: sections, items, scales, scoring and bands, "
        "in the format described on the page "
        "/organisations/{slug}/assessments/instruments/format/."
    )


@router.get(
    INSTRUMENTS,
    response={200: Page[InstrumentOut], **ERRORS},
    url_name="instruments",
)
@api_access(VIEW_ASSESSMENTS)
def list_instruments(request: HttpRequest, slug: str, page: Query[PageQuery]) -> Any:
    """The instruments the organisation can use: OpenQI's own and those it loaded."""
    membership = _membership(request)
    return paginate(services.instruments_for(membership.organisation), page)


@router.post(
    INSTRUMENTS,
    response={201: InstrumentDetailOut, **WRITE_ERRORS},
    url_name="instruments",
)
@api_access(CHANGE_ASSESSMENTS)
def import_instrument(
    request: HttpRequest, slug: str, payload: Body[dict[str, Any]]
) -> Any:
    """Load an instrument the organisation holds the rights to, from its definition
    (administrators and the QI team). A definition that does not validate is a 422
    listing every problem."""
    membership = _membership(request)
    try:
        instrument = instruments.import_instrument(
            membership.organisation, json.dumps(payload)
        )
    except DefinitionError as error:
        raise InvalidInput({"definition": error.errors}) from None
    return Status(201, instrument)


@router.get(
    INSTRUMENT, response={200: InstrumentDetailOut, **ERRORS}, url_name="instrument"
)
@api_access(VIEW_ASSESSMENTS)
def get_instrument(request: HttpRequest, slug: str, instrument_id: int) -> Any:
    """An instrument with its whole definition."""
    return services.get_instrument_for(_membership(request), instrument_id)


@router.get(
    INSTRUMENT + "/export",
    response={200: dict[str, Any], **ERRORS},
    url_name="instrument-export",
)
@api_access(VIEW_ASSESSMENTS)
def export_instrument(request: HttpRequest, slug: str, instrument_id: int) -> Any:
    """The definition alone, as a JSON file to keep or to load elsewhere."""
    instrument = services.get_instrument_for(_membership(request), instrument_id)
    response = HttpResponse(
        instruments.export_instrument(instrument), content_type="application/json"
    )
    filename = instruments.export_filename(instrument)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# Rounds ------------------------------------------------------------------------


class RoundOut(Schema):
    id: int
    title: str
    instrument_id: int
    instrument: str = Field(description="The instrument's name.")
    status: RoundStatus
    unit_ids: list[int] = Field(description="Empty: the whole organisation.")
    opened_on: date | None
    closed_on: date | None
    response_count: int
    links_used: int
    links_unused: int
    created_at: datetime


class RoundIn(Schema):
    instrument_id: int
    title: str = Field(min_length=1, max_length=200)
    unit_ids: list[int] = Field(
        default_factory=list, description="Leave empty for the whole organisation."
    )


class LinksIn(Schema):
    count: int = Field(ge=1, le=services.MAX_LINKS, description="How many links.")
    unit_id: int | None = Field(None, description="The unit the answers count for.")
    staff_group: StaffRecord.StaffGroup | None = None
    respondent_group: RespondentGroup = RespondentGroup.STAFF


class LinksOut(Schema):
    tokens: list[str] = Field(
        description="The new links' secrets. Shown this once: only a hash is kept."
    )
    urls: list[str] = Field(description="The survey page of each link, to send out.")
    used: int = Field(description="Links of the round already answered.")
    unused: int = Field(description="Links of the round not yet answered.")


def _round_out(assessment_round: AssessmentRound) -> dict[str, Any]:
    links = services.link_counts(assessment_round)
    return {
        "id": assessment_round.pk,
        "title": assessment_round.title,
        "instrument_id": assessment_round.instrument_id,
        "instrument": assessment_round.instrument.name,
        "status": assessment_round.status,
        "unit_ids": sorted(u.pk for u in assessment_round.units.all()),
        "opened_on": assessment_round.opened_on,
        "closed_on": assessment_round.closed_on,
        "response_count": assessment_round.response_count,  # type: ignore[attr-defined]  # annotated by services.rounds_for
        "links_used": links["used"],
        "links_unused": links["unused"],
        "created_at": assessment_round.created_at,
    }


def _survey_url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("survey:answer", kwargs={"token": token}))


@router.get(ROUNDS, response={200: Page[RoundOut], **ERRORS}, url_name="rounds")
@api_access(VIEW_ASSESSMENTS)
def list_rounds(request: HttpRequest, slug: str, page: Query[PageQuery]) -> Any:
    """The organisation's assessment rounds, newest first."""
    found = paginate(services.rounds_for(_membership(request).organisation), page)
    found["items"] = [_round_out(r) for r in found["items"]]
    return found


@router.post(ROUNDS, response={201: RoundOut, **WRITE_ERRORS}, url_name="rounds")
@api_access(CHANGE_ASSESSMENTS)
def create_round(request: HttpRequest, slug: str, payload: RoundIn) -> Any:
    """Start a round, as a draft (administrators and the QI team); open it to take answers."""
    membership = _membership(request)
    form = RoundForm(
        {
            "instrument": payload.instrument_id,
            "title": payload.title,
            "units": payload.unit_ids,
        },
        organisation=membership.organisation,
    )
    cleaned = check(form, {"instrument": "instrument_id", "units": "unit_ids"})
    created = services.create_round(
        membership.organisation,
        instrument=cleaned["instrument"],
        title=cleaned["title"],
        units=cleaned["units"],
        created_by=membership.user,
    )
    return Status(201, _round_out(services.get_round_for(membership, created.pk)))


@router.get(ROUND, response={200: RoundOut, **ERRORS}, url_name="round")
@api_access(VIEW_ASSESSMENTS)
def get_round(request: HttpRequest, slug: str, round_id: int) -> Any:
    return _round_out(services.get_round_for(_membership(request), round_id))


@router.post(
    ROUND + "/open", response={200: RoundOut, **WRITE_ERRORS}, url_name="round-open"
)
@api_access(CHANGE_ASSESSMENTS)
def open_round(request: HttpRequest, slug: str, round_id: int) -> Any:
    """Open a draft round for answers (administrators and the QI team)."""
    membership = _membership(request)
    assessment_round = services.get_round_for(membership, round_id)
    if assessment_round.status == AssessmentRound.Status.CLOSED:
        raise RuleBroken("This round is closed; a closed round cannot open again.")
    services.open_round(assessment_round)
    return _round_out(services.get_round_for(membership, round_id))


@router.post(
    ROUND + "/close", response={200: RoundOut, **WRITE_ERRORS}, url_name="round-close"
)
@api_access(CHANGE_ASSESSMENTS)
def close_round(request: HttpRequest, slug: str, round_id: int) -> Any:
    """Close an open round: its links stop taking answers (administrators and the QI team)."""
    membership = _membership(request)
    assessment_round = services.get_round_for(membership, round_id)
    if assessment_round.status == AssessmentRound.Status.DRAFT:
        raise RuleBroken(
            "This round is a draft: open it (POST …/open) before closing it."
        )
    services.close_round(assessment_round)
    return _round_out(services.get_round_for(membership, round_id))


@router.post(
    ROUND + "/links", response={201: LinksOut, **WRITE_ERRORS}, url_name="round-links"
)
@api_access(CHANGE_ASSESSMENTS)
def create_links(
    request: HttpRequest, slug: str, round_id: int, payload: LinksIn
) -> Any:
    """Make anonymous survey links (administrators and the QI team).

    The tokens come back this once: only their hashes are kept, so keep them or
    send them out now."""
    membership = _membership(request)
    assessment_round = services.get_round_for(membership, round_id)
    if assessment_round.status == AssessmentRound.Status.CLOSED:
        raise RuleBroken("This round is closed; it takes no more answers.")
    form = LinkForm(
        {
            "count": payload.count,
            "unit": payload.unit_id,
            "staff_group": payload.staff_group or "",
            "respondent_group": payload.respondent_group,
        },
        assessment_round=assessment_round,
    )
    cleaned = check(form, {"unit": "unit_id"})
    tokens = services.create_links(
        assessment_round,
        count=cleaned["count"],
        unit=cleaned["unit"],
        staff_group=cleaned["staff_group"],
        respondent_group=cleaned["respondent_group"],
    )
    counts = services.link_counts(assessment_round)
    return Status(
        201,
        {
            "tokens": tokens,
            "urls": [_survey_url(request, token) for token in tokens],
            **counts,
        },
    )


# Results -------------------------------------------------------------------------


SuppressedBecause = Literal["few_responses", "complementary"]

SUPPRESSED_BECAUSE = (
    f"Why it is hidden: few_responses (fewer than {services.MIN_RESPONSES} "
    f"responses of its own), complementary (hidden so that the group of fewer "
    f"than {services.MIN_RESPONSES} cannot be worked out from it and the other "
    "published results); null when shown."
)


class CellOut(Schema):
    n: int = Field(description="How many answered.")
    score: float | None = Field(
        description="The mean score (0–100) rounded as the results page shows it "
        "(a whole number); null when suppressed or empty."
    )
    band: str | None = Field(
        description="The interpretation band of the score as shown."
    )
    is_suppressed: bool
    suppressed_because: SuppressedBecause | None = Field(description=SUPPRESSED_BECAUSE)


class RowOut(Schema):
    key: str
    label: str
    n: int
    is_suppressed: bool = Field(
        description=f"Fewer than {services.MIN_RESPONSES} responses (or hidden so "
        "that a small group cannot be worked out from the others)."
    )
    suppressed_because: SuppressedBecause | None = Field(description=SUPPRESSED_BECAUSE)
    sections: dict[str, CellOut] = Field(description="By section key.")
    categories: dict[str, CellOut] = Field(description="By category key.")


class SectionOut(Schema):
    key: str
    title: str
    category: str | None


class CategoryOut(Schema):
    key: str
    label: str


class CountOut(Schema):
    answer: str
    count: int


class SpreadOut(Schema):
    item: str = Field(description="The item's key.")
    text: str
    n: int
    is_suppressed: bool
    suppressed_because: SuppressedBecause | None = Field(description=SUPPRESSED_BECAUSE)
    counts: list[CountOut] = Field(description="Empty when suppressed.")


class SuggestionOut(Schema):
    section: str = Field(description="The section's key.")
    title: str
    category: str | None
    score: float | None
    text: str = Field(description="The suggested action.")


class ResultsOut(Schema):
    round_id: int
    min_responses: int = Field(
        description="Groups with fewer responses than this are suppressed."
    )
    sections: list[SectionOut]
    categories: list[CategoryOut]
    overall: RowOut
    overall_sd: dict[str, float | None] = Field(
        description="Each section's standard deviation of scores (null when suppressed)."
    )
    by_unit: list[RowOut]
    by_staff_group: list[RowOut]
    by_respondent_group: list[RowOut]
    spreads: dict[str, list[SpreadOut]] = Field(description="By section key.")
    previous_round_id: int | None = Field(
        description="The round change is measured against: the latest earlier "
        "closed round of the same instrument over the same units; null when there "
        "is no comparable earlier round (then change is empty)."
    )
    change: dict[str, float | None] = Field(
        description="Each section's change in score (as shown) since the previous "
        "round; empty when there is no comparable earlier round."
    )
    category_change: dict[str, float | None]
    suggestions: list[SuggestionOut]


def _band(cell: Any) -> str | None:
    band = getattr(cell, "band", None)
    if band is None:
        return None
    return str(getattr(band, "label", band))


def _cell_out(cell: Any) -> dict[str, Any]:
    return {
        "n": cell.n,
        "score": None if cell.is_suppressed else cell.score,
        "band": None if cell.is_suppressed else _band(cell),
        "is_suppressed": cell.is_suppressed,
        "suppressed_because": cell.suppression or None,
    }


def _row_out(row: Any) -> dict[str, Any]:
    return {
        "key": row.key,
        "label": row.label,
        "n": row.n,
        "is_suppressed": row.is_suppressed,
        "suppressed_because": row.suppression or None,
        "sections": {key: _cell_out(cell) for key, cell in row.cells.items()},
        "categories": {key: _cell_out(cell) for key, cell in row.categories.items()},
    }


def _spread_out(spread: Any) -> dict[str, Any]:
    return {
        "item": spread.key,
        "text": spread.text,
        "n": spread.n,
        "is_suppressed": spread.is_suppressed,
        "suppressed_because": spread.suppression or None,
        "counts": []
        if spread.is_suppressed
        else [{"answer": label, "count": n} for label, n in spread.counts],
    }


def _results_out(results: Any) -> dict[str, Any]:
    return {
        "round_id": results.assessment_round.pk,
        "min_responses": results.min_responses,
        "sections": [
            {
                "key": s.key,
                "title": s.title,
                "category": services.category_of(s) or None,
            }
            for s in results.definition.sections
        ],
        "categories": [
            {"key": key, "label": label} for key, label in results.categories
        ],
        "overall": _row_out(results.overall),
        "overall_sd": results.overall_sd,
        "by_unit": [_row_out(r) for r in results.by_unit],
        "by_staff_group": [_row_out(r) for r in results.by_staff_group],
        "by_respondent_group": [_row_out(r) for r in results.by_respondent_group],
        "spreads": {
            key: [_spread_out(s) for s in spreads]
            for key, spreads in results.spreads.items()
        },
        "previous_round_id": results.previous.pk if results.previous else None,
        "change": results.change,
        "category_change": results.category_change,
        "suggestions": [
            {
                "section": s.section.key,
                "title": s.section.title,
                "category": s.category or None,
                "score": s.cell.score,
                "text": s.text,
            }
            for s in results.suggestions
        ],
    }


@router.get(
    ROUND + "/results",
    response={200: ResultsOut, **WRITE_ERRORS},
    url_name="round-results",
)
@api_access(VIEW_ASSESSMENTS)
def get_results(request: HttpRequest, slug: str, round_id: int) -> Any:
    """The round's results as its page shows them: scores per section and category,
    per unit, staff group and respondent group, the spread of answers, the change
    since the previous round and suggested actions.

    Results are published only once the round has closed; before that this is a
    409 saying so. A group with fewer than five responses is suppressed: no score,
    no spread; so is any result from which, with the others published, a smaller
    group could be worked out (``suppressed_because`` says which)."""
    assessment_round = services.get_round_for(_membership(request), round_id)
    if not services.results_are_available(assessment_round):
        raise RuleBroken(services.RESULTS_PENDING)
    return _results_out(services.results_for(assessment_round))


# The action plan ---------------------------------------------------------------


class ActionOut(Schema):
    id: int
    title: str
    description: str
    category: EnablerCategory | None
    round_id: int | None
    section_key: str
    owner_id: int | None
    owner: str | None = Field(description="The owner's name.")
    due_date: date | None
    status: ActionStatus
    version: int = Field(description=VERSION_OUT)
    created_at: datetime


class ActionIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    category: EnablerCategory | None = None
    round_id: int | None = Field(None, description="The round the gap was found in.")
    section_key: str = Field("", description="The section of that round's results.")
    owner_id: int | None = None
    due_date: Day | None = None
    status: ActionStatus = ActionItem.Status.OPEN


class ActionPatch(Schema):
    version: int | None = Field(None, ge=1, description=VERSION_IN)
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    category: EnablerCategory | None = None
    round_id: int | None = None
    section_key: str | None = None
    owner_id: int | None = None
    due_date: Day | None = None
    status: ActionStatus | None = None


class ActionQuery(PageQuery):
    status: ActionStatus | None = None
    category: EnablerCategory | None = None


def _action_out(action: ActionItem) -> dict[str, Any]:
    return {
        "id": action.pk,
        "title": action.title,
        "description": action.description,
        "category": action.category or None,
        "round_id": action.round_id,
        "section_key": action.section_key,
        "owner_id": action.owner_id,
        "owner": str(action.owner) if action.owner else None,
        "due_date": action.due_date,
        "status": action.status,
        "version": action.version,
        "created_at": action.created_at,
    }


def _save_action(
    membership: Membership, action: ActionItem | None, data: dict[str, Any]
) -> ActionItem:
    """Check ``data`` with the page's ActionForm and save through the service."""
    form_data = {
        "title": data["title"],
        "description": data.get("description") or "",
        "category": data.get("category") or "",
        "owner": data.get("owner_id"),
        "status": data.get("status"),
        "round": data.get("round_id"),
        "section_key": data.get("section_key") or "",
        **date_fields("due_date", data.get("due_date")),
    }
    form = ActionForm(form_data, instance=action, organisation=membership.organisation)
    check(form, {"owner": "owner_id", "round": "round_id"})
    return services.save_action(form.save(commit=False))


@router.get(ACTIONS, response={200: Page[ActionOut], **ERRORS}, url_name="actions")
@api_access(VIEW_ASSESSMENTS)
def list_actions(request: HttpRequest, slug: str, query: Query[ActionQuery]) -> Any:
    """The action plan: open actions first, then by due date."""
    organisation = _membership(request).organisation
    actions = services.actions_for(
        organisation, status=query.status or "", category=query.category or ""
    )
    found = paginate(actions, query)
    found["items"] = [_action_out(a) for a in found["items"]]
    return found


@router.post(ACTIONS, response={201: ActionOut, **WRITE_ERRORS}, url_name="actions")
@api_access(CHANGE_ASSESSMENTS)
def create_action(request: HttpRequest, slug: str, payload: ActionIn) -> Any:
    """Add an action to the plan, often from a gap a round found (administrators and
    the QI team)."""
    membership = _membership(request)
    action = _save_action(membership, None, payload.dict())
    return Status(201, _action_out(services.get_action_for(membership, action.pk)))


@router.get(ACTION, response={200: ActionOut, **ERRORS}, url_name="action")
@api_access(VIEW_ASSESSMENTS)
def get_action(request: HttpRequest, slug: str, action_id: int) -> Any:
    return _action_out(services.get_action_for(_membership(request), action_id))


@router.patch(ACTION, response={200: ActionOut, **WRITE_ERRORS}, url_name="action")
@api_access(CHANGE_ASSESSMENTS)
def update_action(
    request: HttpRequest, slug: str, action_id: int, payload: ActionPatch
) -> Any:
    """Change an action, for example its status (administrators and the QI team)."""
    membership = _membership(request)
    sent = changes(payload)
    expect = versions.expected(request, sent.pop("version", None))

    def attempt() -> ActionItem:
        action = services.get_action_for(membership, action_id)
        versions.check(action, expect)
        data = {
            "title": action.title,
            "description": action.description,
            "category": action.category,
            "owner_id": action.owner_id,
            "status": action.status,
            "round_id": action.round_id,
            "section_key": action.section_key,
            "due_date": action.due_date,
            **sent,
        }
        return _save_action(membership, action, data)

    action = versions.save(expect, attempt)
    return _action_out(services.get_action_for(membership, action.pk))


@router.delete(ACTION, response={204: None, **WRITE_ERRORS}, url_name="action")
@api_access(CHANGE_ASSESSMENTS)
def delete_action(request: HttpRequest, slug: str, action_id: int) -> Any:
    membership = _membership(request)
    action = services.get_action_for(membership, action_id)
    require_delete(membership, has_history=action.has_history(), what="this action")
    services.delete_action(action)
    return Status(204, None)
