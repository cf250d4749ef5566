"""Importing a staff list and a learning-management export from the pages: the
upload, the preview (what the file would do and every row error) and the
commit. The work is done by :mod:`.imports`; the QI team and administrators
import (``CHANGE_CAPABILITY``), even to look."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from openqi.core.forms import SaysWhatToEnter
from openqi.organisations.models import Membership, StaffRecord
from openqi.organisations.permissions import MemberRequest, page_access

from . import imports
from .models import HeldImport
from .permissions import CHANGE_CAPABILITY

STAFF = HeldImport.Kind.STAFF
COMPLETIONS = HeldImport.Kind.COMPLETIONS

#: Each kind's pages: the upload's and the preview's URL names, and where a
#: saved import leads.
_PAGES: dict[str, tuple[str, str]] = {
    STAFF: ("capability:import_staff", "capability:import_staff_preview"),
    COMPLETIONS: (
        "capability:import_completions",
        "capability:import_completions_preview",
    ),
}
_DONE: dict[str, str] = {
    STAFF: "capability:overview",
    COMPLETIONS: "capability:programmes",
}


class UploadForm(SaysWhatToEnter, forms.Form):
    file = forms.FileField(
        label="File",
        error_messages={
            "required": "Choose a CSV or Excel file to upload.",
            "empty": "The file is empty: choose the file with the rows in it.",
        },
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name or "").suffix.lower()
        if suffix == ".xls":
            raise forms.ValidationError(
                "Old-style .xls workbooks cannot be read: save it as .xlsx or CSV "
                "and upload it again."
            )
        if suffix not in imports.SUFFIXES:
            raise forms.ValidationError(
                "The file must be a CSV file or an Excel .xlsx workbook."
            )
        if upload.size > imports.MAX_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {imports.MAX_BYTES // (1024 * 1024)} MB, "
                "the most one upload may be: split it into smaller files and upload "
                "them one at a time."
            )
        if upload.size == 0:
            raise forms.ValidationError(
                "The file is empty: choose the file with the rows in it."
            )
        return upload


class StaffCommitForm(SaysWhatToEnter, forms.Form):
    mark_inactive = forms.BooleanField(required=False)


def _base(membership: Membership, kind: str, **extra: Any) -> dict[str, Any]:
    organisation = membership.organisation
    return {
        "membership": membership,
        "organisation": organisation,
        "kind": kind,
        "upload_url": reverse(_PAGES[kind][0], kwargs={"slug": organisation.slug}),
        "crumbs": [
            (
                "Programmes",
                reverse("capability:programmes", kwargs={"slug": organisation.slug}),
            )
        ]
        if kind == COMPLETIONS
        else [],
        "max_rows": imports.MAX_ROWS,
        "max_megabytes": imports.MAX_BYTES // (1024 * 1024),
        **extra,
    }


def _upload(request: MemberRequest, slug: str, kind: str) -> HttpResponse:
    membership = request.membership
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                held = imports.hold(
                    membership.organisation,
                    request.user,
                    kind,
                    upload.name or "upload.csv",
                    b"".join(upload.chunks()),
                )
            except imports.ImportFileError as error:
                form.add_error("file", str(error))
            else:
                return redirect(_PAGES[kind][1], slug=slug, token=held.token)
    else:
        form = UploadForm()
    context = _base(
        membership,
        kind,
        form=form,
        staff_groups=[str(label) for label in StaffRecord.StaffGroup.labels],
    )
    return render(request, "capability/import.html", context)


def _held_or_restart(
    request: MemberRequest, slug: str, kind: str, token: str
) -> HeldImport | HttpResponse:
    held = imports.load(token, request.membership.organisation, request.user, kind)
    if held is None:
        messages.error(
            request,
            "That upload has expired, was saved already or is not yours: upload "
            "the file again.",
        )
        return redirect(_PAGES[kind][0], slug=slug)
    return held


def _preview(request: MemberRequest, slug: str, kind: str, token: str) -> HttpResponse:
    membership = request.membership
    held = _held_or_restart(request, slug, kind, token)
    if isinstance(held, HttpResponse):
        return held
    form = StaffCommitForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        return _commit(request, slug, held, form)
    context = _base(
        membership,
        kind,
        held=held,
        result=held.result,
        form=form,
        # In the fields' order: PostgreSQL's JSON keeps no order of keys.
        columns=[
            (imports.FIELD_NAMES[name], column)
            for name in imports.COLUMNS[HeldImport.Kind(kind)]
            if (column := held.mapping.get(name))
        ],
        shown_rows=imports.SHOWN_ROWS,
        shown_errors=imports.SHOWN_ERRORS,
    )
    return render(request, "capability/import_preview.html", context)


def _commit(
    request: HttpRequest, slug: str, held: HeldImport, form: StaffCommitForm
) -> HttpResponse:
    kind = held.kind
    here = redirect(_PAGES[kind][1], slug=slug, token=held.token)
    if held.result.get("n_errors"):
        messages.error(
            request,
            "The file has rows with errors, so nothing can be saved: fix them in the "
            "file and upload it again.",
        )
        return here
    try:
        with transaction.atomic():
            locked = imports.lock(held)
            if locked is None:
                messages.error(
                    request, "That upload was saved already: upload a file again."
                )
                return redirect(_PAGES[kind][0], slug=slug)
            if kind == STAFF:
                counts = imports.commit_staff(
                    locked, mark_missing_inactive=form.cleaned_data["mark_inactive"]
                )
                summary = f"Imported {held.filename}: {imports.staff_summary(counts)}"
            else:
                counts = imports.commit_completions(locked)
                summary = (
                    f"Imported {held.filename}: {imports.completion_summary(counts)}"
                )
    except imports.ImportRejected as error:
        held.result = imports.check_held(held)
        held.save(update_fields=["result"])
        messages.error(request, str(error))
        return here
    messages.success(request, summary)
    return redirect(_DONE[kind], slug=slug)


@page_access(get=CHANGE_CAPABILITY, post=CHANGE_CAPABILITY)
def import_staff(request: MemberRequest, slug: str) -> HttpResponse:
    """Upload a staff list: it is read, checked and held for its preview."""
    return _upload(request, slug, STAFF)


@page_access(get=CHANGE_CAPABILITY, post=CHANGE_CAPABILITY)
def import_staff_preview(request: MemberRequest, slug: str, token: str) -> HttpResponse:
    """What the staff list would do, and every row error; posting saves it."""
    return _preview(request, slug, STAFF, token)


@page_access(get=CHANGE_CAPABILITY, post=CHANGE_CAPABILITY)
def import_completions(request: MemberRequest, slug: str) -> HttpResponse:
    """Upload a learning-management export: read, checked and held for its preview."""
    return _upload(request, slug, COMPLETIONS)


@page_access(get=CHANGE_CAPABILITY, post=CHANGE_CAPABILITY)
def import_completions_preview(
    request: MemberRequest, slug: str, token: str
) -> HttpResponse:
    """The completions the export would record, those already recorded, and every
    row error; posting records them."""
    return _preview(request, slug, COMPLETIONS, token)
