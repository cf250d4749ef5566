"""The six-step journey: where the organisation stands, each step's milestones and
evidence. Every member reads; the QI team and administrators change it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from openqi.core.requests import posted
from openqi.core.versioning import VersionConflict
from openqi.organisations.access import require_delete
from openqi.organisations.models import Membership
from openqi.organisations.permissions import MemberRequest, has, page_access

from . import services
from .forms import EvidenceForm, MilestoneForm, StepForm
from .models import STEPS, JourneyStep, Milestone
from .permissions import CHANGE_JOURNEY, VIEW_JOURNEY


def _base(membership: Membership, **extra: Any) -> dict[str, Any]:
    organisation = membership.organisation
    return {
        "membership": membership,
        "organisation": organisation,
        # The pages link to steps and milestones by ids added to the journey's URL
        # (urls.py): built once, not reversed for every step and milestone.
        "journey_url": reverse("journey:overview", kwargs={"slug": organisation.slug}),
        "can_change": has(membership, CHANGE_JOURNEY),
        **extra,
    }


def _to_step(step: JourneyStep) -> HttpResponse:
    return redirect("journey:step", slug=step.organisation.slug, number=step.number)


@page_access(get=VIEW_JOURNEY)
def overview(request: MemberRequest, slug: str) -> HttpResponse:
    membership = request.membership
    steps = services.steps_for(membership.organisation, with_items=True)
    today = timezone.localdate()
    views = services.step_views(membership.organisation, steps, today)
    current = services.current_step(steps)
    current_view = views[current.number - 1]
    context = _base(
        membership,
        views=views,
        current=current,
        next_name=STEPS[current.number + 1][0] if current.number < len(STEPS) else "",
        missing=services.missing_for_next(current_view),
    )
    return render(request, "journey/overview.html", context)


@page_access(get=VIEW_JOURNEY, post=CHANGE_JOURNEY)
def step(request: MemberRequest, slug: str, number: int) -> HttpResponse:
    """The step's page; the QI team changes its status and notes here."""
    membership = request.membership
    journey_step = services.get_step_for(membership, number)
    form = StepForm(posted(request), instance=journey_step)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_step(journey_step, **form.cleaned_data)
        except VersionConflict:
            form.report_conflict()
        else:
            messages.success(request, f"Step {number} saved.")
            return _to_step(journey_step)
    if form.is_bound:
        journey_step.refresh_from_db()  # the invalid form changed the instance
    context = _base(
        membership,
        view=services.step_view(journey_step),
        form=form,
        next_status=services.NEXT_STATUS.get(JourneyStep.Status(journey_step.status)),
    )
    return render(request, "journey/step.html", context)


@page_access(post=CHANGE_JOURNEY)
def step_advance(request: MemberRequest, slug: str, number: int) -> HttpResponse:
    membership = request.membership
    journey_step = services.get_step_for(membership, number)
    if not services.advance_step(journey_step):
        messages.info(request, f"Step {number} is already established.")
        return _to_step(journey_step)
    view = services.step_view(journey_step)
    supporting = [item.label for item in view.automatic if item.is_met]
    supporting += [evidence.title for evidence in view.evidence]
    status = journey_step.get_status_display().lower()
    if supporting:
        summary = "Evidence: " + "; ".join(supporting) + "."
    else:
        summary = "No evidence supports it yet: add some below."
    messages.success(request, f"Step {number} is now {status}. {summary}")
    return _to_step(journey_step)


def _milestone_page(
    request: HttpRequest,
    membership: Membership,
    journey_step: JourneyStep,
    form: MilestoneForm,
    editing: Milestone | None,
) -> HttpResponse:
    context = _base(membership, step=journey_step, form=form, editing=editing)
    return render(request, "journey/milestone_form.html", context)


@page_access(get=CHANGE_JOURNEY, post=CHANGE_JOURNEY)
def milestone_add(request: MemberRequest, slug: str, number: int) -> HttpResponse:
    membership = request.membership
    journey_step = services.get_step_for(membership, number)
    form = MilestoneForm(posted(request))
    if request.method == "POST" and form.is_valid():
        milestone = services.add_milestone(journey_step, **form.cleaned_data)
        messages.success(request, f"Milestone {milestone.title} added.")
        return _to_step(journey_step)
    return _milestone_page(request, membership, journey_step, form, None)


@page_access(get=CHANGE_JOURNEY, post=CHANGE_JOURNEY)
def milestone_edit(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    """Change a milestone, or mark it done (its done date)."""
    membership = request.membership
    milestone = services.get_milestone_for(membership, pk)
    form = MilestoneForm(posted(request), instance=milestone)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_milestone(milestone, **form.cleaned_data)
        except VersionConflict:
            form.report_conflict()
        else:
            messages.success(request, f"Milestone {milestone.title} saved.")
            return _to_step(milestone.step)
    saved = services.get_milestone_for(membership, pk)
    return _milestone_page(request, membership, saved.step, form, saved)


@page_access(post=CHANGE_JOURNEY)
def milestone_delete(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    milestone = services.get_milestone_for(membership, pk)
    require_delete(
        membership, has_history=milestone.has_history(), what="this milestone"
    )
    milestone.delete()
    messages.success(request, f"Milestone {milestone.title} deleted.")
    return _to_step(milestone.step)


@page_access(get=CHANGE_JOURNEY, post=CHANGE_JOURNEY)
def evidence_add(request: MemberRequest, slug: str, number: int) -> HttpResponse:
    membership = request.membership
    journey_step = services.get_step_for(membership, number)
    form = EvidenceForm(posted(request))
    if request.method == "POST" and form.is_valid():
        evidence = services.add_evidence(
            journey_step, added_by=request.user, **form.cleaned_data
        )
        messages.success(request, f"Evidence {evidence.title} added.")
        return _to_step(journey_step)
    context = _base(membership, step=journey_step, form=form)
    return render(request, "journey/evidence_form.html", context)


@page_access(post=CHANGE_JOURNEY)
def evidence_delete(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    evidence = services.get_evidence_for(membership, pk)
    # Evidence has no history of its own: it is the record (the audit trail keeps it).
    require_delete(membership, has_history=False, what="this evidence")
    evidence.delete()
    messages.success(request, f"Evidence {evidence.title} deleted.")
    return _to_step(evidence.step)
