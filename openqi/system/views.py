"""The system's portfolio (for people with a role in the system organisation) and
each member's page of what it shares with its system."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from openqi.core.paging import page_of, pager
from openqi.core.requests import posted
from openqi.core.versioning import VersionConflict
from openqi.organisations.access import memberships_of
from openqi.organisations.permissions import MemberRequest, has, page_access

from . import services
from .forms import ProjectFilterForm, SharingForm
from .permissions import CHANGE_SHARING, VIEW_SHARING, VIEW_SYSTEM_PORTFOLIO
from .suppression import SUPPRESSED_TEXT


def _heat(count: int, largest: int) -> int:
    """A shade 0 (none) to 4 (the largest count) for a heatmap cell."""
    if not count or not largest:
        return 0
    return max(1, min(4, round(4 * count / largest)))


def _common(request: MemberRequest, **extra: Any) -> dict[str, Any]:
    return {
        "membership": request.membership,
        "organisation": request.membership.organisation,
        "suppressed_text": SUPPRESSED_TEXT,
        "heat": _heat,
        "may_open": services.visible_member_slugs(memberships_of(request.user)),
        **extra,
    }


@page_access(get=VIEW_SYSTEM_PORTFOLIO)
def portfolio(request: MemberRequest, slug: str) -> HttpResponse:
    found = services.portfolio_for(request.membership)
    context = _common(
        request,
        portfolio=found,
        by_status=found.by_status(),
        by_rating=found.by_rating(),
        by_priority=found.by_priority(),
        capability=found.capability(),
        readiness=found.readiness(),
    )
    return render(request, "system/portfolio.html", context)


@page_access(get=VIEW_SYSTEM_PORTFOLIO)
def projects(request: MemberRequest, slug: str) -> HttpResponse:
    found = services.portfolio_for(request.membership, publications=False, own=False)
    rows = found.projects()
    members = [(m.slug, m.name) for m in found.sharing_portfolio]
    priorities = sorted({t for _, p in rows for t in p.priorities})
    form = ProjectFilterForm(
        request.GET if request.GET else None, members=members, priorities=priorities
    )
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    if member := filters.get("member"):
        rows = [(m, p) for m, p in rows if m.slug == member]
    if status := filters.get("status"):
        rows = [(m, p) for m, p in rows if p.status == status]
    if rating := filters.get("rating"):
        wanted = None if rating == "none" else Decimal(rating)
        rows = [(m, p) for m, p in rows if p.rating == wanted]
    if priority := filters.get("priority"):
        rows = [(m, p) for m, p in rows if priority in p.priorities]
    page = page_of(request, rows)
    context = _common(
        request,
        form=form,
        page=page,
        pagination=pager(request, page, "page", "shared-projects"),
        count=len(rows),
        is_filtered=bool(filters and any(filters.values())),
    )
    return render(request, "system/projects.html", context)


@page_access(get=VIEW_SHARING, post=CHANGE_SHARING)
def sharing(request: MemberRequest, slug: str) -> HttpResponse:
    membership = request.membership
    organisation = membership.organisation
    context: dict[str, Any] = {
        "membership": membership,
        "organisation": organisation,
        "can_change": has(membership, CHANGE_SHARING),
    }
    try:
        current = services.sharing_for(organisation)
    except services.NotInSystem as error:
        context["not_in_system"] = str(error)
        return render(request, "system/sharing.html", context)
    form = SharingForm(posted(request), instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_sharing(
                organisation,
                portfolio=form.cleaned_data["portfolio"],
                capability=form.cleaned_data["capability"],
                readiness=form.cleaned_data["readiness"],
                version=form.sent_version,
            )
        except VersionConflict:
            form.report_conflict()
        else:
            parts = services.shared_parts(saved)
            what = ", ".join(parts).lower() if parts else "nothing"
            messages.success(
                request,
                f"Saved: {organisation.name} shares {what} with {saved.system.name}.",
            )
            return redirect("system:sharing", slug=slug)
    saved_now = services.sharing_for(organisation)
    context.update(
        form=form,
        system=saved_now.system,
        sharing=saved_now,
        shared=services.shared_parts(saved_now),
    )
    return render(request, "system/sharing.html", context)
