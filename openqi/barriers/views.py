"""The barrier log: the list, raising and changing barriers, and the improvement
forum's view of open barriers. Members who may edit raise and change barriers;
viewers read; the QI team and administrators delete."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from openqi.core.versioning import VersionConflict
from openqi.organisations.access import membership_for, require_delete, require_edit
from openqi.organisations.models import Membership
from openqi.strategy.services import is_qi, require_qi

from . import services
from .forms import BarrierForm, BarrierSearchForm, EscalateForm
from .models import Barrier


def _is_htmx(request: HttpRequest) -> bool:
    return bool(request.headers.get("HX-Request"))


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _base(membership: Membership, **extra: Any) -> dict[str, Any]:
    return {
        "membership": membership,
        "organisation": membership.organisation,
        "can_edit": membership.can_edit,
        "can_delete": is_qi(membership),
        **extra,
    }


def _barrier(membership: Membership, pk: int) -> Barrier:
    return get_object_or_404(services.barriers_for(membership.organisation), pk=pk)


@login_required
def barrier_list(request: HttpRequest, slug: str) -> HttpResponse:
    membership = membership_for(request.user, slug)
    form = BarrierSearchForm(request.GET or None, organisation=membership.organisation)
    filters = form.cleaned_data if form.is_valid() else {}
    barriers = services.search_barriers(membership.organisation, **filters)
    context = _base(
        membership,
        form=form,
        barriers=barriers,
        is_filtered=bool(filters and any(filters.values())),
    )
    if _is_htmx(request):
        return render(request, "barriers/_list.html", context)
    return render(request, "barriers/list.html", context)


@login_required
def barrier_create(request: HttpRequest, slug: str) -> HttpResponse:
    membership = membership_for(request.user, slug)
    require_edit(membership)
    form = BarrierForm(_posted(request), organisation=membership.organisation)
    if request.method == "POST" and form.is_valid():
        barrier = services.save_barrier(form.instance, **form.cleaned_data)
        messages.success(request, f"Barrier {barrier.title} raised.")
        return redirect("barriers:detail", slug=slug, pk=barrier.pk)
    return render(
        request, "barriers/form.html", _base(membership, form=form, editing=None)
    )


@login_required
def barrier_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership = membership_for(request.user, slug)
    barrier = _barrier(membership, pk)
    context = _base(membership, barrier=barrier, projects=barrier.projects.all())
    return render(request, "barriers/detail.html", context)


@login_required
def barrier_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership = membership_for(request.user, slug)
    require_edit(membership)
    barrier = _barrier(membership, pk)
    form = BarrierForm(
        _posted(request), instance=barrier, organisation=membership.organisation
    )
    if request.method == "POST" and form.is_valid():
        try:
            barrier = services.save_barrier(barrier, **form.cleaned_data)
        except VersionConflict:
            form.report_conflict()
        else:
            messages.success(request, f"Barrier {barrier.title} saved.")
            return redirect("barriers:detail", slug=slug, pk=barrier.pk)
    saved = _barrier(membership, pk)  # the invalid form changed ``barrier``
    return render(
        request, "barriers/form.html", _base(membership, form=form, editing=saved)
    )


@login_required
@require_POST
def barrier_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership = membership_for(request.user, slug)
    require_qi(membership)
    barrier = _barrier(membership, pk)
    require_delete(membership, has_history=barrier.has_history(), what="this barrier")
    barrier.delete()
    messages.success(request, f"Barrier {barrier.title} deleted.")
    return redirect("barriers:list", slug=slug)


@login_required
def forum(request: HttpRequest, slug: str) -> HttpResponse:
    membership = membership_for(request.user, slug)
    groups = services.forum(membership.organisation)
    context = _base(
        membership, groups=groups, open_count=sum(len(g.rows) for g in groups)
    )
    return render(request, "barriers/forum.html", context)


@login_required
@require_POST
def escalate(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Flag a barrier for the board report, or take the flag off (the forum's toggle)."""
    membership = membership_for(request.user, slug)
    require_edit(membership)
    barrier = _barrier(membership, pk)
    form = EscalateForm(request.POST)
    form.is_valid()  # a BooleanField that is not required cannot fail
    services.set_escalation(barrier, form.cleaned_data["escalate"])
    if _is_htmx(request):
        context = _base(membership, barrier=barrier)
        return render(request, "barriers/_escalate.html", context)
    if barrier.escalate_to_board:
        messages.success(request, f"{barrier.title} is flagged for the board report.")
    else:
        messages.success(
            request, f"{barrier.title} is no longer flagged for the board."
        )
    return redirect(f"{reverse('barriers:forum', kwargs={'slug': slug})}#barrier-{pk}")
