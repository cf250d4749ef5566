"""The measure pages: the list, the measure and its chart, its data points, phase
breaks and notes, and the export. Importing a file is in :mod:`.import_views`.

Every view declares what each method needs (:mod:`.permissions`): members read,
everyone but a viewer changes. The measure is found with
:func:`services.get_measure_for`, as the API finds it.
"""

from __future__ import annotations

import datetime
import hashlib
from typing import Any, NamedTuple, cast

from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from markupsafe import Markup

from openqi.core.requests import is_htmx, posted
from openqi.core.versioning import VersionConflict
from openqi.organisations.access import require_delete
from openqi.organisations.permissions import MemberRequest, page_access
from openqi.spc import ChartResult

from . import charts, exports, importing, services, summaries
from .forms import (
    AnnotationForm,
    MeasureFilterForm,
    MeasureForm,
    PhaseBreakForm,
    PointForm,
)
from .models import Annotation, DataPoint, Measure
from .pages import page_context, to_detail
from .permissions import CHANGE_MEASURE, VIEW_MEASURES

PAGE_SIZE = 50


def _icons(variation: str | None, assurance: str | None) -> dict[str, str | None]:
    """The icons' codes and words (a chart's, or a stored summary's)."""
    if not variation:
        return {"variation": None, "assurance": None}
    return {
        "variation": variation,
        "variation_words": charts.VARIATION_WORDS.get(variation, ""),
        "assurance": assurance or None,
        "assurance_words": charts.ASSURANCE_NAMES.get(assurance or "", ""),
    }


# ---------------------------------------------------------------------------
# The list


@page_access(get=VIEW_MEASURES)
def measure_list(request: MemberRequest, slug: str) -> HttpResponse:
    membership = request.membership
    organisation = membership.organisation
    form = MeasureFilterForm(request.GET or None, organisation=organisation)
    measures = Measure.objects.for_organisation(organisation).select_related("unit")
    if form.is_valid():
        if form.cleaned_data["unit"]:
            measures = measures.filter(unit=form.cleaned_data["unit"])
        if form.cleaned_data["kind"]:
            measures = measures.filter(kind=form.cleaned_data["kind"])
    measures = measures.order_by("name")
    page = Paginator(measures, PAGE_SIZE).get_page(request.GET.get("page"))
    # Each measure's stored chart summary: no chart is computed here.
    stored = summaries.summaries_for(list(page), brief=True)
    rows = []
    for measure in page:
        summary = stored.get(measure.pk)
        latest = None
        if summary is not None and summary.latest_value is not None:
            latest = charts.number_text(summary.latest_value, measure)
        icons = (
            _icons(summary.variation, summary.assurance)
            if summary
            else _icons(None, None)
        )
        rows.append({"measure": measure, "latest": latest, **icons})
    query = request.GET.copy()
    query.pop("page", None)
    context = page_context(
        membership, form=form, page=page, rows=rows, query=query.urlencode()
    )
    if is_htmx(request):
        return render(request, "measures/_list.html", context)
    return render(request, "measures/list.html", context)


# ---------------------------------------------------------------------------
# The measure


@page_access(get=CHANGE_MEASURE, post=CHANGE_MEASURE)
def create(request: MemberRequest, slug: str) -> HttpResponse:
    membership = request.membership
    form = MeasureForm(posted(request), organisation=membership.organisation)
    if request.method == "POST" and form.is_valid():
        measure = services.save_measure(form)
        messages.success(request, f"{measure.name} added. Now add its data.")
        return to_detail(measure)
    return render(request, "measures/form.html", page_context(membership, form=form))


@page_access(get=CHANGE_MEASURE, post=CHANGE_MEASURE)
def edit(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    measure = services.get_measure_for(membership, pk)
    name = measure.name
    form = MeasureForm(
        posted(request), instance=measure, organisation=membership.organisation
    )
    if request.method == "POST" and form.is_valid():
        try:
            measure = services.save_measure(form)
        except VersionConflict:
            form.report_conflict()
        else:
            messages.success(request, f"{measure.name} saved.")
            return to_detail(measure)
    context = page_context(
        membership, measure, form=form, name=name, point_count=measure.points.count()
    )
    return render(request, "measures/form.html", context)


@page_access(post=CHANGE_MEASURE)
def delete(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    measure = services.get_measure_for(membership, pk)
    require_delete(
        membership, has_history=measure.points.exists(), what="a measure with data"
    )
    measure.delete()
    messages.success(request, f"{measure.name} deleted, with its data.")
    return redirect("measures:list", slug=slug)


def _project_links(measure: Measure, slug: str) -> list[dict[str, Any]]:
    links = []
    for link in measure.project_links.select_related("project").order_by(
        "project__title"
    ):
        href = reverse("projects:detail", kwargs={"slug": slug, "pk": link.project_id})
        links.append(
            {"project": link.project, "role": link.get_role_display(), "href": href}
        )
    return links


class _Point(NamedTuple):
    """A data point as the measure's page reads it: a plain row (hundreds of model
    instances cost more than the chart), with the attributes ``chart_for`` reads."""

    pk: int
    period: datetime.date
    value: float | None
    denominator: float | None
    note: str
    is_excluded: bool
    exclusion_reason: str


#: Rows of the data table a page, newest first (a year of weekly data); every
#: value is on one of its pages, and in the CSV export.
TABLE_ROWS = 52


def _table_rows(
    measure: Measure,
    slug: str,
    points: list[_Point],
    result: ChartResult | None,
    annotations: dict[Any, list[str]],
    indices: Any,
) -> list[dict[str, Any]]:
    """The data table's rows for the points at ``indices``, with what the chart made
    of each (read from the result's arrays: no per-point dictionaries)."""
    edit = reverse(
        "measures:point_edit", kwargs={"slug": slug, "pk": measure.pk, "point": 0}
    ).removesuffix("0/")
    rows = []
    for i in indices:
        point = points[i]
        plotted, rule, signal = "", "", ""
        if result is not None:
            plotted = charts.number_text(float(result.values[i]))
            if not point.is_excluded:  # a point left out is plotted, but not judged
                rule = charts.RULE_WORDS.get(result.rule[i], "")
                signal = result.signal[i]
        rows.append(
            {
                "point": point,
                "period": importing.period_words(point.period, measure.frequency),
                "value": charts.number_text(point.value),
                "denominator": charts.number_text(point.denominator),
                "plotted": plotted,
                "rule": "Left out" if point.is_excluded else rule,
                "signal": signal,
                "signal_words": charts.SIGNAL_WORDS.get(signal, ""),
                "notes": annotations.get(point.period, []),
                "edit_href": f"{edit}{point.pk}/",
            }
        )
    return rows


#: How long a drawn chart is kept in the cache; its key changes whenever anything
#: drawn changes, so this only lets an unused one go.
DRAWN_CHART_SECONDS = 24 * 3600
#: Charts of more points than this are drawn for each view, not kept (their SVG
#: alone runs to megabytes).
DRAWN_CHART_MOST_POINTS = 20_000


def _drawn_chart(
    measure: Measure, points: list[_Point], notes: list[Annotation]
) -> tuple[ChartResult | None, Markup | None, str, Any]:
    """The measure's chart, its SVG, why it cannot be drawn ("" when it can) and
    its over-dispersion test: computed once when the data change, then read from
    the cache (``OPENQI_CACHE_URL``) by every view.

    The key is a digest of everything drawn (every field of the measure, every
    point, every annotation, the phase breaks) and of the engine, so a change
    anywhere, even one written past the services, gives a new key: a kept chart is
    never stale.
    """
    breaks = [(b.pk, b.period, b.reason) for b in measure.phase_breaks.all()]
    digest = hashlib.blake2b(
        repr(
            (
                summaries.ENGINE,
                [getattr(measure, f.attname) for f in Measure._meta.concrete_fields],
                points,
                [(n.pk, n.period, n.text) for n in notes],
                breaks,
            )
        ).encode(),
        digest_size=16,
    ).hexdigest()
    key = f"openqi:measure-chart:{measure.pk}:{digest}"
    if len(points) <= DRAWN_CHART_MOST_POINTS:
        kept = cache.get(key)
        if kept is not None:
            result, svg, error, dispersion = kept
            return result, (Markup(svg) if svg is not None else None), error, dispersion
    rows = cast("list[DataPoint]", points)  # what chart_for reads of a point
    result, svg, error, dispersion = None, None, "", None
    try:
        result = charts.chart_for(measure, rows)
        if result is not None:
            svg = charts.chart_svg(measure, result, annotations=notes, points=points)
    except ValueError as problem:
        result, error = None, str(problem)
    if result is not None and measure.laney_chart():
        dispersion = charts.dispersion_for(measure, rows)
    if len(points) <= DRAWN_CHART_MOST_POINTS:
        cache.set(key, (result, svg, error, dispersion), DRAWN_CHART_SECONDS)
    return result, (Markup(svg) if svg is not None else None), error, dispersion


def _chartpage_context(
    measure: Measure, slug: str, table_page: str | None
) -> dict[str, Any]:
    """The chart, its words and a page of the data table (newest first); a chart
    that cannot be drawn gives its reason. The measure's phase breaks and
    annotations are prefetched (the chart and the page read them)."""
    points = [
        _Point(*row)
        for row in measure.points.order_by("period").values_list(*_Point._fields)
    ]
    notes = list(measure.annotations.all())
    result, svg, error, dispersion = _drawn_chart(measure, points, notes)
    annotations: dict[Any, list[str]] = {}
    for note in notes:
        annotations.setdefault(note.period, []).append(note.text)
    page = Paginator(range(len(points) - 1, -1, -1), TABLE_ROWS).get_page(table_page)
    table = _table_rows(measure, slug, points, result, annotations, page.object_list)
    excluded = [
        {
            "period": importing.period_words(point.period, measure.frequency),
            "point": point,
        }
        for point in points
        if point.is_excluded
    ]
    warnings = list(result.warnings) if result is not None else []
    if dispersion is not None and charts.is_overdispersed(dispersion):
        # The warning callout says it, with the button: not again under "Read with care".
        warnings = [w for w in warnings if not w.endswith(dispersion.message)]
    return {
        "result": result,
        "warnings": warnings,
        "dispersion": dispersion if charts.is_overdispersed(dispersion) else None,
        "excluded": excluded,
        "svg": svg,
        "chart_error": error,
        "table": table,
        "table_page": page,
        "latest_period": points[-1].period if points else None,
        "assurance_sentence": charts.assurance_sentence(measure, result)
        if result is not None
        else "",
        **(
            _icons(result.variation, result.assurance)
            if result is not None
            else _icons(None, None)
        ),
    }


def _next_period(measure: Measure, latest: Any) -> Any:
    """:func:`services.next_period`, from the latest period the page has read."""
    if latest is None:
        return services.next_period(measure)
    following = importing.next_period(latest, measure.frequency)
    return following if following <= services.current_period(measure) else None


@page_access(get=VIEW_MEASURES)
def detail(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    """The measure, its chart and its data: a fixed number of queries however many
    points it has, and the data table a page at a time (``?page=``), newest first."""
    membership = request.membership
    measure = services.get_measure_for(membership, pk)
    measure.organisation = membership.organisation  # the same row: no query
    prefetch_related_objects(
        [measure],
        "phase_breaks",
        Prefetch(
            "annotations",
            queryset=Annotation.objects.for_organisation(
                membership.organisation
            ).order_by("period", "pk"),
        ),
    )
    chart = _chartpage_context(measure, slug, request.GET.get("page"))
    following = _next_period(measure, chart.pop("latest_period"))
    context = page_context(
        membership,
        measure,
        **chart,
        projects=_project_links(measure, slug),
        phase_breaks=list(measure.phase_breaks.all()),
        annotations=list(measure.annotations.all()),
        next_period=importing.period_words(following, measure.frequency)
        if following
        else None,
    )
    if is_htmx(request):
        return render(request, "measures/_chart.html", context)
    return render(request, "measures/detail.html", context)


# ---------------------------------------------------------------------------
# Data points


@page_access(get=CHANGE_MEASURE, post=CHANGE_MEASURE)
def add_point(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    """The next period's value in one step: the period comes filled in (unless
    the current period already has one: the next has not happened yet)."""
    membership = request.membership
    measure = services.get_measure_for(membership, pk)
    following = services.next_period(measure)
    form = PointForm(
        posted(request),
        measure=measure,
        initial={"period": following} if following else {},
    )
    if request.method == "POST" and form.is_valid():
        point = services.save_point(measure, **form.cleaned_data)
        words = importing.period_words(point.period, measure.frequency)
        messages.success(request, f"{words[:1].upper()}{words[1:]} added.")
        if "another" in request.POST:
            return redirect("measures:add_point", slug=slug, pk=pk)
        return to_detail(measure)
    current = importing.period_words(
        services.current_period(measure), measure.frequency
    )
    context = page_context(
        membership, measure, form=form, is_up_to_date=following is None, current=current
    )
    return render(request, "measures/point_form.html", context)


@page_access(get=CHANGE_MEASURE, post=CHANGE_MEASURE)
def point_edit(request: MemberRequest, slug: str, pk: int, point: int) -> HttpResponse:
    membership = request.membership
    measure = services.get_measure_for(membership, pk)
    instance = services.get_point_for(membership, measure, point)
    form = PointForm(posted(request), measure=measure, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_point(measure, point=instance, **form.cleaned_data)
        except VersionConflict:
            form.report_conflict()
        else:
            words = importing.period_words(saved.period, measure.frequency)
            messages.success(request, f"{words[:1].upper()}{words[1:]} saved.")
            return to_detail(measure)
    context = page_context(
        measure=measure, membership=membership, form=form, point=instance
    )
    return render(request, "measures/point_form.html", context)


@page_access(post=CHANGE_MEASURE)
def point_delete(
    request: MemberRequest, slug: str, pk: int, point: int
) -> HttpResponse:
    membership = request.membership
    measure = services.get_measure_for(membership, pk)
    instance = services.get_point_for(membership, measure, point)
    require_delete(
        membership,
        has_history=instance.has_history(),
        what="a data point that was changed after it was entered",
    )
    services.delete_point(measure, instance)
    words = importing.period_words(instance.period, measure.frequency)
    messages.success(request, f"{words[:1].upper()}{words[1:]} deleted.")
    return to_detail(measure)


@page_access(post=CHANGE_MEASURE)
def switch_chart(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    """Draw a p or u chart measure as Laney's p′ or u′ chart (the warning's button)."""
    measure = services.get_measure_for(request.membership, pk)
    if charts.switch_to_laney(measure):
        messages.success(
            request,
            f"{measure.name} is now drawn as a {measure.get_chart_type_display()}.",
        )
    else:
        messages.error(
            request,
            f"{measure.name} is drawn as a {measure.get_chart_type_display()}, not a p or "
            "u chart: change the chart on the measure's form.",
        )
    return to_detail(measure)


# ---------------------------------------------------------------------------
# Phase breaks and annotations


def _child_form(
    request: MemberRequest,
    slug: str,
    pk: int,
    form_class: type[PhaseBreakForm] | type[AnnotationForm],
    template: str,
    saved: str,
) -> HttpResponse:
    membership = request.membership
    measure = services.get_measure_for(membership, pk)
    form = form_class(posted(request), measure=measure)
    if request.method == "POST" and form.is_valid():
        services.save_child_form(form, measure)
        messages.success(request, saved)
        return to_detail(measure)
    return render(request, template, page_context(membership, measure, form=form))


@page_access(get=CHANGE_MEASURE, post=CHANGE_MEASURE)
def phase_add(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    return _child_form(
        request,
        slug,
        pk,
        PhaseBreakForm,
        "measures/phase_form.html",
        "New phase added: the limits are recalculated from it.",
    )


@page_access(post=CHANGE_MEASURE)
def phase_remove(request: MemberRequest, slug: str, pk: int, item: int) -> HttpResponse:
    membership = request.membership
    measure = services.get_measure_for(membership, pk)
    phase_break = services.get_phase_break_for(membership, measure, item)
    require_delete(
        membership,
        has_history=phase_break.has_history(),
        what="a phase break whose phase has data",
    )
    services.remove_phase_break(measure, phase_break)
    messages.success(request, "Phase break removed.")
    return to_detail(measure)


@page_access(get=CHANGE_MEASURE, post=CHANGE_MEASURE)
def annotation_add(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    return _child_form(
        request,
        slug,
        pk,
        AnnotationForm,
        "measures/annotation_form.html",
        "Note added.",
    )


@page_access(post=CHANGE_MEASURE)
def annotation_remove(
    request: MemberRequest, slug: str, pk: int, item: int
) -> HttpResponse:
    membership = request.membership
    measure = services.get_measure_for(membership, pk)
    annotation = services.get_annotation_for(membership, measure, item)
    require_delete(
        membership, has_history=annotation.has_history(), what="this annotation"
    )
    annotation.delete()
    messages.success(request, "Note removed.")
    return to_detail(measure)


# ---------------------------------------------------------------------------
# Export


@page_access(get=VIEW_MEASURES)
def export(request: MemberRequest, slug: str, pk: int) -> HttpResponseBase:
    """The data points as CSV (``?format=csv``, the default) or, with the chart, JSON.

    Both stream (:mod:`.exports`): a measure of any length is sent in bounded
    memory. The JSON's chart is computed before the first byte is sent."""
    measure = services.get_measure_for(request.membership, pk)
    name = slugify(measure.name) or f"measure-{measure.pk}"
    if request.GET.get("format") == "json":
        chart, chart_error = exports.chart_of(measure)
        response = StreamingHttpResponse(
            exports.json_pieces(measure, chart, chart_error),
            content_type="application/json",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
        return response
    response = StreamingHttpResponse(
        exports.csv_lines(measure), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
