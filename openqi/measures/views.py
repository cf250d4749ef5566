"""The measure pages: the list, the measure and its chart, data entry, import and export.

Every view starts from the signed-in person's membership (outsiders get 404,
viewers may look but not change), finds the measure through the organisation
(``_measure_for``), binds a form and calls a service.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.text import slugify
from django.views.decorators.http import require_POST
from markupsafe import Markup

from openqi.core.versioning import VersionConflict
from openqi.organisations.access import membership_for, require_delete, require_edit
from openqi.organisations.models import Membership
from openqi.spc import ChartResult

from . import importing, services
from .forms import (
    AnnotationForm,
    ColumnForm,
    ImportFilterForm,
    ImportForm,
    MeasureFilterForm,
    MeasureForm,
    PhaseBreakForm,
    PointForm,
)
from .models import Annotation, Measure, PhaseBreak

PAGE_SIZE = 50
#: Rows of an import preview per page (the counts and errors cover the whole file).
PREVIEW_PAGE_SIZE = 1000


def _is_htmx(request: HttpRequest) -> bool:
    return bool(request.headers.get("HX-Request"))


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _measure_for(
    request: HttpRequest, slug: str, pk: int, *, edit: bool = False
) -> tuple[Membership, Measure]:
    """The membership and the organisation's measure ``pk`` (404 otherwise);
    ``edit`` also refuses viewers (403)."""
    membership = membership_for(request.user, slug)
    if edit:
        require_edit(membership)
    measure = get_object_or_404(
        Measure.objects.for_organisation(membership.organisation).select_related(
            "unit"
        ),
        pk=pk,
    )
    return membership, measure


def _context(membership: Membership, measure: Measure | None = None, **extra: Any):  # type: ignore[no-untyped-def]
    return {
        "membership": membership,
        "organisation": membership.organisation,
        "measure": measure,
        "number_text": services.number_text,
        "period_words": importing.period_words,
        **extra,
    }


def _to_detail(measure: Measure) -> HttpResponseRedirect:
    return redirect("measures:detail", slug=measure.organisation.slug, pk=measure.pk)


def _icons(result: ChartResult | None) -> dict[str, str | None]:
    if result is None:
        return {"variation": None, "assurance": None}
    return {
        "variation": result.variation,
        "variation_words": services.VARIATION_WORDS.get(result.variation, ""),
        "assurance": result.assurance,
        "assurance_words": services.ASSURANCE_NAMES.get(result.assurance or "", ""),
    }


# ---------------------------------------------------------------------------
# The list


@login_required
def measure_list(request: HttpRequest, slug: str) -> HttpResponse:
    membership = membership_for(request.user, slug)
    organisation = membership.organisation
    form = MeasureFilterForm(request.GET or None, organisation=organisation)
    measures = Measure.objects.for_organisation(organisation).select_related("unit")
    if form.is_valid():
        if form.cleaned_data["unit"]:
            measures = measures.filter(unit=form.cleaned_data["unit"])
        if form.cleaned_data["kind"]:
            measures = measures.filter(kind=form.cleaned_data["kind"])
    # Points come in period order (their Meta ordering), as chart_for needs them.
    measures = measures.order_by("name").prefetch_related("points", "phase_breaks")
    page = Paginator(measures, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for measure in page:
        try:
            result = services.chart_for(measure, list(measure.points.all()))
        except ValueError:
            result = None
        latest = None
        if result is not None and len(result):
            latest = services.number_text(float(result.values[-1]), measure)
        rows.append({"measure": measure, "latest": latest, **_icons(result)})
    query = request.GET.copy()
    query.pop("page", None)
    context = _context(
        membership, form=form, page=page, rows=rows, query=query.urlencode()
    )
    if _is_htmx(request):
        return render(request, "measures/_list.html", context)
    return render(request, "measures/list.html", context)


# ---------------------------------------------------------------------------
# The measure


@login_required
def create(request: HttpRequest, slug: str) -> HttpResponse:
    membership = membership_for(request.user, slug)
    require_edit(membership)
    form = MeasureForm(_posted(request), organisation=membership.organisation)
    if request.method == "POST" and form.is_valid():
        measure = services.save_measure(form)
        messages.success(request, f"{measure.name} added. Now add its data.")
        return _to_detail(measure)
    return render(request, "measures/form.html", _context(membership, form=form))


@login_required
def edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership, measure = _measure_for(request, slug, pk, edit=True)
    name = measure.name
    form = MeasureForm(
        _posted(request), instance=measure, organisation=membership.organisation
    )
    if request.method == "POST" and form.is_valid():
        try:
            measure = services.save_measure(form)
        except VersionConflict:
            form.report_conflict()
        else:
            messages.success(request, f"{measure.name} saved.")
            return _to_detail(measure)
    context = _context(
        membership, measure, form=form, name=name, point_count=measure.points.count()
    )
    return render(request, "measures/form.html", context)


@login_required
@require_POST
def delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership, measure = _measure_for(request, slug, pk, edit=True)
    require_delete(
        membership, has_history=measure.points.exists(), what="a measure with data"
    )
    measure.delete()
    messages.success(request, f"{measure.name} deleted, with its data.")
    return redirect("measures:list", slug=slug)


def _project_links(measure: Measure) -> list[dict[str, Any]]:
    links = []
    for link in measure.project_links.select_related("project").order_by(
        "project__title"
    ):
        try:
            href = reverse(
                "projects:detail",
                kwargs={"slug": measure.organisation.slug, "pk": link.project_id},
            )
        except NoReverseMatch:
            href = None
        links.append(
            {"project": link.project, "role": link.get_role_display(), "href": href}
        )
    return links


def _chart_context(measure: Measure) -> dict[str, Any]:
    """The chart, its words and the data table; a chart that cannot be drawn gives its reason."""
    points = list(measure.points.order_by("period"))
    notes = list(measure.annotations.order_by("period", "pk"))
    result, svg, error = None, None, ""
    try:
        result = services.chart_for(measure, points)
        if result is not None:
            svg = Markup(services.chart_svg(measure, result))
    except ValueError as problem:
        result, error = None, str(problem)
    annotations: dict[Any, list[str]] = {}
    for note in notes:
        annotations.setdefault(note.period, []).append(note.text)
    dispersion = None
    if result is not None and measure.laney_chart():
        dispersion = services.dispersion_for(measure, points)
    table = []
    chart_points = result.points() if result is not None else [None] * len(points)
    for point, charted in zip(points, chart_points, strict=True):
        # A point left out is plotted, but no rule judges it.
        judged = charted if charted and not point.is_excluded else None
        rule = services.RULE_WORDS.get(judged["rule"], "") if judged else ""
        signal = judged["signal"] if judged else ""
        table.append(
            {
                "point": point,
                "period": importing.period_words(point.period, measure.frequency),
                "value": services.number_text(point.value),
                "denominator": services.number_text(point.denominator),
                "plotted": services.number_text(charted["value"]) if charted else "",
                "rule": "Left out" if point.is_excluded else rule,
                "signal": signal,
                "signal_words": services.SIGNAL_WORDS.get(signal, ""),
                "notes": annotations.get(point.period, []),
            }
        )
    warnings = list(result.warnings) if result is not None else []
    if services.is_overdispersed(dispersion):
        # The warning callout says it, with the button: not again under "Read with care".
        warnings = [w for w in warnings if not w.endswith(dispersion.message)]
    return {
        "result": result,
        "warnings": warnings,
        "dispersion": dispersion if services.is_overdispersed(dispersion) else None,
        "excluded": [row for row in table if row["point"].is_excluded],
        "svg": svg,
        "chart_error": error,
        "table": table,
        "assurance_sentence": services.assurance_sentence(measure, result)
        if result is not None
        else "",
        **_icons(result),
    }


@login_required
def detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership, measure = _measure_for(request, slug, pk)
    following = services.next_period(measure)
    context = _context(
        membership,
        measure,
        **_chart_context(measure),
        projects=_project_links(measure),
        phase_breaks=list(measure.phase_breaks.all()),
        annotations=list(measure.annotations.all()),
        next_period=importing.period_words(following, measure.frequency)
        if following
        else None,
    )
    if _is_htmx(request):
        return render(request, "measures/_chart.html", context)
    return render(request, "measures/detail.html", context)


# ---------------------------------------------------------------------------
# Data points


@login_required
def add_point(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The next period's value in one step: the period comes filled in (unless
    the current period already has one: the next has not happened yet)."""
    membership, measure = _measure_for(request, slug, pk, edit=True)
    following = services.next_period(measure)
    form = PointForm(
        _posted(request),
        measure=measure,
        initial={"period": following} if following else {},
    )
    if request.method == "POST" and form.is_valid():
        point = services.save_point(measure, **form.cleaned_data)
        words = importing.period_words(point.period, measure.frequency)
        messages.success(request, f"{words[:1].upper()}{words[1:]} added.")
        if "another" in request.POST:
            return redirect("measures:add_point", slug=slug, pk=pk)
        return _to_detail(measure)
    current = importing.period_words(
        services.current_period(measure), measure.frequency
    )
    context = _context(
        membership, measure, form=form, is_up_to_date=following is None, current=current
    )
    return render(request, "measures/point_form.html", context)


@login_required
def point_edit(request: HttpRequest, slug: str, pk: int, point: int) -> HttpResponse:
    membership, measure = _measure_for(request, slug, pk, edit=True)
    instance = get_object_or_404(measure.points, pk=point)
    form = PointForm(_posted(request), measure=measure, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_point(measure, point=instance, **form.cleaned_data)
        except VersionConflict:
            form.report_conflict()
        else:
            words = importing.period_words(saved.period, measure.frequency)
            messages.success(request, f"{words[:1].upper()}{words[1:]} saved.")
            return _to_detail(measure)
    context = _context(
        measure=measure, membership=membership, form=form, point=instance
    )
    return render(request, "measures/point_form.html", context)


@login_required
@require_POST
def point_delete(request: HttpRequest, slug: str, pk: int, point: int) -> HttpResponse:
    membership, measure = _measure_for(request, slug, pk, edit=True)
    instance = get_object_or_404(measure.points, pk=point)
    require_delete(
        membership,
        has_history=instance.has_history(),
        what="a data point that was changed after it was entered",
    )
    services.delete_point(measure, instance)
    words = importing.period_words(instance.period, measure.frequency)
    messages.success(request, f"{words[:1].upper()}{words[1:]} deleted.")
    return _to_detail(measure)


@login_required
@require_POST
def switch_chart(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Draw a p or u chart measure as Laney's p′ or u′ chart (the warning's button)."""
    _, measure = _measure_for(request, slug, pk, edit=True)
    if services.switch_to_laney(measure):
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
    return _to_detail(measure)


# ---------------------------------------------------------------------------
# Phase breaks and annotations


def _child_form(
    request: HttpRequest,
    slug: str,
    pk: int,
    form_class: type[PhaseBreakForm] | type[AnnotationForm],
    template: str,
    saved: str,
) -> HttpResponse:
    membership, measure = _measure_for(request, slug, pk, edit=True)
    form = form_class(_posted(request), measure=measure)
    if request.method == "POST" and form.is_valid():
        form.save()
        services.refresh_chart_choice(measure)
        messages.success(request, saved)
        return _to_detail(measure)
    return render(request, template, _context(membership, measure, form=form))


@login_required
def phase_add(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _child_form(
        request,
        slug,
        pk,
        PhaseBreakForm,
        "measures/phase_form.html",
        "New phase added: the limits are recalculated from it.",
    )


@login_required
@require_POST
def phase_remove(request: HttpRequest, slug: str, pk: int, item: int) -> HttpResponse:
    membership, measure = _measure_for(request, slug, pk, edit=True)
    phase_break = get_object_or_404(
        PhaseBreak.objects.for_organisation(measure.organisation),
        measure=measure,
        pk=item,
    )
    require_delete(
        membership,
        has_history=phase_break.has_history(),
        what="a phase break whose phase has data",
    )
    services.remove_phase_break(measure, phase_break)
    messages.success(request, "Phase break removed.")
    return _to_detail(measure)


@login_required
def annotation_add(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _child_form(
        request,
        slug,
        pk,
        AnnotationForm,
        "measures/annotation_form.html",
        "Note added.",
    )


@login_required
@require_POST
def annotation_remove(
    request: HttpRequest, slug: str, pk: int, item: int
) -> HttpResponse:
    membership, measure = _measure_for(request, slug, pk, edit=True)
    annotation = get_object_or_404(
        Annotation.objects.for_organisation(measure.organisation),
        measure=measure,
        pk=item,
    )
    require_delete(
        membership, has_history=annotation.has_history(), what="this annotation"
    )
    annotation.delete()
    messages.success(request, "Note removed.")
    return _to_detail(measure)


# ---------------------------------------------------------------------------
# Import


@login_required
def import_upload(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Upload a file: it is kept and queued, and the browser goes straight to
    the preview, which shows the progress until the file is read and checked
    (by ``manage.py run_imports``, or a thread in development), then every row.
    """
    membership, measure = _measure_for(request, slug, pk, edit=True)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            token = form.cleaned_data["token"]
            if services.is_import_token_taken(token):
                token = services.new_import_token()  # a resubmitted form
            job = services.start_import(
                measure, request.user, token, form.cleaned_data["file"]
            )
            services.queue_import(job)
            return redirect(
                "measures:import_preview", slug=slug, pk=pk, token=job.token
            )
        token = form.data.get("token") or services.new_import_token()
        if not services.is_import_token(token):
            token = services.new_import_token()
    else:
        token = services.new_import_token()
        form = ImportForm(initial={"token": token})
    context = _context(
        membership,
        measure,
        form=form,
        token=token,
        progress_url=reverse(
            "measures:import_progress", kwargs={"slug": slug, "pk": pk, "token": token}
        ),
    )
    return render(request, "measures/import.html", context)


def _job_or_restart(
    request: HttpRequest, measure: Measure, token: str
) -> services.ImportJob | HttpResponse:
    job = services.load_import(token, measure, request.user)
    if job is None:
        messages.error(
            request, "That upload has expired or is not yours: upload the file again."
        )
        return redirect(
            "measures:import", slug=measure.organisation.slug, pk=measure.pk
        )
    return job


@login_required
def import_progress(
    request: HttpRequest, slug: str, pk: int, token: str
) -> HttpResponse:
    """How far the check has got: the fragment measures/import.js polls (no page of its own)."""
    membership, measure = _measure_for(request, slug, pk, edit=True)
    job = services.import_progress(token, measure, request.user)
    context = _context(membership, measure, job=job)
    if job is not None and job["stage"] not in services.BUSY_STAGES:
        context["preview_url"] = reverse(
            "measures:import_preview", kwargs={"slug": slug, "pk": pk, "token": token}
        )
    return render(request, "measures/_import_progress.html", context)


@login_required
def import_preview(
    request: HttpRequest, slug: str, pk: int, token: str
) -> HttpResponse:
    """Every row as new, changed or unchanged, and every row error; or the column
    chooser when the file's columns need naming."""
    membership, measure = _measure_for(request, slug, pk, edit=True)
    job = _job_or_restart(request, measure, token)
    if isinstance(job, HttpResponse):
        return job
    if job.stage == "saved":
        messages.success(request, job.message)
        job.delete()
        return _to_detail(measure)
    if notice := services.take_notice(job):
        messages.error(request, notice)
    has_denominator = measure.has_denominator()
    if job.stage == "choose" or request.method == "POST":
        form = ColumnForm(
            _posted(request),
            names=job.names,
            has_denominator=has_denominator,
            initial={k: v for k, v in job.mapping.items() if v},
        )
        if request.method == "POST" and form.is_valid():
            services.choose_columns(job, measure, form.mapping())
            return redirect("measures:import_preview", slug=slug, pk=pk, token=token)
        context = _context(membership, measure, job=job, form=form)
        return render(request, "measures/import_columns.html", context)
    if job.stage in services.BUSY_STAGES:
        context = _context(
            membership,
            measure,
            job=job,
            progress_url=reverse(
                "measures:import_progress",
                kwargs={"slug": slug, "pk": pk, "token": token},
            ),
        )
        return render(request, "measures/import_waiting.html", context)
    filter_form = None
    if failed := services.take_filter_error(job):
        # No row holds what was asked for: the form says so, and the rows are as they were.
        filter_form = ImportFilterForm(
            {"column": failed["column"], "value": failed["value"]}, names=job.names
        )
        if filter_form.is_valid():
            filter_form.add_error("value", failed["error"])
    return _preview(request, membership, measure, job, filter_form)


def _preview(
    request: HttpRequest,
    membership: Membership,
    measure: Measure,
    job: services.ImportJob,
    filter_form: ImportFilterForm | None = None,
) -> HttpResponse:
    changes = services.preview_import(job, measure) if job.stage == "ready" else []
    counts = {"new": 0, "changed": 0, "unchanged": 0}
    for change in changes:
        counts[change.status] += 1
    page = Paginator(changes, PREVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "change": change,
            "period": importing.period_words(change.row.period, measure.frequency),
            "value": services.number_text(change.row.value),
            "denominator": services.number_text(change.row.denominator),
            "old_value": services.number_text(change.old_value),
            "old_denominator": services.number_text(change.old_denominator),
        }
        for change in page
    ]
    errors, error_rows = services.shown_row_errors(job)
    if filter_form is None:
        filter_form = ImportFilterForm(
            names=job.names,
            initial={"column": job.filter_column, "value": job.filter_value},
        )
    dispersion = None
    if job.stage == "ready" and not errors:
        dispersion = services.import_dispersion(job, measure)
    automatic = services.automatic_chart(measure, dispersion)
    context = _context(
        membership,
        measure,
        job=job,
        rows=rows,
        page=page,
        counts=counts,
        errors=errors,
        error_rows=error_rows,
        shown_error_rows=min(error_rows, services.SHOWN_ERROR_ROWS),
        filter_form=filter_form,
        dispersion=dispersion if services.is_overdispersed(dispersion) else None,
        will_switch=measure.is_chart_automatic and automatic != measure.chart_type,
        automatic_chart=Measure.ChartType(automatic).label,
    )
    status = 422 if filter_form.errors else 200
    return render(request, "measures/import_preview.html", context, status=status)


@login_required
@require_POST
def import_filter(request: HttpRequest, slug: str, pk: int, token: str) -> HttpResponse:
    """Keep only the rows whose chosen column holds the chosen value (or, with
    ``every_row``, all of them again), and check them afresh."""
    membership, measure = _measure_for(request, slug, pk, edit=True)
    job = _job_or_restart(request, measure, token)
    if isinstance(job, HttpResponse):
        return job
    if job.stage in services.BUSY_STAGES:  # a second press: the preview shows it
        return redirect("measures:import_preview", slug=slug, pk=pk, token=token)
    if job.stage != "ready":
        messages.error(request, "The file has not been checked yet.")
        return redirect("measures:import_preview", slug=slug, pk=pk, token=token)
    if "every_row" in request.POST:
        services.request_filter(job, "", "")
        return redirect("measures:import_preview", slug=slug, pk=pk, token=token)
    form = ImportFilterForm(request.POST, names=job.names)
    if form.is_valid():
        # The file is read again outside the request; the preview shows the progress.
        services.request_filter(
            job, form.cleaned_data["column"], form.cleaned_data["value"]
        )
        return redirect("measures:import_preview", slug=slug, pk=pk, token=token)
    return _preview(request, membership, measure, job, form)


@login_required
def import_errors(request: HttpRequest, slug: str, pk: int, token: str) -> HttpResponse:
    """Every row error of the upload as CSV: the page lists only the first rows."""
    _, measure = _measure_for(request, slug, pk, edit=True)
    job = _job_or_restart(request, measure, token)
    if isinstance(job, HttpResponse):
        return job
    name = slugify(Path(job.filename).stem) or "import"
    response = HttpResponse(
        services.import_errors_csv(job), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}-errors.csv"'
    return response


@login_required
@require_POST
def import_commit(request: HttpRequest, slug: str, pk: int, token: str) -> HttpResponse:
    _, measure = _measure_for(request, slug, pk, edit=True)
    job = _job_or_restart(request, measure, token)
    if isinstance(job, HttpResponse):
        return job
    if job.stage in services.BUSY_STAGES:  # a second press: the preview shows it
        return redirect("measures:import_preview", slug=slug, pk=pk, token=token)
    if job.stage != "ready":
        messages.error(request, "The file has not been checked yet.")
        return redirect("measures:import_preview", slug=slug, pk=pk, token=token)
    try:
        services.request_commit(job)
    except services.ImportRejected as error:
        messages.error(request, str(error))
    # The rows are saved outside the request; the preview shows the progress.
    return redirect("measures:import_preview", slug=slug, pk=pk, token=token)


# ---------------------------------------------------------------------------
# Export


@login_required
def export(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The data points as CSV (``?format=csv``, the default) or, with the chart, JSON."""
    _, measure = _measure_for(request, slug, pk)
    name = slugify(measure.name) or f"measure-{measure.pk}"
    if request.GET.get("format") == "json":
        body = json.dumps(services.export_json(measure), indent=2)
        response = HttpResponse(body, content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
        return response
    response = HttpResponse(
        services.export_csv(measure), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
