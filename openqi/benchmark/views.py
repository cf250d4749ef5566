"""Benchmark pages: the list, defining a benchmark, its funnel with SPC per
participant, a participant's own chart, reporting a value, adding a participant,
importing values and updating values from linked measures.

Pages read what :func:`services.recompute` stored when the values changed; only a
participant's full chart is drawn on first view after a change, and kept."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django.contrib import messages
from django.db.models import BooleanField, Count, ExpressionWrapper, Max, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from markupsafe import Markup

from openqi.core.paging import page_of, pager
from openqi.core.requests import posted
from openqi.core.versioning import VersionConflict
from openqi.organisations.models import Membership
from openqi.organisations.permissions import MemberRequest, has, page_access

from . import national, services
from .forms import BenchmarkForm, ImportForm, ParticipantForm, ValueForm
from .permissions import CHANGE_BENCHMARK, REPORT_VALUE, VIEW_BENCHMARKS

#: Participants on each page of a benchmark.
PAGE_SIZE = 50


def _base(membership: Membership, **extra: Any) -> dict[str, Any]:
    return {
        "membership": membership,
        "organisation": membership.organisation,
        "can_create": has(membership, CHANGE_BENCHMARK),
        **extra,
    }


@page_access(get=VIEW_BENCHMARKS)
def benchmark_list(request: MemberRequest, slug: str) -> HttpResponse:
    membership = request.membership
    benchmarks = (
        services.benchmarks_for(membership.organisation)
        .annotate(
            taking_part=Count("participants", distinct=True),
            latest=Max("result__period"),
        )
        .order_by("name", "pk")
    )
    return render(
        request, "benchmark/list.html", _base(membership, benchmarks=list(benchmarks))
    )


@page_access(get=CHANGE_BENCHMARK, post=CHANGE_BENCHMARK)
def benchmark_create(request: MemberRequest, slug: str) -> HttpResponse:
    membership = request.membership
    form = BenchmarkForm(posted(request))
    if request.method == "POST" and form.is_valid():
        benchmark = services.create_benchmark(
            membership.organisation, **form.cleaned_data
        )
        messages.success(request, f"Benchmark {benchmark.name} defined.")
        return redirect("benchmark:detail", slug=slug, pk=benchmark.pk)
    return render(request, "benchmark/form.html", _base(membership, form=form))


@page_access(get=CHANGE_BENCHMARK, post=CHANGE_BENCHMARK)
def benchmark_edit(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    """Change a benchmark's definition (its owner's QI team or administrators)."""
    membership = request.membership
    benchmark = services.get_benchmark_for(membership, pk)
    services.require_change(membership, benchmark)
    form = BenchmarkForm(posted(request), instance=benchmark)
    if request.method == "POST" and form.is_valid():
        try:
            benchmark = services.save_benchmark(benchmark, **form.cleaned_data)
        except VersionConflict:
            form.report_conflict()
        else:
            messages.success(request, f"Benchmark {benchmark.name} saved.")
            return redirect("benchmark:detail", slug=slug, pk=benchmark.pk)
    saved = services.get_benchmark_for(membership, pk)  # the form changed ``benchmark``
    return render(
        request, "benchmark/form.html", _base(membership, form=form, editing=saved)
    )


@page_access(get=VIEW_BENCHMARKS)
def benchmark_detail(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    benchmark = services.get_benchmark_for(membership, pk)
    services.kept_up_to_date(benchmark)
    result = services.result_for(benchmark)
    summaries = (
        services.summaries_for(benchmark)
        .only(
            "position", "numerator", "denominator", "value", "lower998", "upper998",
            "outlier", "variation", "n_points", "sparkline_svg", "sparkline_text",
            "icon_svg", "participant__name", "participant__code",
            "participant__organisation_id", "participant__measure_id",
            "participant__benchmark_id",
        )
        # Those with a value for the latest period first (the funnel's), then in order.
        .order_by(
            ExpressionWrapper(Q(value__isnull=True), output_field=BooleanField()),
            "position",
            "pk",
        )
    )  # fmt: skip
    # A QuerySet pages in the database (a count and a slice), as a Paginator allows.
    page = page_of(request, cast(Sequence[Any], summaries), size=PAGE_SIZE)
    outliers = [
        unit
        for unit in (result.funnel.get("units", []) if result else [])
        if unit["outlier"] in ("high", "low")
    ]
    reportable = [
        s.participant for s in page
        if s.participant.organisation_id == membership.organisation_id
        and s.participant.measure_id is None and has(membership, REPORT_VALUE)
    ]  # fmt: skip
    context = _base(
        membership,
        benchmark=benchmark,
        result=result,
        svg=Markup(result.svg) if result and result.svg else None,
        outliers=outliers,
        page=page,
        pager=pager(request, page, "page", "participants"),
        may_change=services.may_change(membership, benchmark),
        own=reportable,
        national_files=national.NATIONAL_FILES,
    )
    return render(request, "benchmark/detail.html", context)


@page_access(get=VIEW_BENCHMARKS)
def participant_detail(
    request: MemberRequest, slug: str, pk: int, participant: int
) -> HttpResponse:
    membership = request.membership
    benchmark = services.get_benchmark_for(membership, pk)
    found = services.get_participant_for(membership, benchmark, participant)
    chart = services.full_chart(benchmark, found)
    summary = services.summary_for(found)
    context = _base(
        membership,
        benchmark=benchmark,
        participant=found,
        summary=summary,
        svg=Markup(chart["svg"]) if chart["svg"] else None,
        warnings=chart["warnings"],
        rows=chart["rows"],
        may_report=services.may_report(membership, found),
    )
    return render(request, "benchmark/participant.html", context)


@page_access(get=REPORT_VALUE, post=REPORT_VALUE)
def value_report(
    request: MemberRequest, slug: str, pk: int, participant: int
) -> HttpResponse:
    membership = request.membership
    benchmark = services.get_benchmark_for(membership, pk)
    found = services.get_participant_for(membership, benchmark, participant)
    services.require_report(membership, found)
    latest = found.values.aggregate(latest=Max("period"))["latest"]
    form = ValueForm(posted(request), benchmark=benchmark)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.report_value(
            found, data["period"], data["numerator"], data["denominator"]
        )
        messages.success(
            request, f"{found.name}'s value for {data['period']:%B %Y} saved."
        )
        return redirect("benchmark:detail", slug=slug, pk=benchmark.pk)
    context = _base(
        membership, benchmark=benchmark, participant=found, form=form, latest=latest
    )
    return render(request, "benchmark/report.html", context)


@page_access(get=CHANGE_BENCHMARK, post=CHANGE_BENCHMARK)
def participant_add(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    benchmark = services.get_benchmark_for(membership, pk)
    services.require_change(membership, benchmark)
    form = ParticipantForm(
        posted(request), benchmark=benchmark, organisation=membership.organisation
    )
    if request.method == "POST" and form.is_valid():
        added = services.add_participant(benchmark, **form.cleaned_data)
        messages.success(request, f"{added.name} added to {benchmark.name}.")
        return redirect("benchmark:detail", slug=slug, pk=benchmark.pk)
    return render(
        request,
        "benchmark/participant_form.html",
        _base(membership, benchmark=benchmark, form=form),
    )


@page_access(get=CHANGE_BENCHMARK, post=CHANGE_BENCHMARK)
def values_import(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    benchmark = services.get_benchmark_for(membership, pk)
    services.require_change(membership, benchmark)
    form = ImportForm(posted(request), request.FILES or None, benchmark=benchmark)
    if request.method == "POST" and form.is_valid():
        count = services.import_values(benchmark, form.rows)
        messages.success(
            request, f"{count:,} value{'' if count == 1 else 's'} imported."
        )
        return redirect("benchmark:detail", slug=slug, pk=benchmark.pk)
    return render(
        request,
        "benchmark/import.html",
        _base(membership, benchmark=benchmark, form=form),
    )


@page_access(post=CHANGE_BENCHMARK)
def from_national(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    """A system benchmark's members' values computed from a national file, each member
    by its national code."""
    membership = request.membership
    benchmark = services.get_benchmark_for(membership, pk)
    services.require_change(membership, benchmark)
    key = str(request.POST.get("file", ""))
    if benchmark.scope != benchmark.Scope.SYSTEM or key not in national.NATIONAL_FILES:
        messages.error(
            request,
            "Choose one of the national files listed; only a system's benchmark takes "
            "its members' values from one.",
        )
        return redirect("benchmark:detail", slug=slug, pk=benchmark.pk)
    done = national.member_values(benchmark, key)
    name = national.NATIONAL_FILES[key].name
    if done.found:
        messages.success(
            request,
            f"Computed {done.written:,} values from {name} for "
            f"{', '.join(done.found)}.",
        )
    if done.missing:
        messages.error(
            request,
            f"Not in {name} by their national code: {', '.join(done.missing)}. Give "
            "each member its ODS code (the organisation's details), or report its "
            "values on the form or by import.",
        )
    return redirect("benchmark:detail", slug=slug, pk=benchmark.pk)


@page_access(post=CHANGE_BENCHMARK)
def refresh(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    benchmark = services.get_benchmark_for(membership, pk)
    services.require_change(membership, benchmark)
    services.ensure_members(benchmark)
    count = services.refresh_from_measures(benchmark)
    messages.success(
        request,
        f"Updated: {count:,} value{'' if count == 1 else 's'} taken from linked measures.",
    )
    return redirect("benchmark:detail", slug=slug, pk=benchmark.pk)
