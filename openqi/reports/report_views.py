"""The board report pages: the list of reports, composing a draft (month, headings,
measures found by search), the owners' commentary, the preview, publishing with a
confirmation, and the published report, read from its snapshot alone.

Every member reads published reports; administrators and the QI team compose and
publish; a measure's owner (and the QI team) writes its commentary in a draft.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from markupsafe import Markup

from openqi.core.requests import is_htmx, posted
from openqi.core.versioning import VersionConflict
from openqi.measures.summaries import briefs_for
from openqi.organisations.models import Membership
from openqi.organisations.permissions import MemberRequest, has, page_access, require

from . import services
from .forms import (
    CommentaryForm,
    EntryForm,
    PublishForm,
    ReportForm,
    SearchForm,
    headings_text,
)
from .models import BoardReport, ReportIsPublished
from .permissions import (
    COMPOSE_REPORT,
    EDIT_COMMENTARY,
    VIEW_REPORTS,
    WRITE_COMMENTARY,
)
from .rendering import report_body
from .snapshots import preview_snapshot


def _base(membership: Membership, **extra: Any) -> dict[str, Any]:
    return {
        "membership": membership,
        "organisation": membership.organisation,
        "can_compose": has(membership, COMPOSE_REPORT),
        **extra,
    }


def _to_report(report: BoardReport) -> HttpResponse:
    return redirect("reports:detail", slug=report.organisation.slug, pk=report.pk)


def _pdf_url(report: BoardReport) -> str:
    """The report's PDF download (openqi/reports/pdf_views.py), if it is served."""
    try:
        return reverse(
            "reports:report_pdf",
            kwargs={"slug": report.organisation.slug, "pk": report.pk},
        )
    except NoReverseMatch:
        return ""


def _published(request: HttpRequest, report: BoardReport) -> HttpResponse:
    messages.error(request, str(ReportIsPublished(report)))
    return _to_report(report)


@page_access(get=VIEW_REPORTS)
def report_list(request: MemberRequest, slug: str) -> HttpResponse:
    membership = request.membership
    reports = list(services.reports_for(membership))
    context = _base(
        membership,
        published=[r for r in reports if r.is_published],
        drafts=[r for r in reports if not r.is_published],
    )
    return render(request, "reports/list.html", context)


@page_access(get=COMPOSE_REPORT, post=COMPOSE_REPORT)
def report_create(request: MemberRequest, slug: str) -> HttpResponse:
    membership = request.membership
    organisation = membership.organisation
    today = timezone.localdate()
    initial = {
        "month": today.replace(day=1).isoformat(),
        "title": f"Board quality report, {today:%B %Y}",
        "headings": headings_text(services.default_headings(organisation)),
    }
    form = ReportForm(posted(request), organisation=organisation, initial=initial)
    if request.method == "POST" and form.is_valid():
        report = services.create_report(
            organisation, created_by=request.user, **form.cleaned_data
        )
        messages.success(request, f"{report.title} started. Now choose its measures.")
        return redirect("reports:compose", slug=slug, pk=report.pk)
    return render(
        request, "reports/form.html", _base(membership, form=form, editing=None)
    )


@page_access(get=VIEW_REPORTS)
def report_detail(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    """A published report from its snapshot; a draft's state and what you may do."""
    membership = request.membership
    report = services.get_report_for(membership, pk)
    if report.is_published:
        snapshot = services.snapshot_of(report) or {}
        context = _base(
            membership,
            report=report,
            body=Markup(report_body(snapshot, organisation=membership.organisation)),
            pdf_url=_pdf_url(report),
        )
        return render(request, "reports/detail.html", context)
    context = _base(
        membership,
        report=report,
        owned=services.entries_owned_by(membership, report),
        entry_count=report.entries.count(),
    )
    return render(request, "reports/draft.html", context)


@page_access(get=COMPOSE_REPORT, post=COMPOSE_REPORT)
def report_edit(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    report = services.get_report_for(membership, pk)
    if report.is_published:
        return _published(request, report)
    form = ReportForm(
        posted(request), instance=report, organisation=membership.organisation
    )
    if request.method == "POST" and form.is_valid():
        try:
            report = services.update_report(report, **form.cleaned_data)
        except VersionConflict:
            form.report_conflict()
        else:
            messages.success(request, f"{report.title} saved.")
            return redirect("reports:compose", slug=slug, pk=report.pk)
    saved = services.get_report_for(membership, pk)
    return render(
        request, "reports/form.html", _base(membership, form=form, editing=saved)
    )


def _compose_context(
    membership: Membership, report: BoardReport, search: SearchForm, **extra: Any
) -> dict[str, Any]:
    entries = list(
        report.entries.select_related("measure", "measure__owner", "measure__unit")
    )
    query = search.cleaned_data.get("q", "") if search.is_valid() else ""
    heading = search.cleaned_data.get("heading", "") if search.is_valid() else ""
    results = (
        services.search_measures(
            membership.organisation, query, exclude=[e.measure_id for e in entries]
        )
        if query
        else []
    )
    groups = [(h, [e for e in entries if e.heading == h]) for h in report.headings]
    return _base(
        membership,
        report=report,
        groups=groups,
        entry_count=len(entries),
        search=search,
        query=query,
        heading=heading if heading in report.headings else report.headings[0],
        results=results,
        **extra,
    )


@page_access(get=COMPOSE_REPORT)
def report_compose(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    """The draft's measures under its headings, and the search that adds more
    (``?q=``; htmx swaps the results as the person types)."""
    membership = request.membership
    report = services.get_report_for(membership, pk)
    if report.is_published:
        return _published(request, report)
    search = SearchForm(request.GET)
    context = _compose_context(membership, report, search)
    if is_htmx(request):
        return render(request, "reports/_search_results.html", context)
    return render(request, "reports/compose.html", context)


@page_access(post=COMPOSE_REPORT)
def entry_add(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    report = services.get_report_for(membership, pk)
    if report.is_published:
        return _published(request, report)
    form = EntryForm(request.POST, report=report, organisation=membership.organisation)
    compose = reverse("reports:compose", kwargs={"slug": slug, "pk": pk})
    if form.is_valid():
        measure = form.cleaned_data["measure"]
        heading = form.cleaned_data["heading"]
        try:
            entry = services.add_entry(report, measure, heading)
        except services.TooManyEntries as problem:
            messages.error(request, str(problem))
        else:
            messages.success(request, f"{measure.name} added under {heading}.")
            return redirect(f"{compose}#entry-{entry.pk}")
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect(compose)


@page_access(post=COMPOSE_REPORT)
def entry_remove(
    request: MemberRequest, slug: str, pk: int, entry: int
) -> HttpResponse:
    membership = request.membership
    report = services.get_report_for(membership, pk)
    if report.is_published:
        return _published(request, report)
    found = services.get_entry_for(membership, report, entry)
    services.remove_entry(found)
    messages.success(request, f"{found.measure.name} removed from the report.")
    return redirect("reports:compose", slug=slug, pk=pk)


@page_access(get=WRITE_COMMENTARY, post=WRITE_COMMENTARY)
def entry_commentary(
    request: MemberRequest, slug: str, pk: int, entry: int
) -> HttpResponse:
    membership = request.membership
    report = services.get_report_for(membership, pk, any_draft=True)
    found = services.get_entry_for(membership, report, entry)
    require(membership, EDIT_COMMENTARY, found)
    if report.is_published:
        return _published(request, report)
    form = CommentaryForm(posted(request), instance=found)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_commentary(
                found, form.cleaned_data["commentary"], request.user
            )
        except VersionConflict:
            form.report_conflict()
        else:
            messages.success(request, f"Commentary on {found.measure.name} saved.")
            if has(membership, COMPOSE_REPORT):
                return redirect(
                    f"{reverse('reports:compose', kwargs={'slug': slug, 'pk': pk})}"
                    f"#entry-{found.pk}"
                )
            return _to_report(report)
    brief = briefs_for([found.measure]).get(found.measure_id)
    context = _base(membership, report=report, entry=found, form=form, brief=brief)
    return render(request, "reports/commentary.html", context)


@page_access(get=COMPOSE_REPORT)
def report_preview(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    """The draft as it would be published now (computed once, kept until the data change)."""
    membership = request.membership
    report = services.get_report_for(membership, pk)
    if report.is_published:
        return _to_report(report)
    snapshot = preview_snapshot(report)
    context = _base(
        membership,
        report=report,
        body=Markup(report_body(snapshot, organisation=membership.organisation)),
        is_preview=True,
        pdf_url=_pdf_url(report),
    )
    return render(request, "reports/detail.html", context)


@page_access(get=COMPOSE_REPORT, post=COMPOSE_REPORT)
def report_publish(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    report = services.get_report_for(membership, pk)
    if report.is_published:
        return _published(request, report)
    form = PublishForm(posted(request))
    entry_count = report.entries.count()
    if request.method == "POST" and form.is_valid():
        if entry_count == 0:
            form.add_error(
                None, "Choose at least one measure before publishing the report."
            )
        else:
            services.publish(report, request.user)
            messages.success(
                request,
                f"{report.title} published: it is now fixed as at {report.as_at:%-d %B %Y}.",
            )
            return _to_report(report)
    context = _base(membership, report=report, form=form, entry_count=entry_count)
    return render(request, "reports/publish.html", context)


@page_access(post=COMPOSE_REPORT)
def report_delete(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    report = services.get_report_for(membership, pk)
    if report.is_published:
        return _published(request, report)
    services.delete_draft(report)
    messages.success(request, f"Draft {report.title} deleted.")
    return redirect("reports:list", slug=slug)
