"""/organisations/{slug}/…/sustainability-checks: a project's sustainability checks,
one check with the team's score, and a team member's ratings.

Every member reads; a member of the project's team (not a viewer) posts their
ratings, checked by the page's RatingForm and saved by
openqi.sustainability.services (openqi.sustainability.permissions).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ninja import Field, Router, Schema, Status

from openqi.organisations.permissions import MemberRequest, api_access, require
from openqi.projects.services import get_project_for
from openqi.sustainability import services
from openqi.sustainability.builtin import FACTOR_KEYS
from openqi.sustainability.forms import RatingForm
from openqi.sustainability.models import SustainabilityCheck
from openqi.sustainability.permissions import RATE, RATE_PROJECT, VIEW_SUSTAINABILITY

from .errors import InvalidInput
from .lookups import check
from .views import ERRORS, WRITE_ERRORS

router = Router(tags=["sustainability"])

CHECK = "/organisations/{slug}/sustainability-checks/{check_id}"


class CheckOut(Schema):
    id: int
    project_id: int
    opened_on: date
    score: float | None = Field(
        description="The team's score out of 100 (null until someone rates)."
    )
    raters: int = Field(description="How many people have rated.")


class FactorOut(Schema):
    key: str
    group: str
    title: str
    ratings: int
    median: float | None
    lowest: int | None
    highest: int | None
    suggested_action: str


class HeldOut(Schema):
    measure_id: int
    name: str
    state: str = Field(description="held, concern, no_data or unreadable.")
    latest_phase_from: str
    concern: str


class CheckDetailOut(CheckOut):
    factors: list[FactorOut]
    weakest: list[str] = Field(description="The weakest factors' keys, weakest first.")
    held_gain: bool | None = Field(
        description="No special-cause concern on any measure since its latest phase began (null without data)."
    )
    measures: list[HeldOut]


class RatingsIn(Schema):
    scores: dict[str, int] = Field(
        description=f"Every factor's rating, 1–5: {', '.join(FACTOR_KEYS)}."
    )


def _out(c: SustainabilityCheck) -> dict[str, Any]:
    score = services.score_of(c)
    return {
        "id": c.pk,
        "project_id": c.project_id,
        "opened_on": c.opened_on,
        "score": score.score,
        "raters": score.raters,
    }


def _detail(c: SustainabilityCheck) -> dict[str, Any]:
    score = services.score_of(c)
    held = services.held_gain(c.project)
    return {
        "id": c.pk,
        "project_id": c.project_id,
        "opened_on": c.opened_on,
        "score": score.score,
        "raters": score.raters,
        "factors": [
            {
                "key": f.key,
                "group": f.group,
                "title": f.title,
                "ratings": f.ratings,
                "median": f.median,
                "lowest": f.lowest,
                "highest": f.highest,
                "suggested_action": f.action,
            }
            for f in score.factors
        ],
        "weakest": [f.key for f in score.weakest],
        "held_gain": held.is_held,
        "measures": [
            {
                "measure_id": m.measure_id,
                "name": m.name,
                "state": m.state,
                "latest_phase_from": m.since,
                "concern": m.concern,
            }
            for m in held.measures
        ],
    }


@router.get(
    "/organisations/{slug}/projects/{project_id}/sustainability-checks",
    response={200: list[CheckOut], **ERRORS},
    url_name="sustainability_checks",
)
@api_access(VIEW_SUSTAINABILITY)
def list_sustainability_checks(
    request: MemberRequest, slug: str, project_id: int
) -> Any:
    """The project's sustainability checks, newest first, with their scores."""
    project = get_project_for(request.membership, project_id)
    checks = services.checks_of(project)
    scores = {p.check_id: p for p in services.history(checks)}
    return [
        {
            "id": c.pk,
            "project_id": c.project_id,
            "opened_on": c.opened_on,
            "score": scores[c.pk].score,
            "raters": scores[c.pk].raters,
        }
        for c in checks
    ]


@router.get(
    CHECK, response={200: CheckDetailOut, **ERRORS}, url_name="sustainability_check"
)
@api_access(VIEW_SUSTAINABILITY)
def get_sustainability_check(request: MemberRequest, slug: str, check_id: int) -> Any:
    """One check: each factor's median and range, the weakest factors and
    whether the project's measures have held their gain."""
    return _detail(services.get_check_for(request.membership, check_id))


@router.post(
    CHECK + "/ratings",
    response={200: CheckOut, **WRITE_ERRORS},
    url_name="sustainability_ratings",
)
@api_access(RATE)
def rate_sustainability_check(
    request: MemberRequest, slug: str, check_id: int, payload: RatingsIn
) -> Any:
    """Record (or change) the caller's rating of every factor; only members of
    the project's team and its lead may rate."""
    membership = request.membership
    c = services.get_check_for(membership, check_id)
    require(membership, RATE_PROJECT, c.project)
    unknown = sorted(set(payload.scores) - set(FACTOR_KEYS))[:10]
    if unknown:
        raise InvalidInput(
            {
                "scores": [
                    f"Unknown factors: {', '.join(unknown)}. "
                    f"Use {', '.join(FACTOR_KEYS)}."
                ]
            }
        )
    form = RatingForm({key: str(value) for key, value in payload.scores.items()})
    check(form, {key: f"scores.{key}" for key in FACTOR_KEYS})
    services.save_ratings(c, membership.user_id, form.scores())
    return Status(200, _out(c))
