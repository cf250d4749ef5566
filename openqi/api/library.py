"""/organisations/{slug}/library…: the shared learning library.

Every member searches and reads what the audience of a publication takes in (its
own organisation's publications, those its system shares, and those shared with
everyone); the QI team and administrators publish and withdraw; everyone but a
viewer adopts. Input is checked by the pages' forms (openqi.library.forms) and
saved by openqi.library.services. What a publication shares is frozen when it is
published: publish the same source again to update it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from typing_extensions import TypeAliasType

from openqi.improvement.models import DriverNode
from openqi.library import services
from openqi.library.forms import AdoptForm, PublishForm, SearchForm
from openqi.library.models import (
    Adoption,
    Audience,
    Kind,
    Outcome,
    Publication,
    Setting,
    Topic,
)
from openqi.library.permissions import ADOPT, PUBLISH, VIEW_LIBRARY
from openqi.measures.services import get_measure_for
from openqi.organisations.permissions import MemberRequest, api_access
from openqi.projects.services import get_project_for

from .errors import InvalidInput
from .lookups import check
from .schemas import Page, PageQuery
from .views import ERRORS, WRITE_ERRORS

router = Router(tags=["library"])

LibraryKind = TypeAliasType("LibraryKind", Kind)
LibraryAudience = TypeAliasType("LibraryAudience", Audience)
LibraryTopic = TypeAliasType("LibraryTopic", Topic)
LibrarySetting = TypeAliasType("LibrarySetting", Setting)
LibraryOutcome = TypeAliasType("LibraryOutcome", Outcome)

LIBRARY = "/organisations/{slug}/library"
ONE = LIBRARY + "/{publication_id}"


class LibraryItemOut(Schema):
    id: int
    kind: LibraryKind
    title: str
    summary: str
    publisher: str = Field(description="The publishing organisation's name.")
    publisher_slug: str
    audience: LibraryAudience
    topic: LibraryTopic
    setting: LibrarySetting
    method: str
    outcome: str
    keywords: str
    published_at: datetime
    withdrawn_at: datetime | None
    score: float | None = Field(
        None, description="How well it matches the search words (0–1), when searched."
    )


class LibraryAdoptionOut(Schema):
    id: int
    publication_id: int
    organisation: str = Field(description="The adopting organisation's name.")
    created: str = Field(description="What the adopter made of it, in words.")
    project_id: int | None
    measure_id: int | None
    driver_node_id: int | None
    adopted_at: datetime


class LibraryPublicationOut(LibraryItemOut):
    outcome_text: str
    includes_measures: bool
    includes_series: bool
    content: dict[str, Any] = Field(
        description="What was shared, frozen when published (see docs/api.md)."
    )
    adoptions: list[LibraryAdoptionOut] = Field(
        description="Who adopted it: shown to the publishing organisation only."
    )
    version: int


class LibrarySearchQuery(PageQuery):
    q: str = Field("", max_length=services.MAX_QUERY, description="Search words.")
    kind: str = ""
    topic: str = ""
    setting: str = ""
    method: str = ""
    outcome: str = ""
    audience: str = ""


class LibraryPublishIn(Schema):
    kind: LibraryKind
    source_id: int = Field(
        description="The project (for a project, driver diagram or change idea) or "
        "the measure (for a measure definition)."
    )
    change_idea_id: int | None = Field(
        None, description="For a change idea: which of the project's change ideas."
    )
    title: str = Field(min_length=1, max_length=200)
    summary: str = Field(min_length=1, max_length=2000)
    outcome_text: str = Field("", max_length=4000)
    topic: LibraryTopic
    setting: LibrarySetting
    method: str = Field("", max_length=10)
    outcome: str = Field("", max_length=14)
    keywords: str = Field("", max_length=200)
    audience: LibraryAudience
    includes_measures: bool = False
    includes_series: bool = False


class LibraryAdoptIn(Schema):
    project_id: int | None = Field(
        None,
        description="For a change idea or a driver diagram: the project to add it to.",
    )


def _brief(publication: Publication) -> dict[str, Any]:
    return {
        "id": publication.pk,
        "kind": publication.kind,
        "title": publication.title,
        "summary": publication.summary,
        "publisher": publication.organisation.name,
        "publisher_slug": publication.organisation.slug,
        "audience": publication.audience,
        "topic": publication.topic,
        "setting": publication.setting,
        "method": publication.method,
        "outcome": publication.outcome,
        "keywords": publication.keywords,
        "published_at": publication.published_at,
        "withdrawn_at": publication.withdrawn_at,
        "score": getattr(publication, "score", None),
    }


def _adoption_out(adoption: Adoption) -> dict[str, Any]:
    return {
        "id": adoption.pk,
        "publication_id": adoption.publication_id,
        "organisation": adoption.organisation.name,
        "created": adoption.created_label,
        "project_id": adoption.project_id,
        "measure_id": adoption.measure_id,
        "driver_node_id": adoption.driver_node_id,
        "adopted_at": adoption.adopted_at,
    }


def _full(publication: Publication, request: MemberRequest) -> dict[str, Any]:
    is_ours = publication.organisation_id == request.membership.organisation_id
    return {
        **_brief(publication),
        "outcome_text": publication.outcome_text,
        "includes_measures": publication.includes_measures,
        "includes_series": publication.includes_series,
        "content": publication.content,
        "adoptions": [_adoption_out(a) for a in services.adoptions_of(publication)]
        if is_ours
        else [],
        "version": publication.version,
    }


@router.get(LIBRARY, response={200: Page[LibraryItemOut], **ERRORS}, url_name="library")
@api_access(VIEW_LIBRARY)
def search_library(
    request: MemberRequest, slug: str, query: Query[LibrarySearchQuery]
) -> Any:
    """Search what the organisation may read: ``q`` (ranked, best first) and the
    filters; without ``q``, newest first."""
    data = query.dict()
    form = SearchForm({k: data[k] for k in SearchForm.base_fields if k in data})
    check(form)
    found = services.search(
        request.membership.organisation, text=form.text(), **form.filters()
    )
    rows = list(found[query.offset : query.offset + query.limit])
    total = found.count() if isinstance(found, QuerySet) else len(found)
    return {
        "items": [_brief(p) for p in rows],
        "total": total,
        "limit": query.limit,
        "offset": query.offset,
    }


@router.get(
    ONE, response={200: LibraryPublicationOut, **ERRORS}, url_name="library_item"
)
@api_access(VIEW_LIBRARY)
def read_publication(request: MemberRequest, slug: str, publication_id: int) -> Any:
    """A publication with its frozen content (and, for its publisher, its adoptions)."""
    found = services.get_publication_for(request.membership, publication_id)
    return _full(found, request)


@router.post(
    LIBRARY, response={201: LibraryPublicationOut, **WRITE_ERRORS}, url_name="library"
)
@api_access(PUBLISH)
def publish(request: MemberRequest, slug: str, payload: LibraryPublishIn) -> Any:
    """Publish a project, driver diagram, change idea or measure definition (the QI
    team or an administrator); publishing the same source again updates it."""
    membership = request.membership
    data = payload.dict()
    kind = data["kind"]
    if kind == Kind.MEASURE:
        project, measure = None, get_measure_for(membership, data["source_id"])
    else:
        project, measure = get_project_for(membership, data["source_id"]), None
    form = PublishForm(
        {
            **{k: v for k, v in data.items() if k not in ("kind", "source_id")},
            "change_idea": data["change_idea_id"] or "",
            "includes_measures": "true" if data["includes_measures"] else "",
            "includes_series": "true" if data["includes_series"] else "",
        },
        kind=kind,
        organisation=membership.organisation,
        project=project,
    )
    check(form, {"change_idea": "change_idea_id"})
    node: DriverNode | None = form.cleaned_data.get("change_idea")
    try:
        published = services.publish(
            membership.organisation,
            by=membership.user,
            kind=kind,
            project=project,
            measure=measure,
            node=node,
            **form.publication_fields(),
        )
    except services.PublishRefused as refused:
        raise InvalidInput({refused.field: [refused.message]}) from None
    return Status(201, _full(published, request))


@router.post(
    ONE + "/withdraw",
    response={200: LibraryPublicationOut, **WRITE_ERRORS},
    url_name="library_withdraw",
)
@api_access(PUBLISH)
def withdraw(request: MemberRequest, slug: str, publication_id: int) -> Any:
    """Withdraw one of the organisation's publications: no other organisation finds
    or reads it; those that adopted it keep their copies."""
    found = services.get_own_publication_for(request.membership, publication_id)
    return _full(services.withdraw(found, by=request.membership.user), request)


@router.post(
    ONE + "/adopt",
    response={201: LibraryAdoptionOut, **WRITE_ERRORS},
    url_name="library_adopt",
)
@api_access(ADOPT)
def adopt(
    request: MemberRequest, slug: str, publication_id: int, payload: LibraryAdoptIn
) -> Any:
    """Adopt a publication: a project → a new project (title, aim, problem, its driver
    diagram); a measure definition → a new measure (no data); a change idea or
    driver diagram → added to ``project_id``. The publisher is told."""
    membership = request.membership
    found = services.get_publication_for(membership, publication_id)
    refusal = services.adoption_refusal(found, membership.organisation)
    if refusal is not None:
        raise InvalidInput({"publication_id": [refusal]})
    needs_project = found.kind in (Kind.CHANGE_IDEA, Kind.DRIVER_DIAGRAM)
    form = AdoptForm(
        {"project": payload.project_id or ""},
        organisation=membership.organisation,
        needs_project=needs_project,
    )
    check(form, {"project": "project_id"})
    try:
        adoption = services.adopt(
            found, membership, project=form.cleaned_data.get("project")
        )
    except services.PublishRefused as refused:
        raise InvalidInput({refused.field: [refused.message]}) from None
    if adoption.pk is None:  # pragma: no cover - adopt always saves
        raise Http404
    return Status(201, _adoption_out(adoption))
