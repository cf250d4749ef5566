"""The library pages: search, a publication, our publications, publishing (from a
project, its driver diagram or change ideas, or a measure), withdrawing, adopting.

Every member reads what the audience of a publication takes in; the QI team and
administrators publish and withdraw; whoever may start projects adopts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from openqi.core.paging import page_of, pager, title_search
from openqi.core.requests import posted
from openqi.improvement.models import DriverNode
from openqi.measures.models import Measure
from openqi.measures.services import get_measure_for
from openqi.organisations.models import Membership
from openqi.organisations.permissions import MemberRequest, has, page_access
from openqi.projects.models import Project
from openqi.projects.services import get_project_for

from . import services
from .forms import AdoptForm, PublishForm, SearchForm
from .models import Kind, Publication
from .permissions import ADOPT, PUBLISH, VIEW_LIBRARY

#: Results on each page of a search.
RESULTS_PAGE = 20
#: The latest periods of a shared series shown on the page (the API gives them all).
SERIES_SHOWN = 24


def _base(membership: Membership, **extra: Any) -> dict[str, Any]:
    return {
        "membership": membership,
        "organisation": membership.organisation,
        "Kind": Kind,
        "can_publish": has(membership, PUBLISH),
        "can_adopt": has(membership, ADOPT),
        "series_shown": SERIES_SHOWN,
        **extra,
    }


# Search -----------------------------------------------------------------------------


@page_access(get=VIEW_LIBRARY)
def search(request: MemberRequest, slug: str) -> HttpResponse:
    membership = request.membership
    form = SearchForm(request.GET or None)
    text, filters = (form.text(), form.filters()) if form.is_bound else ("", {})
    results = services.search(membership.organisation, text=text, **filters)
    page = page_of(request, results, size=RESULTS_PAGE)
    context = _base(
        membership,
        form=form,
        page=page,
        pager=pager(request, page, "page", "results-heading"),
        searched=bool(text or filters),
        ranked=bool(services.query_keys(text)),
    )
    return render(request, "library/search.html", context)


@page_access(get=VIEW_LIBRARY)
def ours(request: MemberRequest, slug: str) -> HttpResponse:
    """The organisation's own publications, withdrawn ones too, with their adoptions."""
    membership = request.membership
    found = services.published_by(membership.organisation, include_withdrawn=True)
    page = page_of(
        request, cast(Sequence[Publication], found.defer("content")), size=RESULTS_PAGE
    )
    counts = services.adoption_counts([p.pk for p in page.object_list])
    context = _base(
        membership,
        page=page,
        counts=counts,
        show_counts=True,
        pager=pager(request, page, "page", "ours-heading"),
    )
    return render(request, "library/ours.html", context)


# A publication ----------------------------------------------------------------------


@page_access(get=VIEW_LIBRARY)
def publication(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    found = services.get_publication_for(membership, pk)
    is_ours = found.organisation_id == membership.organisation_id
    context = _base(
        membership,
        publication=found,
        content=found.content,
        is_ours=is_ours,
        adoptions=list(services.adoptions_of(found)) if is_ours else [],
        ours_adopted=services.adopted_by(found, membership.organisation)
        if not is_ours
        else [],
        republish_url=services.republish_url(found, slug) if is_ours else None,
    )
    return render(request, "library/publication.html", context)


@page_access(post=PUBLISH)
def withdraw(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    found = services.get_own_publication_for(membership, pk)
    services.withdraw(found, by=request.user)
    messages.success(
        request,
        f"{found.title} withdrawn: no other organisation can find or read it now. "
        "Organisations that adopted it keep their own copies.",
    )
    return redirect("library:publication", slug=slug, pk=found.pk)


# Publishing -------------------------------------------------------------------------


def _source(
    membership: Membership, kind: str, pk: int
) -> tuple[Project | None, Measure | None]:
    if kind == Kind.MEASURE:
        return None, get_measure_for(membership, pk)
    return get_project_for(membership, pk), None


def _source_url(
    kind: str, slug: str, project: Project | None, measure: Measure | None
) -> str:
    if measure is not None:
        return reverse("measures:detail", kwargs={"slug": slug, "pk": measure.pk})
    assert project is not None
    if kind in (Kind.DRIVER_DIAGRAM, Kind.CHANGE_IDEA):
        return reverse("improvement:drivers", kwargs={"slug": slug, "pk": project.pk})
    return reverse("projects:detail", kwargs={"slug": slug, "pk": project.pk})


@page_access(get=PUBLISH, post=PUBLISH)
def publish(request: MemberRequest, slug: str, kind: str, pk: int) -> HttpResponse:
    """Publish a project, its driver diagram or one of its change ideas (``pk``: the
    project), or a measure definition (``pk``: the measure); again, to update it."""
    if kind not in Kind.values:
        raise Http404("No such kind of publication.")
    membership = request.membership
    organisation = membership.organisation
    project, measure = _source(membership, kind, pk)
    node: DriverNode | None = None
    if kind == Kind.CHANGE_IDEA and request.GET.get("idea", "").isdigit():
        assert project is not None
        node = (
            DriverNode.objects.for_organisation(organisation)
            .filter(
                project=project,
                kind=DriverNode.Kind.CHANGE_IDEA,
                pk=request.GET["idea"],
            )
            .first()
        )
    existing = (
        None
        if kind == Kind.CHANGE_IDEA and node is None
        else services.existing_publication(
            organisation, kind, project=project, measure=measure, node=node
        )
    )
    if measure is not None:
        title = measure.name
    elif node is not None:
        title = node.text
    else:
        assert project is not None
        title = project.title
        if kind == Kind.DRIVER_DIAGRAM:
            title = f"Driver diagram: {title}"
    initial = PublishForm.initial_from(existing, title[:200])
    if node is not None:
        initial["change_idea"] = node.pk
    form = PublishForm(
        posted(request),
        kind=kind,
        organisation=organisation,
        project=project,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data.get("change_idea")
        try:
            published = services.publish(
                organisation,
                by=request.user,
                kind=kind,
                project=project,
                measure=measure,
                node=chosen,
                **form.publication_fields(),
            )
        except services.PublishRefused as refused:
            form.add_error(
                refused.field if refused.field in form.fields else None, refused.message
            )
        else:
            messages.success(
                request,
                f"{published.title} published to the library "
                f"({published.get_audience_display().split(' (')[0].lower()}).",
            )
            return redirect("library:publication", slug=slug, pk=published.pk)
    context = _base(
        membership,
        form=form,
        kind=kind,
        kind_label=Kind(kind).label,
        project=project,
        measure=measure,
        existing=existing,
        source_url=_source_url(kind, slug, project, measure),
    )
    return render(request, "library/publish.html", context)


# Adopting ---------------------------------------------------------------------------


@page_access(get=ADOPT, post=ADOPT)
def adopt(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    found = services.get_publication_for(membership, pk)
    needs_project = found.kind in (Kind.CHANGE_IDEA, Kind.DRIVER_DIAGRAM)
    listed = (
        title_search(
            request,
            services.adoptable_projects(membership.organisation).order_by("title"),
        )
        if needs_project
        else None
    )
    form = AdoptForm(
        posted(request),
        organisation=membership.organisation,
        needs_project=needs_project,
        offered=listed.rows if listed else None,
    )
    refusal = services.adoption_refusal(found, membership.organisation)
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            adoption = services.adopt(
                found, membership, project=form.cleaned_data.get("project")
            )
        except services.PublishRefused as refused:
            form.add_error(
                refused.field if refused.field in form.fields else None, refused.message
            )
        else:
            messages.success(
                request,
                f"Adopted: {adoption.created_label}. {found.organisation.name} has been told.",
            )
            return redirect(services.adopted_url(adoption, slug))
    context = _base(
        membership,
        publication=found,
        form=form,
        needs_project=needs_project,
        refusal=refusal,
        listed=listed,
    )
    return render(request, "library/adopt.html", context)
