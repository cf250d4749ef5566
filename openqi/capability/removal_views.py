"""Recording a completion on a person's training record page, removing one
entered wrongly, and deleting a programme or cohort nothing uses yet: each
deletion has a confirmation page that carries the version it showed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from openqi.core.requests import posted
from openqi.core.versioning import VersionConflict
from openqi.organisations.access import find_for
from openqi.organisations.models import Membership, StaffRecord
from openqi.organisations.permissions import MemberRequest, page_access

from . import services
from .models import Completion
from .permissions import CHANGE_CAPABILITY
from .removal_forms import ConfirmDeleteForm, RecordCompletionForm
from .views import _base


def _long_date(completion: Completion) -> str:
    return f"{completion.completed_on:%-d %B %Y}"


# A completion on a person's training record -------------------------------------


@page_access(post=CHANGE_CAPABILITY)
def completion_add(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    person = services.get_staff_record_for(membership, pk)
    form = RecordCompletionForm(
        request.POST, organisation=membership.organisation, staff_record=person
    )
    if form.is_valid():
        level = form.cleaned_data["level"]
        completion = services.record_completion(
            person,
            level,
            form.cleaned_data["completed_on"],
            form.cleaned_data["programme"],
        )
        messages.success(
            request,
            f"{person.reference} completed {level.name} on {_long_date(completion)}.",
        )
        return redirect(
            reverse("capability:staff_record", kwargs={"slug": slug, "pk": pk})
            + "#completions"
        )
    record = services.training_record(person)
    return render(
        request,
        "capability/staff_record.html",
        _base(membership, record=record, completion_form=form),
    )


def _completion_for(membership: Membership, pk: int) -> Completion:
    """A completion that names a person (the page is reached from their record)."""
    completions = (
        Completion.objects.for_organisation(membership.organisation)
        .filter(staff_record__isnull=False)
        .select_related("level", "programme", "staff_record", "enrolment__cohort")
    )
    return find_for(membership, completions, pk, "completion", "capability/completions")


@page_access(get=CHANGE_CAPABILITY, post=CHANGE_CAPABILITY)
def completion_delete(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    completion = _completion_for(membership, pk)
    person = completion.staff_record
    assert isinstance(person, StaffRecord)  # the look-up finds only those naming one
    record_url = reverse(
        "capability:staff_record", kwargs={"slug": slug, "pk": person.pk}
    )
    form = ConfirmDeleteForm(posted(request), version=completion.version)
    if request.method == "POST" and form.is_valid():
        try:
            services.delete_completion(completion, form.cleaned_data["version"])
        except services.MadeByEnrolment:
            pass  # the page says so, with the enrolment to change
        except VersionConflict:
            completion = _completion_for(membership, pk)
            form.changed_meanwhile(completion.version)
        else:
            messages.success(
                request,
                f"The completion of {completion.level.name} on "
                f"{_long_date(completion)} is removed from the training record of "
                f"{person.reference}.",
            )
            return redirect(record_url + "#completions")
    enrolment = completion.enrolment
    details = [
        ("Level", completion.level.name),
        ("Completed on", _long_date(completion)),
        (
            "Programme",
            completion.programme.name if completion.programme else "Not recorded",
        ),
    ]
    if enrolment is not None:
        details.append(("Cohort", enrolment.cohort.name))
    return _confirm_page(
        request,
        membership,
        form,
        heading="Remove this completion",
        caption=f"Training record of {person.reference}",
        details=details,
        refusal=services.MadeByEnrolment.MESSAGE if enrolment else "",
        change_instead=(
            reverse(
                "capability:enrolment_edit", kwargs={"slug": slug, "pk": enrolment.pk}
            )
            if enrolment
            else ""
        ),
        change_text="Change the enrolment",
        explanation=(
            "Remove a completion only when it was entered by mistake: coverage no "
            "longer counts it. The removal is recorded in the audit trail."
        ),
        submit_text="Remove the completion",
        cancel=record_url,
        crumbs=[
            (
                "Find a training record",
                reverse("capability:staff_search", kwargs={"slug": slug}),
            ),
            (person.reference, record_url),
        ],
    )


# Programmes and cohorts nothing uses yet ----------------------------------------


def _programmes_url(slug: str) -> str:
    return reverse("capability:programmes", kwargs={"slug": slug})


@page_access(get=CHANGE_CAPABILITY, post=CHANGE_CAPABILITY)
def programme_delete(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    programme = services.get_programme_for(membership, pk)
    form = ConfirmDeleteForm(posted(request), version=programme.version)
    if request.method == "POST" and form.is_valid():
        try:
            services.delete_programme(programme, form.cleaned_data["version"])
        except services.InUse:
            pass  # the page says what uses it
        except VersionConflict:
            programme = services.get_programme_for(membership, pk)
            form.changed_meanwhile(programme.version)
        else:
            messages.success(request, f"Programme {programme.name} deleted.")
            return redirect(_programmes_url(slug))
    here = reverse("capability:programme", kwargs={"slug": slug, "pk": pk})
    cohorts = programme.cohorts.count()
    return _confirm_page(
        request,
        membership,
        form,
        heading=f"Delete {programme.name}",
        caption="Programme",
        details=[
            ("Level it confers", programme.level.name),
            ("Provider", programme.provider or "Not given"),
            ("Cohorts", f"{cohorts:,} (no one enrolled)" if cohorts else "None"),
        ],
        refusal=services.programme_in_use(programme),
        change_instead=reverse(
            "capability:programme_edit", kwargs={"slug": slug, "pk": pk}
        ),
        change_text="Change this programme",
        explanation=(
            "Nothing records this programme yet, so it can be deleted"
            + (", with its cohorts" if cohorts else "")
            + ". The deletion is recorded in the audit trail."
        ),
        submit_text="Delete the programme",
        cancel=here,
        crumbs=[("Programmes", _programmes_url(slug)), (programme.name, here)],
    )


@page_access(get=CHANGE_CAPABILITY, post=CHANGE_CAPABILITY)
def cohort_delete(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    cohort = services.get_cohort_for(membership, pk)
    programme = cohort.programme
    programme_url = reverse(
        "capability:programme", kwargs={"slug": slug, "pk": programme.pk}
    )
    form = ConfirmDeleteForm(posted(request), version=cohort.version)
    if request.method == "POST" and form.is_valid():
        try:
            services.delete_cohort(cohort, form.cleaned_data["version"])
        except services.InUse:
            pass  # the page says what uses it
        except VersionConflict:
            cohort = services.get_cohort_for(membership, pk)
            form.changed_meanwhile(cohort.version)
        else:
            messages.success(request, f"Cohort {cohort.name} deleted.")
            return redirect(programme_url)
    here = reverse("capability:cohort", kwargs={"slug": slug, "pk": pk})
    return _confirm_page(
        request,
        membership,
        form,
        heading=f"Delete {cohort.name}",
        caption=programme.name,
        details=[
            ("Starts", f"{cohort.starts_on:%-d %B %Y}"),
            (
                "Ends",
                f"{cohort.ends_on:%-d %B %Y}" if cohort.ends_on else "No fixed end",
            ),
        ],
        refusal=services.cohort_in_use(cohort),
        change_instead=reverse(
            "capability:cohort_edit", kwargs={"slug": slug, "pk": pk}
        ),
        change_text="Change this cohort",
        explanation=(
            "No one is enrolled in this cohort, so it can be deleted. The deletion "
            "is recorded in the audit trail."
        ),
        submit_text="Delete the cohort",
        cancel=here,
        crumbs=[
            ("Programmes", _programmes_url(slug)),
            (programme.name, programme_url),
            (cohort.name, here),
        ],
    )


def _confirm_page(
    request: HttpRequest,
    membership: Membership,
    form: ConfirmDeleteForm,
    **context: Any,
) -> HttpResponse:
    """The confirmation page; a record in use shows why instead of the button."""
    return render(
        request,
        "capability/confirm_delete.html",
        _base(membership, form=form, **context),
    )
