"""Assessment rounds, their anonymous links and results, and the action plan.

Every member reads; administrators and the QI team change (permissions.py). Each
page names what each method it serves needs with ``page_access``.
"""

from __future__ import annotations

import csv
import io
from typing import Any, cast
from urllib.parse import quote

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from openqi.core.requests import is_htmx, posted
from openqi.core.versioning import VersionConflict
from openqi.organisations.access import require_delete
from openqi.organisations.models import Membership
from openqi.organisations.permissions import MemberRequest, has, page_access

from . import services
from .definition import DefinitionError
from .forms import (
    ActionFilterForm,
    ActionForm,
    InstrumentImportForm,
    LinkForm,
    RoundForm,
)
from .instruments import export_filename, export_instrument, import_instrument
from .models import AssessmentRound
from .permissions import CHANGE_ASSESSMENTS, VIEW_ASSESSMENTS


def _membership(request: HttpRequest) -> Membership:
    """The member ``page_access`` looked up and checked."""
    return cast(MemberRequest, request).membership


def _context(membership: Membership, **extra: Any) -> dict[str, Any]:
    return {
        "membership": membership,
        "organisation": membership.organisation,
        "can_change": has(membership, CHANGE_ASSESSMENTS),
        **extra,
    }


@page_access(get=VIEW_ASSESSMENTS)
def assessment_list(request: HttpRequest, slug: str) -> HttpResponse:
    membership = _membership(request)
    organisation = membership.organisation
    context = _context(
        membership,
        instruments=services.instruments_for(organisation),
        rounds=services.rounds_for(organisation),
    )
    return render(request, "assessments/list.html", context)


@page_access(get=CHANGE_ASSESSMENTS, post=CHANGE_ASSESSMENTS)
def instrument_import(request: HttpRequest, slug: str) -> HttpResponse:
    """Load an instrument from its definition file; every problem is listed, nothing saved."""
    membership = _membership(request)
    form = InstrumentImportForm(posted(request), request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            instrument = import_instrument(
                membership.organisation, form.cleaned_data["file"]
            )
        except DefinitionError as error:
            problems = list(error.errors)
        else:
            messages.success(request, f"{instrument} loaded.")
            return redirect("assessments:list", slug=slug)
    return render(
        request,
        "assessments/instrument_import.html",
        _context(membership, form=form, problems=problems),
        status=400 if problems else 200,
    )


@page_access(get=VIEW_ASSESSMENTS)
def instrument_format(request: HttpRequest, slug: str) -> HttpResponse:
    """How an instrument's definition file is written: the guidance in docs/assessments.md."""
    membership = _membership(request)
    return render(request, "assessments/instrument_format.html", _context(membership))


@page_access(get=VIEW_ASSESSMENTS)
def instrument_export(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """An instrument's definition as a JSON file (built-ins and the organisation's own)."""
    membership = _membership(request)
    instrument = services.get_instrument_for(membership, pk)
    response = HttpResponse(
        export_instrument(instrument), content_type="application/json"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{export_filename(instrument)}"'
    )
    return response


@page_access(get=CHANGE_ASSESSMENTS, post=CHANGE_ASSESSMENTS)
def round_create(request: HttpRequest, slug: str) -> HttpResponse:
    membership = _membership(request)
    organisation = membership.organisation
    form = RoundForm(posted(request), organisation=organisation)
    if request.method == "POST" and form.is_valid():
        assessment_round = services.create_round(
            organisation, created_by=request.user, **form.cleaned_data
        )
        messages.success(request, f"{assessment_round.title} created as a draft.")
        return redirect("assessments:round_detail", slug=slug, pk=assessment_round.pk)
    return render(
        request, "assessments/round_form.html", _context(membership, form=form)
    )


@page_access(get=VIEW_ASSESSMENTS)
def round_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership = _membership(request)
    assessment_round = services.get_round_for(membership, pk)
    context = _context(
        membership,
        assessment_round=assessment_round,
        units=list(assessment_round.units.order_by("name")),
        link_counts=services.link_counts(assessment_round),
        response_count=assessment_round.responses.count(),
    )
    return render(request, "assessments/round_detail.html", context)


@page_access(post=CHANGE_ASSESSMENTS)
def round_open(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership = _membership(request)
    assessment_round = services.get_round_for(membership, pk)
    if assessment_round.status != AssessmentRound.Status.DRAFT:
        messages.error(request, "Only a draft round can be opened.")
    else:
        services.open_round(assessment_round)
        messages.success(request, f"{assessment_round.title} is open for responses.")
    return redirect("assessments:round_detail", slug=slug, pk=pk)


@page_access(post=CHANGE_ASSESSMENTS)
def round_close(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership = _membership(request)
    assessment_round = services.get_round_for(membership, pk)
    if assessment_round.status != AssessmentRound.Status.OPEN:
        messages.error(request, "Only an open round can be closed.")
    else:
        services.close_round(assessment_round)
        messages.success(request, f"{assessment_round.title} is closed.")
    return redirect("assessments:round_detail", slug=slug, pk=pk)


def _links_csv(request: HttpRequest, tokens: list[str]) -> str:
    """The new links as a CSV file, for a download link on the page itself (the
    tokens exist nowhere else, so there is no second request to fetch them)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["link"])
    for token in tokens:
        writer.writerow([_survey_url(request, token)])
    return "data:text/csv;charset=utf-8," + quote(out.getvalue())


def _survey_url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("survey:answer", kwargs={"token": token}))


@page_access(get=CHANGE_ASSESSMENTS, post=CHANGE_ASSESSMENTS)
def links(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership = _membership(request)
    assessment_round = services.get_round_for(membership, pk)
    form = LinkForm(posted(request), assessment_round=assessment_round)
    new_links: list[str] = []
    csv_href = ""
    if request.method == "POST" and assessment_round.status == (
        AssessmentRound.Status.CLOSED
    ):
        form.add_error(None, "This round is closed: it takes no more responses.")
    elif request.method == "POST" and form.is_valid():
        tokens = services.create_links(assessment_round, **form.cleaned_data)
        new_links = [_survey_url(request, token) for token in tokens]
        csv_href = _links_csv(request, tokens)
        form = LinkForm(assessment_round=assessment_round)
    context = _context(
        membership,
        assessment_round=assessment_round,
        form=form,
        new_links=new_links,
        csv_href=csv_href,
        link_counts=services.link_counts(assessment_round),
    )
    return render(request, "assessments/links.html", context)


@page_access(get=VIEW_ASSESSMENTS)
def results(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership = _membership(request)
    assessment_round = services.get_round_for(membership, pk)
    if not services.results_are_available(assessment_round):
        context = _context(
            membership,
            assessment_round=assessment_round,
            response_count=assessment_round.responses.count(),
        )
        return render(request, "assessments/results_pending.html", context)
    context = _context(
        membership,
        assessment_round=assessment_round,
        results=services.results_for(assessment_round),
    )
    return render(request, "assessments/results.html", context)


@page_access(get=VIEW_ASSESSMENTS)
def actions(request: HttpRequest, slug: str) -> HttpResponse:
    membership = _membership(request)
    filters = ActionFilterForm(request.GET or None)
    context = _context(
        membership,
        filters=filters,
        actions=services.actions_for(membership.organisation, **filters.filters()),
    )
    template = (
        "assessments/_actions.html" if is_htmx(request) else "assessments/actions.html"
    )
    return render(request, template, context)


def _action_page(
    request: HttpRequest, membership: Membership, form: ActionForm, editing: Any
) -> HttpResponse:
    context = _context(membership, form=form, editing=editing)
    return render(request, "assessments/action_form.html", context)


@page_access(get=CHANGE_ASSESSMENTS, post=CHANGE_ASSESSMENTS)
def action_create(request: HttpRequest, slug: str) -> HttpResponse:
    membership = _membership(request)
    organisation = membership.organisation
    initial: dict[str, Any] = {}
    round_pk, section_key = request.GET.get("round", ""), request.GET.get("section", "")
    if round_pk.isdigit() and section_key:
        suggested_from = (
            AssessmentRound.objects.for_organisation(organisation)
            .filter(pk=int(round_pk))
            .first()
        )
        if suggested_from is not None:
            initial = services.suggested_action(suggested_from, section_key)
    form = ActionForm(posted(request), initial=initial, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        action = services.save_action(form.save(commit=False))
        messages.success(request, f"{action.title} added to the action plan.")
        return redirect("assessments:actions", slug=slug)
    return _action_page(request, membership, form, None)


@page_access(get=CHANGE_ASSESSMENTS, post=CHANGE_ASSESSMENTS)
def action_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership = _membership(request)
    organisation = membership.organisation
    action = services.get_action_for(membership, pk)
    title = action.title  # the form changes ``action`` as it validates
    form = ActionForm(posted(request), instance=action, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            action = services.save_action(form.save(commit=False))
        except VersionConflict:
            form.report_conflict()
        else:
            messages.success(request, f"{action.title} saved.")
            return redirect("assessments:actions", slug=slug)
    return _action_page(request, membership, form, {"pk": pk, "title": title})


@page_access(post=CHANGE_ASSESSMENTS)
def action_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership = _membership(request)
    action = services.get_action_for(membership, pk)
    require_delete(membership, has_history=action.has_history(), what="this action")
    services.delete_action(action)
    messages.success(request, f"{action.title} deleted from the action plan.")
    return redirect("assessments:actions", slug=slug)
