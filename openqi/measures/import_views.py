"""Importing a file of data points from the pages: the upload, the progress while
it is read and checked, the preview (with the column chooser and the row filter),
the row errors as CSV, and the commit. The work is done by :mod:`.imports`.

Everyone but a viewer imports, so every page here needs ``CHANGE_MEASURE``, even
to look (a viewer gets 403, as on the measure's other forms).
"""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify

from openqi.core.requests import posted
from openqi.organisations.models import Membership
from openqi.organisations.permissions import MemberRequest, page_access

from . import charts, importing, imports, services
from .forms import ColumnForm, ImportFilterForm, ImportForm
from .models import ImportJob, Measure
from .pages import page_context, to_detail
from .permissions import CHANGE_MEASURE

#: Rows of an import preview per page (the counts and errors cover the whole file).
PREVIEW_PAGE_SIZE = 1000


@page_access(get=CHANGE_MEASURE, post=CHANGE_MEASURE)
def import_upload(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    """Upload a file: it is kept and queued, and the browser goes straight to
    the preview, which shows the progress until the file is read and checked
    (by ``manage.py run_imports``, or a thread in development), then every row.
    """
    membership = request.membership
    measure = services.get_measure_for(membership, pk)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            token = form.cleaned_data["token"]
            if imports.is_import_token_taken(token):
                token = imports.new_import_token()  # a resubmitted form
            job = imports.start_import(
                measure, request.user, token, form.cleaned_data["file"]
            )
            imports.queue_import(job)
            return redirect(
                "measures:import_preview", slug=slug, pk=pk, token=job.token
            )
        token = form.data.get("token") or imports.new_import_token()
        if not imports.is_import_token(token):
            token = imports.new_import_token()
    else:
        token = imports.new_import_token()
        form = ImportForm(initial={"token": token})
    context = page_context(
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
) -> ImportJob | HttpResponse:
    job = imports.load_import(token, measure, request.user)
    if job is None:
        messages.error(
            request, "That upload has expired or is not yours: upload the file again."
        )
        return redirect(
            "measures:import", slug=measure.organisation.slug, pk=measure.pk
        )
    return job


@page_access(get=CHANGE_MEASURE)
def import_progress(
    request: MemberRequest, slug: str, pk: int, token: str
) -> HttpResponse:
    """How far the check has got: the fragment measures/import.js polls. It is
    no page of its own: opened in the browser, it leads to the import's page
    (the waiting page while busy, else the preview)."""
    if request.headers.get("HX-Request") != "true":
        return redirect("measures:import_preview", slug=slug, pk=pk, token=token)
    membership = request.membership
    measure = services.get_measure_for(membership, pk)
    job = imports.import_progress(token, measure, request.user)
    context = page_context(membership, measure, job=job)
    if job is not None and job["stage"] not in imports.BUSY_STAGES:
        context["preview_url"] = reverse(
            "measures:import_preview", kwargs={"slug": slug, "pk": pk, "token": token}
        )
    return render(request, "measures/_import_progress.html", context)


@page_access(get=CHANGE_MEASURE, post=CHANGE_MEASURE)
def import_preview(
    request: MemberRequest, slug: str, pk: int, token: str
) -> HttpResponse:
    """Every row as new, changed or unchanged, and every row error; or the column
    chooser when the file's columns need naming."""
    membership = request.membership
    measure = services.get_measure_for(membership, pk)
    job = _job_or_restart(request, measure, token)
    if isinstance(job, HttpResponse):
        return job
    if job.stage == "saved":
        messages.success(request, job.message)
        job.delete()
        return to_detail(measure)
    if notice := imports.take_notice(job):
        messages.error(request, notice)
    has_denominator = measure.has_denominator()
    if job.stage == "choose" or request.method == "POST":
        form = ColumnForm(
            posted(request),
            names=job.names,
            has_denominator=has_denominator,
            initial={k: v for k, v in job.mapping.items() if v},
        )
        if request.method == "POST" and form.is_valid():
            imports.choose_columns(job, measure, form.mapping())
            return redirect("measures:import_preview", slug=slug, pk=pk, token=token)
        context = page_context(membership, measure, job=job, form=form)
        return render(request, "measures/import_columns.html", context)
    if job.stage in imports.BUSY_STAGES:
        context = page_context(
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
    if failed := imports.take_filter_error(job):
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
    job: ImportJob,
    filter_form: ImportFilterForm | None = None,
) -> HttpResponse:
    changes = imports.preview_import(job, measure) if job.stage == "ready" else []
    counts = {"new": 0, "changed": 0, "unchanged": 0}
    for change in changes:
        counts[change.status] += 1
    page = Paginator(changes, PREVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "change": change,
            "period": importing.period_words(change.row.period, measure.frequency),
            "value": charts.number_text(change.row.value),
            "denominator": charts.number_text(change.row.denominator),
            "old_value": charts.number_text(change.old_value),
            "old_denominator": charts.number_text(change.old_denominator),
        }
        for change in page
    ]
    errors, error_rows = imports.shown_row_errors(job)
    if filter_form is None:
        filter_form = ImportFilterForm(
            names=job.names,
            initial={"column": job.filter_column, "value": job.filter_value},
        )
    dispersion = None
    if job.stage == "ready" and not errors:
        dispersion = imports.import_dispersion(job, measure)
    automatic = charts.automatic_chart(measure, dispersion)
    context = page_context(
        membership,
        measure,
        job=job,
        rows=rows,
        page=page,
        counts=counts,
        errors=errors,
        error_rows=error_rows,
        shown_error_rows=min(error_rows, imports.SHOWN_ERROR_ROWS),
        filter_form=filter_form,
        dispersion=dispersion if charts.is_overdispersed(dispersion) else None,
        will_switch=measure.is_chart_automatic and automatic != measure.chart_type,
        automatic_chart=Measure.ChartType(automatic).label,
    )
    status = 422 if filter_form.errors else 200
    return render(request, "measures/import_preview.html", context, status=status)


@page_access(post=CHANGE_MEASURE)
def import_filter(
    request: MemberRequest, slug: str, pk: int, token: str
) -> HttpResponse:
    """Keep only the rows whose chosen column holds the chosen value (or, with
    ``every_row``, all of them again), and check them afresh."""
    membership = request.membership
    measure = services.get_measure_for(membership, pk)
    job = _job_or_restart(request, measure, token)
    if isinstance(job, HttpResponse):
        return job
    if job.stage in imports.BUSY_STAGES:  # a second press: the preview shows it
        return redirect("measures:import_preview", slug=slug, pk=pk, token=token)
    if job.stage != "ready":
        messages.error(request, "The file has not been checked yet.")
        return redirect("measures:import_preview", slug=slug, pk=pk, token=token)
    if "every_row" in request.POST:
        imports.request_filter(job, "", "")
        return redirect("measures:import_preview", slug=slug, pk=pk, token=token)
    form = ImportFilterForm(request.POST, names=job.names)
    if form.is_valid():
        # The file is read again outside the request; the preview shows the progress.
        imports.request_filter(
            job, form.cleaned_data["column"], form.cleaned_data["value"]
        )
        return redirect("measures:import_preview", slug=slug, pk=pk, token=token)
    return _preview(request, membership, measure, job, form)


@page_access(get=CHANGE_MEASURE)
def import_errors(
    request: MemberRequest, slug: str, pk: int, token: str
) -> HttpResponse:
    """Every row error of the upload as CSV: the page lists only the first rows."""
    measure = services.get_measure_for(request.membership, pk)
    job = _job_or_restart(request, measure, token)
    if isinstance(job, HttpResponse):
        return job
    name = slugify(Path(job.filename).stem) or "import"
    response = HttpResponse(
        imports.import_errors_csv(job), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}-errors.csv"'
    return response


@page_access(post=CHANGE_MEASURE)
def import_commit(
    request: MemberRequest, slug: str, pk: int, token: str
) -> HttpResponse:
    measure = services.get_measure_for(request.membership, pk)
    job = _job_or_restart(request, measure, token)
    if isinstance(job, HttpResponse):
        return job
    if job.stage in imports.BUSY_STAGES:  # a second press: the preview shows it
        return redirect("measures:import_preview", slug=slug, pk=pk, token=token)
    if job.stage != "ready":
        messages.error(request, "The file has not been checked yet.")
        return redirect("measures:import_preview", slug=slug, pk=pk, token=token)
    try:
        imports.request_commit(job)
    except imports.ImportRejected as error:
        messages.error(request, str(error))
    # The rows are saved outside the request; the preview shows the progress.
    return redirect("measures:import_preview", slug=slug, pk=pk, token=token)
