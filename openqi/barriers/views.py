"""The barrier log: the list, raising and changing barriers, and the improvement
forum's view of open barriers. Members who may edit raise and change barriers;
viewers read; the QI team and administrators delete."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from openqi.core.requests import is_htmx, posted
from openqi.core.versioning import VersionConflict
from openqi.organisations.access import require_delete
from openqi.organisations.models import Membership
from openqi.organisations.permissions import MemberRequest, has, page_access

from . import services
from .forms import BarrierForm, BarrierSearchForm, EscalateForm
from .permissions import CHANGE_BARRIER, DELETE_BARRIER, VIEW_BARRIERS


def _base(membership: Membership, **extra: Any) -> dict[str, Any]:
    return {
        "membership": membership,
        "organisation": membership.organisation,
        "can_edit": has(membership, CHANGE_BARRIER),
        "can_delete": has(membership, DELETE_BARRIER),
        **extra,
    }


@page_access(get=VIEW_BARRIERS)
def barrier_list(request: MemberRequest, slug: str) -> HttpResponse:
    membership = request.membership
    form = BarrierSearchForm(request.GET or None, organisation=membership.organisation)
    filters = form.cleaned_data if form.is_valid() else {}
    barriers = services.search_barriers(membership.organisation, **filters)
    context = _base(
        membership,
        form=form,
        barriers=barriers,
        is_filtered=bool(filters and any(filters.values())),
    )
    if is_htmx(request):
        return render(request, "barriers/_list.html", context)
    return render(request, "barriers/list.html", context)


@page_access(get=CHANGE_BARRIER, post=CHANGE_BARRIER)
def barrier_create(request: MemberRequest, slug: str) -> HttpResponse:
    membership = request.membership
    form = BarrierForm(posted(request), organisation=membership.organisation)
    if request.method == "POST" and form.is_valid():
        barrier = services.save_barrier(form.instance, **form.cleaned_data)
        messages.success(request, f"Barrier {barrier.title} raised.")
        return redirect("barriers:detail", slug=slug, pk=barrier.pk)
    return render(
        request, "barriers/form.html", _base(membership, form=form, editing=None)
    )


@page_access(get=VIEW_BARRIERS)
def barrier_detail(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    barrier = services.get_barrier_for(membership, pk)
    context = _base(membership, barrier=barrier, projects=barrier.projects.all())
    return render(request, "barriers/detail.html", context)


@page_access(get=CHANGE_BARRIER, post=CHANGE_BARRIER)
def barrier_edit(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    barrier = services.get_barrier_for(membership, pk)
    form = BarrierForm(
        posted(request), instance=barrier, organisation=membership.organisation
    )
    if request.method == "POST" and form.is_valid():
        try:
            barrier = services.save_barrier(barrier, **form.cleaned_data)
        except VersionConflict:
            form.report_conflict()
        else:
            messages.success(request, f"Barrier {barrier.title} saved.")
            return redirect("barriers:detail", slug=slug, pk=barrier.pk)
    saved = services.get_barrier_for(
        membership, pk
    )  # the invalid form changed ``barrier``
    return render(
        request, "barriers/form.html", _base(membership, form=form, editing=saved)
    )


@page_access(post=DELETE_BARRIER)
def barrier_delete(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    barrier = services.get_barrier_for(membership, pk)
    require_delete(membership, has_history=barrier.has_history(), what="this barrier")
    barrier.delete()
    messages.success(request, f"Barrier {barrier.title} deleted.")
    return redirect("barriers:list", slug=slug)


@page_access(get=VIEW_BARRIERS)
def forum(request: MemberRequest, slug: str) -> HttpResponse:
    membership = request.membership
    groups = services.forum(membership.organisation)
    context = _base(
        membership, groups=groups, open_count=sum(len(g.rows) for g in groups)
    )
    return render(request, "barriers/forum.html", context)


@page_access(post=CHANGE_BARRIER)
def escalate(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    """Flag a barrier for the board report, or take the flag off (the forum's toggle)."""
    membership = request.membership
    barrier = services.get_barrier_for(membership, pk)
    form = EscalateForm(request.POST)
    form.is_valid()  # a BooleanField that is not required cannot fail
    services.set_escalation(barrier, form.cleaned_data["escalate"])
    if is_htmx(request):
        # The toggle keeps focus and says what it did (core/updates.js).
        context = _base(membership, barrier=barrier, toggled=True)
        return render(request, "barriers/_escalate.html", context)
    if barrier.escalate_to_board:
        messages.success(request, f"{barrier.title} is flagged for the board report.")
    else:
        messages.success(
            request, f"{barrier.title} is no longer flagged for the board."
        )
    return redirect(f"{reverse('barriers:forum', kwargs={'slug': slug})}#barrier-{pk}")
