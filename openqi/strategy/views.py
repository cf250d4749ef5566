"""Strategic priorities ("true north"): the list, and changing them (QI team and administrators)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from openqi.core.requests import posted
from openqi.core.versioning import VersionConflict
from openqi.organisations.access import require_delete
from openqi.organisations.models import Membership
from openqi.organisations.permissions import MemberRequest, has, page_access

from . import services
from .forms import PriorityForm
from .permissions import CHANGE_PRIORITY, VIEW_PRIORITIES


@page_access(get=VIEW_PRIORITIES)
def priorities(request: MemberRequest, slug: str) -> HttpResponse:
    membership = request.membership
    organisation = membership.organisation
    projects = reverse("projects:list", kwargs={"slug": slug})
    rows = [
        {
            "priority": priority,
            "measure_href": priority.headline_measure_id
            and reverse(
                "measures:detail",
                kwargs={"slug": slug, "pk": priority.headline_measure_id},
            ),
            "projects_href": f"{projects}?{urlencode({'priority': priority.pk})}",
        }
        for priority in services.priorities_for(organisation)
    ]
    context = {
        "membership": membership,
        "organisation": organisation,
        "rows": rows,
        "can_change": has(membership, CHANGE_PRIORITY),
    }
    return render(request, "strategy/priorities.html", context)


def _form_page(
    request: HttpRequest, membership: Membership, form: PriorityForm, editing: Any
) -> HttpResponse:
    context = {
        "membership": membership,
        "organisation": membership.organisation,
        "form": form,
        "editing": editing,
    }
    return render(request, "strategy/priority_form.html", context)


@page_access(get=CHANGE_PRIORITY, post=CHANGE_PRIORITY)
def priority_create(request: MemberRequest, slug: str) -> HttpResponse:
    membership = request.membership
    organisation = membership.organisation
    form = PriorityForm(posted(request), organisation=organisation)
    if request.method == "POST" and form.is_valid():
        priority = services.create_priority(organisation, **form.cleaned_data)
        messages.success(request, f"{priority.title} added.")
        return redirect("strategy:priorities", slug=slug)
    return _form_page(request, membership, form, None)


@page_access(get=CHANGE_PRIORITY, post=CHANGE_PRIORITY)
def priority_edit(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    priority = services.get_priority_for(membership, pk)
    title = priority.title  # the form changes ``priority`` as it validates
    form = PriorityForm(
        posted(request), instance=priority, organisation=membership.organisation
    )
    if request.method == "POST" and form.is_valid():
        try:
            priority = services.update_priority(priority, **form.cleaned_data)
        except VersionConflict:
            form.report_conflict()
        else:
            messages.success(request, f"{priority.title} saved.")
            return redirect("strategy:priorities", slug=slug)
    return _form_page(request, membership, form, {"pk": pk, "title": title})


@page_access(post=CHANGE_PRIORITY)
def priority_delete(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    priority = services.get_priority_for(membership, pk)
    require_delete(
        membership, has_history=priority.has_history(), what="a priority with projects"
    )
    services.delete_priority(priority)
    messages.success(request, f"{priority.title} deleted.")
    return redirect("strategy:priorities", slug=slug)
