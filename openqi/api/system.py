"""/organisations/{slug}/system/… and /organisations/{slug}/sharing: the system's
portfolio, and what a member shares with its system.

The portfolio answers people with a role in a system organisation (the slug is
the system's): the members' shared projects counted by status and rating,
capability and readiness as aggregates with small-number suppression (a withheld
count is null, as on the page), and the shared projects a page at a time. A
member's sharing settings are read by its members and changed by its
administrators only, through the same service as the page (on its audit trail).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import Http404
from ninja import Field, Query, Router, Schema

from openqi.organisations.permissions import MemberRequest, api_access
from openqi.system import services
from openqi.system.forms import SharingForm
from openqi.system.models import Sharing
from openqi.system.permissions import (
    CHANGE_SHARING,
    VIEW_SHARING,
    VIEW_SYSTEM_PORTFOLIO,
)

from . import versions
from .lookups import changes, check
from .schemas import Page, PageQuery, ProjectStatus
from .versions import VERSION_IN, VERSION_OUT
from .views import ERRORS, WRITE_ERRORS

router = Router(tags=["system"])

SUPPRESSED = "null where withheld: a count of people below 5, or a figure that would let one be worked out."


class SystemMemberOut(Schema):
    slug: str
    name: str
    shares_portfolio: bool
    shares_capability: bool
    shares_readiness: bool


class CountsOut(Schema):
    member: str = Field(description="The member's slug.")
    counts: dict[str, int] = Field(description="Projects in each column.")
    total: int


class CapabilityRowOut(Schema):
    member: str
    staff: int | None = Field(description=SUPPRESSED)
    people: list[int | None] = Field(
        description="At each level, in order. " + SUPPRESSED
    )
    needs: list[int | None] = Field(
        description="The people each level's organisation-wide target needs; null without one."
    )


class CapabilityOut(Schema):
    levels: list[str]
    members: list[CapabilityRowOut]
    totals: list[int | None] = Field(
        description="Each level across members. " + SUPPRESSED
    )


class ReadinessRowOut(Schema):
    member: str
    round: str
    closed_on: str | None
    scores: list[float | None] = Field(
        description="Each domain's score (0–100), null where withheld (fewer than 5 answers) or not asked."
    )


class ReadinessOut(Schema):
    domains: list[str]
    members: list[ReadinessRowOut]


class PublicationOut(Schema):
    title: str
    member: str
    kind: str


class PortfolioOut(Schema):
    system: str
    members: list[SystemMemberOut] = Field(
        description="Members that share something; a member that shares nothing is absent."
    )
    by_status: list[CountsOut]
    by_rating: list[CountsOut]
    capability: CapabilityOut | None
    readiness: ReadinessOut | None
    publications: list[PublicationOut] | None = Field(
        description="The members' live publications the system may read (null while the library is not available)."
    )


class SharedProjectOut(Schema):
    member: str
    id: int
    title: str
    status: ProjectStatus
    priorities: list[str]
    rating: Decimal | None = Field(
        description="The latest progress rating (IHI scale)."
    )


class SharedProjectQuery(PageQuery):
    member: str | None = Field(None, max_length=100, description="A member's slug.")
    status: ProjectStatus | None = None


class SharingOut(Schema):
    organisation: str
    system: str
    portfolio: bool
    capability: bool
    readiness: bool
    version: int | None = Field(description=VERSION_OUT + " null until first saved.")


class SharingPatch(Schema):
    version: int | None = Field(None, ge=1, description=VERSION_IN)
    portfolio: bool | None = None
    capability: bool | None = None
    readiness: bool | None = None


def _counts(matrix: services.Matrix) -> list[dict[str, Any]]:
    return [
        {
            "member": member.slug,
            "counts": dict(zip(matrix.columns, counts, strict=True)),
            "total": total,
        }
        for member, counts, total in matrix.rows
    ]


@router.get(
    "/organisations/{slug}/system/portfolio",
    response={200: PortfolioOut, **ERRORS},
    url_name="system_portfolio",
)
@api_access(VIEW_SYSTEM_PORTFOLIO)
def get_portfolio(request: MemberRequest, slug: str) -> Any:
    """The system's portfolio: what its members share (people with a role in the system)."""
    found = services.portfolio_for(request.membership, own=False)
    capability = found.capability()
    readiness = found.readiness()
    return {
        "system": found.system.slug,
        "members": [
            {
                "slug": m.slug,
                "name": m.name,
                "shares_portfolio": m.portfolio,
                "shares_capability": m.capability,
                "shares_readiness": m.readiness,
            }
            for m in found.members
        ],
        "by_status": _counts(found.by_status()),
        "by_rating": _counts(found.by_rating()),
        "capability": None
        if capability is None
        else {
            "levels": list(capability.levels),
            "members": [
                {
                    "member": m.slug,
                    "staff": capability.staff[r],
                    "people": capability.people.values()[r],
                    "needs": list(capability.needs[r]),
                }
                for r, m in enumerate(capability.members)
            ],
            "totals": [
                f.value if f is not None else None
                for f in capability.people.column_totals
            ],
        },
        "readiness": None
        if readiness is None
        else {
            "domains": list(readiness.domains),
            "members": [
                {
                    "member": m.slug,
                    "round": m.round.title if m.round else "",
                    "closed_on": m.round.closed_on.isoformat()
                    if m.round and m.round.closed_on
                    else None,
                    "scores": list(readiness.scores[r]),
                }
                for r, m in enumerate(readiness.members)
            ],
        },
        "publications": None
        if found.publications is None
        else [
            {"title": p.title, "member": p.member, "kind": p.kind}
            for p in found.publications
        ],
    }


@router.get(
    "/organisations/{slug}/system/projects",
    response={200: Page[SharedProjectOut], **ERRORS},
    url_name="system_projects",
)
@api_access(VIEW_SYSTEM_PORTFOLIO)
def list_shared_projects(
    request: MemberRequest, slug: str, query: Query[SharedProjectQuery]
) -> Any:
    """The members' shared projects (title, priorities, status, latest rating only)."""
    found = services.portfolio_for(request.membership, publications=False, own=False)
    rows = found.projects()
    if query.member:
        rows = [(m, p) for m, p in rows if m.slug == query.member]
    if query.status:
        rows = [(m, p) for m, p in rows if p.status == query.status]
    items = rows[query.offset : query.offset + query.limit]
    return {
        "items": [
            {
                "member": m.slug,
                "id": p.pk,
                "title": p.title,
                "status": p.status,
                "priorities": list(p.priorities),
                "rating": p.rating,
            }
            for m, p in items
        ],
        "total": len(rows),
        "limit": query.limit,
        "offset": query.offset,
    }


def _sharing(request: MemberRequest) -> Sharing:
    try:
        return services.sharing_for(request.membership.organisation)
    except services.NotInSystem as error:
        raise Http404(str(error)) from error


def _sharing_out(sharing: Sharing) -> dict[str, Any]:
    return {
        "organisation": sharing.organisation.slug,
        "system": sharing.system.slug,
        "portfolio": sharing.portfolio,
        "capability": sharing.capability,
        "readiness": sharing.readiness,
        "version": sharing.version if sharing.pk else None,
    }


@router.get(
    "/organisations/{slug}/sharing",
    response={200: SharingOut, **ERRORS},
    url_name="sharing",
)
@api_access(VIEW_SHARING)
def get_sharing(request: MemberRequest, slug: str) -> Any:
    """What this organisation shares with its system (nothing until an administrator chooses)."""
    return _sharing_out(_sharing(request))


@router.patch(
    "/organisations/{slug}/sharing",
    response={200: SharingOut, **WRITE_ERRORS},
    url_name="sharing",
)
@api_access(CHANGE_SHARING)
def update_sharing(request: MemberRequest, slug: str, payload: SharingPatch) -> Any:
    """Change what this organisation shares with its system (administrators only);
    send only what changes. Turning a part off takes it out of the system's view at once."""
    organisation = request.membership.organisation
    sent = changes(payload)
    expect = versions.expected(request, sent.pop("version", None))

    def attempt() -> Sharing:
        sharing = _sharing(request)
        if sharing.pk is not None:
            versions.check(sharing, expect)
        data = {
            "portfolio": sharing.portfolio,
            "capability": sharing.capability,
            "readiness": sharing.readiness,
            **{k: v for k, v in sent.items() if v is not None},
        }
        form = SharingForm({k: "on" for k, v in data.items() if v}, instance=sharing)
        cleaned = check(form)
        return services.save_sharing(
            organisation,
            portfolio=cleaned["portfolio"],
            capability=cleaned["capability"],
            readiness=cleaned["readiness"],
        )

    return _sharing_out(versions.save(expect, attempt))
