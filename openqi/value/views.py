"""The value pages: a project's benefits (and the realised change of its measures'
phase breaks), the organisation's investment and turnover, and the programme's
return. Every member reads them; a project's lead, the QI team and administrators
record its benefits; administrators and the QI team record investment and turnover."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from openqi.core.requests import posted
from openqi.core.versioning import VersionConflict
from openqi.organisations.models import Membership
from openqi.organisations.permissions import MemberRequest, has, page_access, require
from openqi.projects.models import Project
from openqi.projects.services import get_project_for

from . import services
from .chart import number, pounds, return_svg
from .forms import BenefitForm, InvestmentForm, TurnoverForm
from .models import MONEY_DOMAINS, Benefit, Domain, Investment
from .permissions import (
    RECORD_BENEFITS,
    RECORD_INVESTMENT,
    RECORD_PROJECT_BENEFITS,
    VIEW_VALUE,
)
from .returns import SCENARIOS, year_label


def _base(membership: Membership, **extra: Any) -> dict[str, Any]:
    return {
        "membership": membership,
        "organisation": membership.organisation,
        "pounds": pounds,
        "number": number,
        "year_label": year_label,
        **extra,
    }


def _benefit_context(
    membership: Membership, project: Project, **extra: Any
) -> dict[str, Any]:
    return _base(
        membership,
        project=project,
        can_record=has(membership, RECORD_PROJECT_BENEFITS, project),
        money_domains=sorted(MONEY_DOMAINS),
        **extra,
    )


# A project's benefits -------------------------------------------------------------


@page_access(get=VIEW_VALUE)
def benefits(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    project = get_project_for(membership, pk)
    rows = list(services.benefits_of(project))
    programme = services.programme(membership.organisation)
    context = _benefit_context(
        membership,
        project,
        expected=[b for b in rows if b.kind == Benefit.Kind.EXPECTED],
        realised=[b for b in rows if b.kind == Benefit.Kind.REALISED],
        shared=programme.shared,
        changes=services.phase_changes(project),
        # Phase breaks already recorded as a realised benefit of this project.
        recorded={
            (b.measure_id, b.phase_began) for b in rows if b.phase_began is not None
        },
    )
    return render(request, "value/benefits.html", context)


def _from_phase_break(project: Project, request: HttpRequest) -> dict[str, Any]:
    """A new benefit's starting values from a measure's phase break (?measure=<id>)."""
    try:
        measure_id = int(request.GET.get("measure", ""))
    except ValueError:
        return {}
    measure = services.linked_measures(project).filter(pk=measure_id).first()
    if measure is None:
        return {}
    change = services.phase_change(measure)
    initial = services.benefit_from_change(measure, change)
    if initial is None:
        return {}
    if initial["quantity"] is not None:
        initial["quantity"] = number(initial["quantity"])
    initial |= {
        "kind": Benefit.Kind.REALISED,
        "confidence": Benefit.Confidence.MEDIUM,
    }
    return {"change": change, "initial": initial}


@page_access(get=RECORD_BENEFITS, post=RECORD_BENEFITS)
def benefit_create(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    project = get_project_for(membership, pk)
    require(membership, RECORD_PROJECT_BENEFITS, project)
    offered = _from_phase_break(project, request) if request.method == "GET" else {}
    form = BenefitForm(posted(request), project=project, initial=offered.get("initial"))
    if request.method == "POST" and form.is_valid():
        benefit = services.save_benefit(
            form.instance, recorded_by=membership.user, **form.cleaned_data
        )
        messages.success(request, f"Benefit {benefit.title} recorded.")
        return redirect("value:benefits", slug=slug, pk=project.pk)
    context = _benefit_context(
        membership, project, form=form, editing=None, change=offered.get("change")
    )
    return render(request, "value/benefit_form.html", context)


@page_access(get=RECORD_BENEFITS, post=RECORD_BENEFITS)
def benefit_edit(
    request: MemberRequest, slug: str, pk: int, benefit_pk: int
) -> HttpResponse:
    membership = request.membership
    project = get_project_for(membership, pk)
    require(membership, RECORD_PROJECT_BENEFITS, project)
    benefit = services.get_benefit_for(membership, project, benefit_pk)
    form = BenefitForm(posted(request), instance=benefit, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            benefit = services.save_benefit(benefit, **form.cleaned_data)
        except VersionConflict:
            form.report_conflict()
        else:
            messages.success(request, f"Benefit {benefit.title} saved.")
            return redirect("value:benefits", slug=slug, pk=project.pk)
    saved = services.get_benefit_for(membership, project, benefit_pk)
    context = _benefit_context(
        membership, project, form=form, editing=saved, change=None
    )
    return render(request, "value/benefit_form.html", context)


@page_access(post=RECORD_BENEFITS)
def benefit_delete(
    request: MemberRequest, slug: str, pk: int, benefit_pk: int
) -> HttpResponse:
    membership = request.membership
    project = get_project_for(membership, pk)
    require(membership, RECORD_PROJECT_BENEFITS, project)
    benefit = services.get_benefit_for(membership, project, benefit_pk)
    services.delete_benefit(benefit)
    messages.success(request, f"Benefit {benefit.title} deleted.")
    return redirect("value:benefits", slug=slug, pk=project.pk)


# Investment and turnover ------------------------------------------------------------


def _investment_page(
    request: MemberRequest,
    *,
    form: InvestmentForm | None = None,
    turnover_form: TurnoverForm | None = None,
) -> HttpResponse:
    membership = request.membership
    organisation = membership.organisation
    can_record = has(membership, RECORD_INVESTMENT)
    if can_record:
        form = form or InvestmentForm(organisation=organisation)
        turnover_form = turnover_form or TurnoverForm()
    investments = list(services.investments_for(organisation))
    years: dict[int, list[Investment]] = {}
    for investment in investments:
        years.setdefault(investment.year, []).append(investment)
    context = _base(
        membership,
        can_record=can_record,
        form=form,
        turnover_form=turnover_form,
        years=sorted(years.items()),
        turnovers=list(services.turnovers_for(organisation)),
    )
    return render(request, "value/investment.html", context)


@page_access(get=VIEW_VALUE)
def investment(request: MemberRequest, slug: str) -> HttpResponse:
    return _investment_page(request)


@page_access(post=RECORD_INVESTMENT)
def investment_create(request: MemberRequest, slug: str) -> HttpResponse:
    organisation = request.membership.organisation
    form = InvestmentForm(request.POST, organisation=organisation)
    if form.is_valid():
        saved = services.save_investment(form.instance, **form.cleaned_data)
        messages.success(
            request, f"Investment {saved} of {pounds(saved.amount)} recorded."
        )
        return redirect("value:investment", slug=slug)
    return _investment_page(request, form=form)


@page_access(post=RECORD_INVESTMENT)
def investment_delete(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    investment = services.get_investment_for(request.membership, pk)
    services.delete_investment(investment)
    messages.success(request, f"Investment {investment} deleted.")
    return redirect("value:investment", slug=slug)


@page_access(post=RECORD_INVESTMENT)
def turnover_save(request: MemberRequest, slug: str) -> HttpResponse:
    organisation = request.membership.organisation
    form = TurnoverForm(request.POST)
    if form.is_valid():
        saved = services.save_turnover(organisation, **form.cleaned_data)
        messages.success(request, f"{saved} of {pounds(saved.amount)} saved.")
        return redirect("value:investment", slug=slug)
    return _investment_page(request, turnover_form=form)


# The programme -----------------------------------------------------------------------


@page_access(get=VIEW_VALUE)
def programme(request: MemberRequest, slug: str) -> HttpResponse:
    membership = request.membership
    found = services.programme(membership.organisation)
    context = _base(
        membership,
        programme=found,
        result=found.result,
        scenarios=SCENARIOS,
        chart=return_svg(found.result) if found.result.rows else None,
        can_record=has(membership, RECORD_INVESTMENT),
        domains=Domain,
    )
    return render(request, "value/programme.html", context)
