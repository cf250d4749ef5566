"""The sustainability pages: a project's checks (open one, the score over time,
held gain), one check (the team's score, spread, weakest factors and actions),
rating it, and the portfolio's projects by score. Every member reads; the QI
team or the project's lead opens checks and adds actions; the project's team
rates."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from openqi.core.paging import page_of, pager
from openqi.core.versioning import VersionConflict
from openqi.organisations.models import Membership
from openqi.organisations.permissions import MemberRequest, has, page_access, require
from openqi.projects.models import Project
from openqi.projects.services import get_project_for

from . import charts, services
from .builtin import FACTORS, GROUPS
from .forms import ActionForm, ActionStatusForm, OpenCheckForm, RatingForm
from .models import SustainabilityCheck
from .permissions import (
    MANAGE_CHECK,
    MANAGE_CHECK_OF,
    RATE,
    RATE_PROJECT,
    VIEW_SUSTAINABILITY,
)


def _project_context(membership: Membership, project: Project) -> dict[str, Any]:
    """What a project's sustainability page and its checks' pages show beside them."""
    checks = services.checks_of(project)
    history = services.history(checks)
    scored = [(p.opened_on, p.score) for p in history if p.score is not None]
    return {
        "membership": membership,
        "organisation": membership.organisation,
        "project": project,
        "checks": checks,
        "history": history,
        "history_svg": charts.history_svg(scored, "score-history") if scored else "",
        "held": services.held_gain(project),
        "refusal": services.stage_refusal(project),
        "can_open": has(membership, MANAGE_CHECK_OF, project),
    }


@page_access(get=VIEW_SUSTAINABILITY)
def project_checks(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    project = get_project_for(membership, pk)
    context = _project_context(membership, project)
    context["form"] = OpenCheckForm(initial={"opened_on": timezone.localdate()})
    return render(request, "sustainability/project.html", context)


@page_access(post=MANAGE_CHECK)
def open_check(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    project = get_project_for(membership, pk)
    require(membership, MANAGE_CHECK_OF, project)
    form = OpenCheckForm(request.POST)
    if form.is_valid():
        try:
            check = services.open_check(
                project,
                opened_on=form.cleaned_data["opened_on"],
                opened_by=membership.user,
            )
        except services.NotCheckable as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request, "Sustainability check opened: the team can rate it now."
            )
            return redirect("sustainability:check", slug=slug, pk=check.pk)
    context = _project_context(membership, project)
    context["form"] = form
    return render(request, "sustainability/project.html", context)


def _check_context(
    membership: Membership, check: SustainabilityCheck
) -> dict[str, Any]:
    project = check.project
    score = services.score_of(check)
    actions = services.actions_of(check)
    planned = {a.factor for a in actions}
    can_rate = has(membership, RATE_PROJECT, project)
    return {
        **_project_context(membership, project),
        "check": check,
        "score": score,
        "groups": [
            (label, [f for f in score.factors if f.group == key])
            for key, label in GROUPS.items()
        ],
        "spread_svg": charts.spread_svg(score.factors, "factor-spread"),
        "actions": actions,
        "planned": planned,
        "can_rate": can_rate,
        "has_rated": can_rate and bool(services.ratings_by(check, membership.user_id)),
    }


@page_access(get=VIEW_SUSTAINABILITY)
def check_detail(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    check = services.get_check_for(membership, pk)
    return render(
        request, "sustainability/check.html", _check_context(membership, check)
    )


@page_access(get=RATE, post=RATE)
def rate(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    check = services.get_check_for(membership, pk)
    require(membership, RATE_PROJECT, check.project)
    if request.method == "POST":
        form = RatingForm(request.POST)
        if form.is_valid():
            services.save_ratings(check, membership.user_id, form.scores())
            messages.success(request, "Your ratings are saved.")
            return redirect("sustainability:check", slug=slug, pk=check.pk)
    else:
        given = services.ratings_by(check, membership.user_id)
        form = RatingForm(initial={k: str(v) for k, v in given.items()})
    groups = [
        (label, [form[f.key] for f in FACTORS if f.group == key])
        for key, label in GROUPS.items()
    ]
    context = {
        "membership": membership,
        "organisation": membership.organisation,
        "project": check.project,
        "check": check,
        "form": form,
        "groups": groups,
        "titles": {f.key: f.title for f in FACTORS},
    }
    return render(request, "sustainability/rate.html", context)


@page_access(post=MANAGE_CHECK)
def add_action(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    check = services.get_check_for(membership, pk)
    require(membership, MANAGE_CHECK_OF, check.project)
    form = ActionForm(request.POST)
    if form.is_valid():
        action = services.add_action(check, form.cleaned_data["factor"])
        messages.success(request, f"Added to the action plan: {action.title}")
    else:
        messages.error(request, " ".join(str(m) for m in form.errors.get("factor", [])))
    return redirect("sustainability:check", slug=slug, pk=check.pk)


@page_access(post=MANAGE_CHECK)
def action_status(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    """Mark an action on a check done, or not started again."""
    membership = request.membership
    action = services.get_action_for(membership, pk)
    check = action.sustainability_check
    require(membership, MANAGE_CHECK_OF, check.project)
    form = ActionStatusForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, " ".join(str(m) for ms in form.errors.values() for m in ms)
        )
    else:
        try:
            services.set_action_status(
                action, form.cleaned_data["status"], form.cleaned_data["version"]
            )
        except VersionConflict:
            messages.error(
                request,
                "Someone changed this action after you loaded the page; "
                "its status now is shown below. Change it again if you still need to.",
            )
        else:
            messages.success(
                request, f"{action.title}: {action.get_status_display().lower()}."
            )
    return redirect(
        f"{reverse('sustainability:check', kwargs={'slug': slug, 'pk': check.pk})}#actions"
    )


@page_access(get=VIEW_SUSTAINABILITY)
def portfolio(request: MemberRequest, slug: str) -> HttpResponse:
    membership = request.membership
    rows = services.portfolio(membership.organisation)
    page = page_of(request, rows)
    context = {
        "membership": membership,
        "organisation": membership.organisation,
        "rows": rows,
        "page": page,
        "pager": pager(request, page, "page", "sustaining-caption"),
        "checked": sum(1 for r in rows if r.check_id is not None),
    }
    return render(request, "sustainability/portfolio.html", context)
