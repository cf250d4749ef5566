"""Spread of change ideas (openqi/improvement/spread.py): the organisation's changes
spreading and proven ideas never adopted elsewhere, a change idea's spread, and
adopting a proven idea into another project.

Every member reads; everyone but a viewer may open the adoption form, and the
adoption itself is for the adopting project's lead, the QI team and administrators
(``require(membership, ADOPT_CHANGE_IDEA, project)``). Without JavaScript each form
is a plain GET or POST.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from openqi.core.paging import page_of, pager, title_search
from openqi.organisations.permissions import MemberRequest, has, page_access, require
from openqi.projects.models import Project

from . import spread
from .models import DriverNode
from .permissions import (
    ADOPT_CHANGE_IDEA,
    CHANGE_IMPROVEMENT_WORK,
    VIEW_IMPROVEMENT_WORK,
)
from .spread_forms import AdoptForm, SpreadFilterForm

#: The longest key a form may send for a project (a database key has at most 19 digits).
_MAX_KEY = 19


def _crumbs(slug: str, *extra: tuple[str, str]) -> list[tuple[str, str]]:
    return [
        ("Portfolio", reverse("portfolio:portfolio", kwargs={"slug": slug})),
        *extra,
    ]


@page_access(get=VIEW_IMPROVEMENT_WORK)
def spread_list(request: MemberRequest, slug: str) -> HttpResponse:
    """Changes spreading (most teams first) and proven ideas never adopted elsewhere."""
    membership = request.membership
    organisation = membership.organisation
    rows = spread.all_spread_rows(organisation)
    form = SpreadFilterForm(request.GET or None, rows=rows)
    priority = unit = None
    if form.is_bound and form.is_valid():
        priority = form.cleaned_data["priority"]
        unit = form.cleaned_data["unit"]
    spreading, candidates = spread.split_rows(rows, priority=priority, unit=unit)
    spreading_page = page_of(request, spreading, "spreading")
    candidates_page = page_of(request, candidates, "candidates")
    return render(
        request,
        "improvement/spread.html",
        {
            "membership": membership,
            "organisation": organisation,
            "crumbs": _crumbs(slug),
            "form": form,
            "filtered": priority is not None or unit is not None,
            "spreading": spreading,
            "candidates": candidates,
            "spreading_page": spreading_page,
            "candidates_page": candidates_page,
            "spreading_pager": pager(
                request, spreading_page, "spreading", "spreading-heading"
            ),
            "candidates_pager": pager(
                request, candidates_page, "candidates", "candidates-heading"
            ),
            "can_edit": has(membership, CHANGE_IMPROVEMENT_WORK),
        },
    )


@page_access(get=VIEW_IMPROVEMENT_WORK)
def spread_idea(request: MemberRequest, slug: str, idea_pk: int) -> HttpResponse:
    """A change idea's spread: where it was proven, the teams and units that adopted
    it, and where it came from when it is itself an adoption."""
    membership = request.membership
    idea = spread.get_change_idea_for(membership, idea_pk)
    source = spread.source_of(idea)
    adoptions = spread.adopters(source)
    proven = spread.proven_in([idea, source])
    units = {a.project.unit_id for a in adoptions if a.project.unit_id}
    return render(
        request,
        "improvement/spread_idea.html",
        {
            "membership": membership,
            "organisation": membership.organisation,
            "crumbs": _crumbs(
                slug, ("Changes spreading", reverse("improvement:spread", args=[slug]))
            ),
            "idea": idea,
            "source": source,
            "is_proven": idea.pk in proven,
            "source_proven": source.pk in proven,
            "adoptions": adoptions,
            "teams": len({a.project_id for a in adoptions}),
            "units": len(units),
            "can_edit": has(membership, CHANGE_IMPROVEMENT_WORK),
        },
    )


def _chosen_project(request: MemberRequest, raw: str | None) -> Project | None:
    """The organisation's project the form names (None if it names none or an unknown
    one: the form then says so); 403 unless the member may adopt into it."""
    if not raw or len(raw) > _MAX_KEY or not raw.isdigit():
        return None
    membership = request.membership
    project = (
        Project.objects.for_organisation(membership.organisation)
        .filter(pk=int(raw))
        .first()
    )
    if project is not None:
        require(membership, ADOPT_CHANGE_IDEA, project)
    return project


@page_access(get=CHANGE_IMPROVEMENT_WORK, post=CHANGE_IMPROVEMENT_WORK)
def spread_adopt(request: MemberRequest, slug: str, idea_pk: int) -> HttpResponse:
    """Adopt a proven change idea into a project: choose the project (a GET form),
    then the driver it goes under (a POST)."""
    membership = request.membership
    organisation = membership.organisation
    idea = spread.get_change_idea_for(membership, idea_pk)
    posted = request.method == "POST"
    data: Any = request.POST if posted else request.GET
    found = title_search(request, spread.adoptable_projects(membership, idea))
    choices = found.rows
    project = _chosen_project(request, data.get("project"))
    form = AdoptForm(
        data if (posted or "project" in data) else None,
        idea=idea,
        organisation=organisation,
        choices=choices,
        need_parent=posted,
    )
    drivers: list[DriverNode] = []
    if project is not None:
        drivers = form.offer_drivers(project)
    if form.is_bound and form.is_valid() and posted:
        try:
            node = spread.adopt(
                idea, form.cleaned_data["project"], form.cleaned_data["parent"]
            )
        except spread.AdoptionRefused as refused:
            form.add_error(
                None if refused.field == "idea" else refused.field, refused.message
            )
        else:
            target = form.cleaned_data["project"]
            messages.success(
                request,
                f"{target.title} adopted “{idea.text}” from {idea.project.title}.",
            )
            href = reverse(
                "improvement:drivers", kwargs={"slug": slug, "pk": target.pk}
            )
            return redirect(f"{href}#node-{node.pk}")
    chosen = form.is_bound and not form.errors.get("project") and project is not None
    return render(
        request,
        "improvement/spread_adopt.html",
        {
            "membership": membership,
            "organisation": organisation,
            "crumbs": _crumbs(
                slug,
                ("Changes spreading", reverse("improvement:spread", args=[slug])),
                (
                    idea.text,
                    reverse("improvement:spread_idea", args=[slug, idea.pk]),
                ),
            ),
            "idea": idea,
            "is_proven": bool(spread.proven_in([idea])),
            "form": form,
            "choices": choices,
            "found": found,
            "project": project if chosen else None,
            "drivers": drivers,
        },
        status=200,
    )
