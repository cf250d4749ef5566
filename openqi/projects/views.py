"""The project workspace: the list, starting a project (with similar projects shown
first), the project page, changing and deleting it, ratings, partners, measure
links and the timeline.

Each view names the permission every HTTP method needs (``page_access``, with
the permissions of :mod:`openqi.projects.permissions`): outsiders get a 404,
viewers may look; deleting a project is an object rule checked in the view.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from openqi.core.requests import is_htmx, posted
from openqi.core.versioning import VersionConflict
from openqi.measures.sparklines import sparkline
from openqi.measures.summaries import summaries_for
from openqi.organisations.models import Membership
from openqi.organisations.permissions import MemberRequest, has, page_access

from . import elsewhere, services
from .forms import (
    MeasureLinkForm,
    MeasureSearchForm,
    NoteForm,
    PartnerForm,
    ProjectForm,
    ProjectSearchForm,
    RatingForm,
    SimilarForm,
)
from .models import Project
from .permissions import CHANGE_PROJECT, VIEW_PROJECTS
from .progress import CHANGE_IDEA

PAGE_SIZE = 50


def _base(membership: Membership, **extra: Any) -> dict[str, Any]:
    return {
        "membership": membership,
        "organisation": membership.organisation,
        **extra,
    }


def _detail_url(project: Project, anchor: str = "") -> str:
    url = reverse(
        "projects:detail",
        kwargs={"slug": project.organisation.slug, "pk": project.pk},
    )
    return f"{url}#{anchor}" if anchor else url


@page_access(get=VIEW_PROJECTS)
def project_list(request: MemberRequest, slug: str) -> HttpResponse:
    membership = request.membership
    organisation = membership.organisation
    form = ProjectSearchForm(request.GET or None, organisation=organisation)
    filters = form.cleaned_data if form.is_valid() else {}
    projects = services.search_projects(
        organisation,
        text=filters.get("q", ""),
        status=filters.get("status", ""),
        priority=filters.get("priority"),
    )
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = _base(
        membership,
        form=form,
        page=page,
        query=query.urlencode(),
        is_filtered=bool(filters and any(filters.values())),
        can_create=has(membership, CHANGE_PROJECT),
    )
    if is_htmx(request):
        return render(request, "projects/_list.html", context)
    return render(request, "projects/list.html", context)


@page_access(get=CHANGE_PROJECT, post=CHANGE_PROJECT)
def project_create(request: MemberRequest, slug: str) -> HttpResponse:
    """Start a project. Similar projects in the organisation are shown before it is
    saved; the person saves anyway with the "Create anyway" button (``confirm``)."""
    membership = request.membership
    organisation = membership.organisation
    form = ProjectForm(
        posted(request),
        organisation=organisation,
        initial={"lead": request.user.pk, "status": Project.Status.IDEA},
    )
    similar: list[services.SimilarProject] = []
    published: list[elsewhere.Elsewhere] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not data["confirm"]:
            similar = services.similar_projects(
                organisation,
                title=data["title"],
                aim=f"{data['aim_what']} {data['aim_how_much']}",
                problem=data["problem"],
            )
            # Work other organisations published that looks like it (projects/elsewhere.py).
            published = elsewhere.find(
                organisation,
                title=data["title"],
                aim=f"{data['aim_what']} {data['aim_how_much']}",
                problem=data["problem"],
            )
        if not similar and not published:
            project = services.create_project(
                organisation, created_by=request.user, **form.project_fields()
            )
            messages.success(request, f"{project.title} started.")
            return redirect(_detail_url(project))
    context = _base(
        membership, form=form, similar=similar, published=published, editing=None
    )
    return render(request, "projects/form.html", context)


@page_access(get=VIEW_PROJECTS)
def similar(request: MemberRequest, slug: str) -> HttpResponse:
    """Projects like the words typed so far: a fragment for htmx, a page otherwise."""
    membership = request.membership
    form = SimilarForm(request.GET or None)
    matches: list[services.SimilarProject] = []
    published: list[elsewhere.Elsewhere] = []
    if form.is_valid() and form.cleaned_data["title"].strip():
        data = form.cleaned_data
        matches = services.similar_projects(
            membership.organisation,
            title=data["title"],
            aim=f"{data['aim_what']} {data['aim_how_much']}",
            problem=data["problem"],
            exclude=data["exclude"],
        )
        published = elsewhere.find(
            membership.organisation,
            title=data["title"],
            aim=f"{data['aim_what']} {data['aim_how_much']}",
            problem=data["problem"],
        )
    context = _base(
        membership, form=form, similar=matches, published=published, is_live=True
    )
    if is_htmx(request):
        return render(request, "projects/_similar.html", context)
    return render(request, "projects/similar.html", context)


def _picker(project: Project, form: MeasureLinkForm, text: str = "") -> dict[str, Any]:
    """The "Link a measure" picker: a search field and the first few measures not
    yet linked whose names contain the words searched for (never every measure of
    the organisation). A measure chosen on a form sent back with errors stays
    offered."""
    shown, total = services.measures_to_link(project, text)
    chosen = form.cleaned_data.get("measure") if form.is_bound else None
    if form.is_bound and chosen is not None and chosen not in shown:
        shown = [chosen, *shown]
    form.offer(shown)
    return {
        "link_form": form,
        "link_search": MeasureSearchForm(initial={"q": text}),
        "link_query": text,
        "link_total": total,
        "link_shown": len(shown),
    }


def _detail_context(
    membership: Membership, project: Project, **forms: Any
) -> dict[str, Any]:
    slug = membership.organisation.slug
    ids = {"slug": slug, "pk": project.pk}
    ratings = list(project.ratings.select_related("rater"))
    links = list(project.measure_links.select_related("measure"))
    notes = list(project.notes.select_related("author"))
    # The driver diagram's entries, its change ideas and the PDSA cycles, counted in one query.
    work = (
        Project.objects.for_organisation(membership.organisation)
        .filter(pk=project.pk)
        .aggregate(
            drivers=Count("driver_nodes", distinct=True),
            change_ideas=Count(
                "driver_nodes", filter=Q(driver_nodes__kind=CHANGE_IDEA), distinct=True
            ),
            cycles=Count("cycles", distinct=True),
        )
    )
    # Each measure's last points from its stored chart summary (one query).
    summaries = summaries_for([link.measure for link in links])
    measures = [
        (
            label,
            [
                (
                    link,
                    reverse(
                        "measures:detail", kwargs={"slug": slug, "pk": link.measure_id}
                    ),
                    sparkline(
                        link.measure.name,
                        summaries[link.measure_id].sparkline
                        if link.measure_id in summaries
                        else [],
                        link.measure.unit_label,
                    ),
                )
                for link in role_links
            ],
        )
        for label, role_links in services.measures_by_role(project, links)
    ]
    can_edit = has(membership, CHANGE_PROJECT)
    return _base(
        membership,
        project=project,
        can_edit=can_edit,
        rating_sources=services.rating_sources(membership, project),
        latest_ratings=services.latest_ratings(ratings),
        ratings=ratings,
        scale=services.progress_scale(),
        measures=measures,
        # The "Link a measure" picker fetches its short list when opened.
        link_search=MeasureSearchForm(),
        partners=list(project.partners.all()),
        partner_form=PartnerForm(),  # blank: one sent back with errors has its own page
        notes=notes,
        note_form=forms.get("note_form") or NoteForm(),
        team=list(project.team.order_by("full_name")),
        priorities=list(project.priorities.all()),
        tags=list(project.tags.all()),
        change_ideas=work["change_ideas"],
        driver_count=work["drivers"],
        cycle_count=work["cycles"],
        drivers_href=reverse("improvement:drivers", kwargs=ids),
        cycles_href=reverse("improvement:cycles", kwargs=ids),
    )


@page_access(get=VIEW_PROJECTS)
def detail(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    project = services.get_project_for(membership, pk)
    return render(request, "projects/detail.html", _detail_context(membership, project))


@page_access(get=CHANGE_PROJECT, post=CHANGE_PROJECT)
def edit(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    project = services.get_project_for(membership, pk)
    title = project.title  # the form changes ``project`` as it validates
    form = ProjectForm(
        posted(request), instance=project, organisation=membership.organisation
    )
    if request.method == "POST" and form.is_valid():
        try:
            project = services.update_project(
                project, author=request.user, **form.project_fields()
            )
        except VersionConflict:
            form.report_conflict()
        else:
            messages.success(request, f"{project.title} saved.")
            return redirect(_detail_url(project))
    context = _base(
        membership,
        form=form,
        similar=[],
        editing={"pk": pk, "title": title},
        can_delete=services.may_delete_project(membership, project),
    )
    return render(request, "projects/form.html", context)


@page_access(get=CHANGE_PROJECT, post=CHANGE_PROJECT)
def delete(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    """Ask first (GET), then delete the project and everything in it (POST)."""
    membership = request.membership
    project = services.get_project_for(membership, pk)
    services.require_project_delete(membership, project)
    if request.method == "POST":
        services.delete_project(project)
        messages.success(request, f"{project.title} deleted.")
        return redirect("projects:list", slug=slug)
    context = _base(
        membership,
        project=project,
        counts=[
            (project.measure_links.count(), "measure link", "measure links"),
            (project.cycles.count(), "PDSA cycle", "PDSA cycles"),
            (
                project.driver_nodes.count(),
                "driver diagram entry",
                "driver diagram entries",
            ),
            (project.notes.count(), "note", "notes"),
            (project.ratings.count(), "progress rating", "progress ratings"),
        ],
        who_may_delete=services.PROJECT_DELETION_RULE,
    )
    return render(request, "projects/delete.html", context)


@page_access(post=CHANGE_PROJECT)
def note_add(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    project = services.get_project_for(membership, pk)
    form = NoteForm(request.POST)
    added = None
    if form.is_valid():
        added = services.add_note(
            project, author=request.user, text=form.cleaned_data["text"]
        )
        form = NoteForm()
        if not is_htmx(request):
            messages.success(request, "Note added to the timeline.")
            return redirect(_detail_url(project, "timeline"))
    if is_htmx(request):
        context = _base(
            membership,
            project=project,
            can_edit=True,
            notes=list(project.notes.select_related("author")),
            note_form=form,
            # The note added takes focus and is announced (core/updates.js).
            added_note=added.pk if added else None,
        )
        return render(request, "projects/_timeline.html", context)
    context = _detail_context(membership, project, note_form=form)
    return render(request, "projects/detail.html", context)


@page_access(get=CHANGE_PROJECT, post=CHANGE_PROJECT)
def rate(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    """Add a progress rating on the IHI scale, as the team or as the QI coach."""
    membership = request.membership
    project = services.get_project_for(membership, pk)
    sources = services.rating_sources(membership, project)
    if not sources:
        raise PermissionDenied(
            "The team's rating is given by the project's lead and team, "
            "the coach's by the QI team."
        )
    form = RatingForm(
        posted(request),
        sources=sources,
        source=services.default_rating_source(membership, project),
    )
    if request.method == "POST" and form.is_valid():
        rating = services.add_rating(project, rater=request.user, **form.cleaned_data)
        messages.success(
            request,
            f"{rating.get_rated_by_display()} rating of {rating.score} "
            f"({rating.meaning()[0].lower()}) added.",
        )
        return redirect(_detail_url(project, "progress"))
    context = _base(
        membership, project=project, form=form, scale=services.progress_scale()
    )
    return render(request, "projects/rate.html", context)


@page_access(get=CHANGE_PROJECT, post=CHANGE_PROJECT)
def partner_add(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    project = services.get_project_for(membership, pk)
    form = PartnerForm(posted(request))
    if request.method == "POST" and form.is_valid():
        partner = services.add_partner(project, **form.cleaned_data)
        messages.success(request, f"{partner.name} added as a partner.")
        return redirect(_detail_url(project, "partners"))
    context = _base(membership, project=project, form=form)
    return render(request, "projects/partner_form.html", context)


@page_access(post=CHANGE_PROJECT)
def partner_remove(
    request: MemberRequest, slug: str, pk: int, partner_pk: int
) -> HttpResponse:
    membership = request.membership
    project = services.get_project_for(membership, pk)
    partner = get_object_or_404(project.partners, pk=partner_pk)
    services.remove_partner(partner)
    messages.success(request, f"{partner.name} removed from the project.")
    return redirect(_detail_url(project, "partners"))


@page_access(get=CHANGE_PROJECT, post=CHANGE_PROJECT)
def measure_link(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    """Link one of the organisation's measures to the project as outcome, process or
    balancing. ``?q=`` searches the measures by name (htmx swaps in the matches as
    someone types; without JavaScript the search opens this page)."""
    membership = request.membership
    project = services.get_project_for(membership, pk)
    form = MeasureLinkForm(posted(request), project=project)
    if request.method == "POST" and form.is_valid():
        link = services.link_measure(project, **form.cleaned_data)
        role = link.get_role_display().lower()
        article = "an" if role[0] in "aeiou" else "a"
        messages.success(
            request, f"{link.measure.name} linked as {article} {role} measure."
        )
        return redirect(_detail_url(project, "measures"))
    source = request.POST if request.method == "POST" else request.GET
    search = MeasureSearchForm(source)
    text = search.cleaned_data["q"].strip() if search.is_valid() else ""
    context = _base(membership, project=project, **_picker(project, form, text))
    if is_htmx(request):
        return render(request, "projects/_measure_choices.html", context)
    return render(request, "projects/measure_link.html", context)


@page_access(post=CHANGE_PROJECT)
def measure_unlink(
    request: MemberRequest, slug: str, pk: int, link_pk: int
) -> HttpResponse:
    membership = request.membership
    project = services.get_project_for(membership, pk)
    link = get_object_or_404(
        project.measure_links.select_related("measure"), pk=link_pk
    )
    services.unlink_measure(link)
    messages.success(request, f"{link.measure.name} is no longer linked.")
    return redirect(_detail_url(project, "measures"))
