"""Strategic priorities ("true north"): the list, and changing them (QI team and administrators)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from openqi.core.versioning import VersionConflict
from openqi.organisations.access import membership_for, require_delete

from . import services
from .forms import PriorityForm
from .models import StrategicPriority


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


@login_required
def priorities(request: HttpRequest, slug: str) -> HttpResponse:
    membership = membership_for(request.user, slug)
    organisation = membership.organisation
    projects = services.url_if_served("projects:list", slug=slug)
    rows = [
        {
            "priority": priority,
            "measure_href": priority.headline_measure_id
            and services.url_if_served(
                "measures:detail", slug=slug, pk=priority.headline_measure_id
            ),
            "projects_href": projects and f"{projects}?priority={priority.pk}",
        }
        for priority in services.priorities_for(organisation)
    ]
    context = {
        "membership": membership,
        "organisation": organisation,
        "rows": rows,
        "can_change": services.is_qi(membership),
    }
    return render(request, "strategy/priorities.html", context)


def _form_page(
    request: HttpRequest, membership: Any, form: PriorityForm, editing: Any
) -> HttpResponse:
    context = {
        "membership": membership,
        "organisation": membership.organisation,
        "form": form,
        "editing": editing,
    }
    return render(request, "strategy/priority_form.html", context)


@login_required
def priority_create(request: HttpRequest, slug: str) -> HttpResponse:
    membership = membership_for(request.user, slug)
    services.require_qi(membership)
    organisation = membership.organisation
    form = PriorityForm(_posted(request), organisation=organisation)
    if request.method == "POST" and form.is_valid():
        priority = services.create_priority(organisation, **form.cleaned_data)
        messages.success(request, f"{priority.title} added.")
        return redirect("strategy:priorities", slug=slug)
    return _form_page(request, membership, form, None)


@login_required
def priority_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership = membership_for(request.user, slug)
    services.require_qi(membership)
    organisation = membership.organisation
    priority = get_object_or_404(
        StrategicPriority.objects.for_organisation(organisation), pk=pk
    )
    title = priority.title  # the form changes ``priority`` as it validates
    form = PriorityForm(_posted(request), instance=priority, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            priority = services.update_priority(priority, **form.cleaned_data)
        except VersionConflict:
            form.report_conflict()
        else:
            messages.success(request, f"{priority.title} saved.")
            return redirect("strategy:priorities", slug=slug)
    return _form_page(request, membership, form, {"pk": pk, "title": title})


@login_required
@require_POST
def priority_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership = membership_for(request.user, slug)
    services.require_qi(membership)
    priority = get_object_or_404(
        StrategicPriority.objects.for_organisation(membership.organisation), pk=pk
    )
    require_delete(
        membership, has_history=priority.has_history(), what="a priority with projects"
    )
    services.delete_priority(priority)
    messages.success(request, f"{priority.title} deleted.")
    return redirect("strategy:priorities", slug=slug)
