"""The capability pages: the framework of levels, programmes with their cohorts
and enrolments, targets, and a person's training record. Every member reads
them; the QI team and administrators change them; an administrator erases a
person's training record on request."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from openqi.core.requests import posted
from openqi.core.versioning import VersionConflict
from openqi.organisations.models import Membership
from openqi.organisations.permissions import MemberRequest, has, page_access

from . import coverage, doing, services
from .forms import (
    CohortForm,
    EnrolForm,
    EnrolmentStatusForm,
    EraseForm,
    LevelForm,
    ProgrammeForm,
    StaffSearchForm,
    TargetForm,
)
from .models import Completion, Enrolment
from .permissions import (
    CHANGE_CAPABILITY,
    ERASE_TRAINING_RECORD,
    VIEW_CAPABILITY,
    VIEW_TRAINING_RECORDS,
)
from .removal_forms import RecordCompletionForm


def _base(membership: Membership, **extra: Any) -> dict[str, Any]:
    return {
        "membership": membership,
        "organisation": membership.organisation,
        "can_edit": has(membership, CHANGE_CAPABILITY),
        "can_read_records": has(membership, VIEW_TRAINING_RECORDS),
        "can_erase": has(membership, ERASE_TRAINING_RECORD),
        **extra,
    }


def _form_page(
    request: HttpRequest, membership: Membership, form: Any, **context: Any
) -> HttpResponse:
    return render(
        request, "capability/form.html", _base(membership, form=form, **context)
    )


# The overview and the framework -------------------------------------------------


@page_access(get=VIEW_CAPABILITY)
def overview(request: MemberRequest, slug: str) -> HttpResponse:
    membership = request.membership
    organisation = membership.organisation
    levels = services.framework_for(organisation)
    counts = {
        "levels": len(levels),
        "programmes": services.programmes_for(organisation).count(),
        "cohorts": services.cohorts_for(organisation).count(),
        "completions": Completion.objects.for_organisation(organisation).count(),
        "targets": services.targets_for(organisation).count(),
    }
    coverage_summary = coverage.summary(organisation)
    return render(
        request,
        "capability/overview.html",
        _base(membership, counts=counts, summary=coverage_summary),
    )


@page_access(get=VIEW_CAPABILITY)
def framework(request: MemberRequest, slug: str) -> HttpResponse:
    membership = request.membership
    levels = services.framework_for(membership.organisation)
    context = _base(
        membership,
        levels=levels,
        uses=services.level_uses(membership.organisation),
    )
    return render(request, "capability/framework.html", context)


@page_access(post=CHANGE_CAPABILITY)
def framework_builtin(request: MemberRequest, slug: str) -> HttpResponse:
    """Put the built-in levels into an empty framework."""
    membership = request.membership
    try:
        levels = services.install_builtin_framework(membership.organisation)
    except services.FrameworkNotEmpty:
        messages.error(
            request,
            "The built-in framework is only put into an empty framework: this one "
            "already has levels. Change them, or delete them first.",
        )
    else:
        messages.success(
            request, f"The built-in framework's {len(levels)} levels are in place."
        )
    return redirect("capability:framework", slug=slug)


@page_access(get=CHANGE_CAPABILITY, post=CHANGE_CAPABILITY)
def level_create(request: MemberRequest, slug: str) -> HttpResponse:
    membership = request.membership
    form = LevelForm(posted(request), organisation=membership.organisation)
    if request.method == "POST" and form.is_valid():
        level = services.save_level(form.instance, **form.cleaned_data)
        messages.success(request, f"Level {level.name} added to the framework.")
        return redirect("capability:framework", slug=slug)
    return _form_page(
        request,
        membership,
        form,
        heading="Add a level",
        submit_text="Add level",
        cancel=reverse("capability:framework", kwargs={"slug": slug}),
        crumbs=[("Framework", reverse("capability:framework", kwargs={"slug": slug}))],
    )


@page_access(get=CHANGE_CAPABILITY, post=CHANGE_CAPABILITY)
def level_edit(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    level = services.get_level_for(membership, pk)
    form = LevelForm(
        posted(request), instance=level, organisation=membership.organisation
    )
    if request.method == "POST" and form.is_valid():
        try:
            level = services.save_level(level, **form.cleaned_data)
        except VersionConflict:
            form.report_conflict()
        else:
            messages.success(request, f"Level {level.name} saved.")
            return redirect("capability:framework", slug=slug)
    saved = services.get_level_for(membership, pk)  # the invalid form changed ``level``
    framework_url = reverse("capability:framework", kwargs={"slug": slug})
    return render(
        request,
        "capability/level_form.html",
        _base(
            membership,
            form=form,
            level=saved,
            uses=saved.uses(),
            heading=f"Change {saved.name}",
            submit_text="Save changes",
            cancel=framework_url,
            crumbs=[("Framework", framework_url)],
        ),
    )


@page_access(post=CHANGE_CAPABILITY)
def level_move(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    level = services.get_level_for(membership, pk)
    direction = "up" if request.POST.get("direction") == "up" else "down"
    if services.move_level(level, direction):
        messages.success(request, f"{level.name} moved {direction}.")
    return redirect(
        f"{reverse('capability:framework', kwargs={'slug': slug})}#level-{level.pk}"
    )


@page_access(post=CHANGE_CAPABILITY)
def level_delete(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    level = services.get_level_for(membership, pk)
    try:
        services.delete_level(level)
    except services.LevelInUse as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"Level {level.name} deleted.")
    return redirect("capability:framework", slug=slug)


# Programmes and cohorts ----------------------------------------------------------


@page_access(get=VIEW_CAPABILITY)
def programme_list(request: MemberRequest, slug: str) -> HttpResponse:
    membership = request.membership
    programmes = services.programmes_for(membership.organisation)
    return render(
        request,
        "capability/programmes.html",
        _base(
            membership,
            programmes=programmes,
            has_levels=services.levels_for(membership.organisation).exists(),
        ),
    )


def _programmes_crumbs(slug: str) -> list[tuple[str, str]]:
    return [("Programmes", reverse("capability:programmes", kwargs={"slug": slug}))]


@page_access(get=CHANGE_CAPABILITY, post=CHANGE_CAPABILITY)
def programme_create(request: MemberRequest, slug: str) -> HttpResponse:
    membership = request.membership
    form = ProgrammeForm(posted(request), organisation=membership.organisation)
    if request.method == "POST" and form.is_valid():
        programme = services.save_programme(form.instance, **form.cleaned_data)
        messages.success(request, f"Programme {programme.name} added.")
        return redirect("capability:programme", slug=slug, pk=programme.pk)
    return _form_page(
        request,
        membership,
        form,
        heading="Add a programme",
        submit_text="Add programme",
        cancel=reverse("capability:programmes", kwargs={"slug": slug}),
        crumbs=_programmes_crumbs(slug),
    )


@page_access(get=VIEW_CAPABILITY)
def programme_detail(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    programme = services.get_programme_for(membership, pk)
    context = _base(
        membership, programme=programme, cohorts=services.cohorts_of(programme)
    )
    return render(request, "capability/programme.html", context)


@page_access(get=CHANGE_CAPABILITY, post=CHANGE_CAPABILITY)
def programme_edit(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    programme = services.get_programme_for(membership, pk)
    form = ProgrammeForm(
        posted(request), instance=programme, organisation=membership.organisation
    )
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.save_programme(programme, **form.cleaned_data)
        except VersionConflict:
            form.report_conflict()
        else:
            messages.success(request, f"Programme {programme.name} saved.")
            return redirect("capability:programme", slug=slug, pk=pk)
    saved = services.get_programme_for(membership, pk)
    here = reverse("capability:programme", kwargs={"slug": slug, "pk": pk})
    return _form_page(
        request,
        membership,
        form,
        heading=f"Change {saved.name}",
        submit_text="Save changes",
        cancel=here,
        crumbs=[*_programmes_crumbs(slug), (saved.name, here)],
    )


@page_access(get=CHANGE_CAPABILITY, post=CHANGE_CAPABILITY)
def cohort_create(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    programme = services.get_programme_for(membership, pk)
    form = CohortForm(posted(request), programme=programme)
    if request.method == "POST" and form.is_valid():
        cohort = services.save_cohort(form.instance, **form.cleaned_data)
        messages.success(request, f"Cohort {cohort.name} added.")
        return redirect("capability:cohort", slug=slug, pk=cohort.pk)
    here = reverse("capability:programme", kwargs={"slug": slug, "pk": pk})
    return _form_page(
        request,
        membership,
        form,
        heading=f"Add a cohort of {programme.name}",
        submit_text="Add cohort",
        cancel=here,
        crumbs=[*_programmes_crumbs(slug), (programme.name, here)],
    )


def _cohort_page(
    request: HttpRequest,
    membership: Membership,
    pk: int,
    enrol_form: EnrolForm | None = None,
) -> HttpResponse:
    cohort = services.get_cohort_for(membership, pk)
    enrolments = list(services.enrolments_of(cohort))
    counts = {status: 0 for status in Enrolment.Status.values}
    for enrolment in enrolments:
        counts[enrolment.status] += 1
    context = _base(
        membership,
        cohort=cohort,
        programme=cohort.programme,
        enrolments=enrolments,
        counts=counts,
        enrol_form=enrol_form or EnrolForm(cohort=cohort),
        participation=doing.cohort_participation(cohort, enrolments),
    )
    return render(request, "capability/cohort.html", context)


@page_access(get=VIEW_CAPABILITY)
def cohort_detail(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    return _cohort_page(request, request.membership, pk)


@page_access(get=CHANGE_CAPABILITY, post=CHANGE_CAPABILITY)
def cohort_edit(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    cohort = services.get_cohort_for(membership, pk)
    form = CohortForm(posted(request), instance=cohort, programme=cohort.programme)
    if request.method == "POST" and form.is_valid():
        try:
            cohort = services.save_cohort(cohort, **form.cleaned_data)
        except VersionConflict:
            form.report_conflict()
        else:
            messages.success(request, f"Cohort {cohort.name} saved.")
            return redirect("capability:cohort", slug=slug, pk=pk)
    saved = services.get_cohort_for(membership, pk)
    programme_url = reverse(
        "capability:programme", kwargs={"slug": slug, "pk": saved.programme_id}
    )
    here = reverse("capability:cohort", kwargs={"slug": slug, "pk": pk})
    return _form_page(
        request,
        membership,
        form,
        heading=f"Change {saved.name}",
        submit_text="Save changes",
        cancel=here,
        crumbs=[
            *_programmes_crumbs(slug),
            (saved.programme.name, programme_url),
            (saved.name, here),
        ],
    )


@page_access(post=CHANGE_CAPABILITY)
def enrol(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    cohort = services.get_cohort_for(membership, pk)
    form = EnrolForm(request.POST, cohort=cohort)
    if form.is_valid() and form.staff_record is not None:
        try:
            enrolment = services.enrol(cohort, form.staff_record)
        except services.AlreadyEnrolled as refused:
            form.add_error("person", str(refused))
        else:
            messages.success(
                request,
                f"{enrolment.staff_record.reference} enrolled in {cohort.name}.",
            )
            return redirect("capability:cohort", slug=slug, pk=pk)
    return _cohort_page(request, membership, pk, enrol_form=form)


@page_access(get=CHANGE_CAPABILITY, post=CHANGE_CAPABILITY)
def enrolment_edit(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    enrolment = services.get_enrolment_for(membership, pk)
    cohort = enrolment.cohort
    form = EnrolmentStatusForm(posted(request), instance=enrolment)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_enrolment_status(
                enrolment,
                form.cleaned_data["status"],
                form.cleaned_data.get("completed_on"),
            )
        except VersionConflict:
            form.report_conflict()
        else:
            if enrolment.status == Enrolment.Status.COMPLETED:
                done = (
                    f"{enrolment.staff_record.reference} completed "
                    f"{cohort.programme.level.name} on {enrolment.completed_on:%-d %B %Y}."
                )
            else:
                done = (
                    f"{enrolment.staff_record.reference} is "
                    f"{enrolment.get_status_display().lower()}."
                )
            messages.success(request, done)
            return redirect("capability:cohort", slug=slug, pk=cohort.pk)
    saved = services.get_enrolment_for(membership, pk)
    programme_url = reverse(
        "capability:programme", kwargs={"slug": slug, "pk": cohort.programme_id}
    )
    cohort_url = reverse("capability:cohort", kwargs={"slug": slug, "pk": cohort.pk})
    return _form_page(
        request,
        membership,
        form,
        heading=f"{saved.staff_record.reference} in {cohort.name}",
        caption=f"{cohort.programme.name}: {cohort.programme.level.name}",
        submit_text="Save",
        cancel=cohort_url,
        crumbs=[
            *_programmes_crumbs(slug),
            (cohort.programme.name, programme_url),
            (cohort.name, cohort_url),
        ],
    )


# Targets -------------------------------------------------------------------------


@page_access(get=VIEW_CAPABILITY)
def target_list(request: MemberRequest, slug: str) -> HttpResponse:
    membership = request.membership
    targets = services.targets_for(membership.organisation)
    context = _base(
        membership,
        targets=targets,
        has_levels=services.levels_for(membership.organisation).exists(),
    )
    return render(request, "capability/targets.html", context)


def _targets_crumbs(slug: str) -> list[tuple[str, str]]:
    return [("Targets", reverse("capability:targets", kwargs={"slug": slug}))]


@page_access(get=CHANGE_CAPABILITY, post=CHANGE_CAPABILITY)
def target_create(request: MemberRequest, slug: str) -> HttpResponse:
    membership = request.membership
    form = TargetForm(posted(request), organisation=membership.organisation)
    if request.method == "POST" and form.is_valid():
        target = services.save_target(form.instance, **form.cleaned_data)
        messages.success(request, f"Target for {target.level.name} added.")
        return redirect("capability:targets", slug=slug)
    return _form_page(
        request,
        membership,
        form,
        heading="Add a target",
        submit_text="Add target",
        cancel=reverse("capability:targets", kwargs={"slug": slug}),
        crumbs=_targets_crumbs(slug),
    )


@page_access(get=CHANGE_CAPABILITY, post=CHANGE_CAPABILITY)
def target_edit(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    target = services.get_target_for(membership, pk)
    form = TargetForm(
        posted(request), instance=target, organisation=membership.organisation
    )
    if request.method == "POST" and form.is_valid():
        try:
            target = services.save_target(target, **form.cleaned_data)
        except VersionConflict:
            form.report_conflict()
        else:
            messages.success(request, f"Target for {target.level.name} saved.")
            return redirect("capability:targets", slug=slug)
    saved = services.get_target_for(membership, pk)
    return render(
        request,
        "capability/target_form.html",
        _base(
            membership,
            form=form,
            target=saved,
            heading=f"Change the target for {saved.level.name}",
            submit_text="Save changes",
            cancel=reverse("capability:targets", kwargs={"slug": slug}),
            crumbs=_targets_crumbs(slug),
        ),
    )


@page_access(post=CHANGE_CAPABILITY)
def target_delete(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    target = services.get_target_for(membership, pk)
    target.delete()
    messages.success(request, f"Target for {target.level.name} deleted.")
    return redirect("capability:targets", slug=slug)


# A person's training record ------------------------------------------------------


@page_access(get=VIEW_TRAINING_RECORDS)
def staff_search(request: MemberRequest, slug: str) -> HttpResponse:
    membership = request.membership
    form = StaffSearchForm(
        request.GET if "person" in request.GET else None,
        organisation=membership.organisation,
    )
    if form.is_valid() and form.staff_record is not None:
        return redirect("capability:staff_record", slug=slug, pk=form.staff_record.pk)
    return render(request, "capability/staff_search.html", _base(membership, form=form))


@page_access(get=VIEW_TRAINING_RECORDS)
def staff_record(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    person = services.get_staff_record_for(membership, pk)
    form = RecordCompletionForm(
        organisation=membership.organisation, staff_record=person
    )  # shown to those who may change capability (removal_views.completion_add)
    record = services.training_record(person)
    return render(
        request,
        "capability/staff_record.html",
        _base(membership, record=record, completion_form=form),
    )


@page_access(get=ERASE_TRAINING_RECORD, post=ERASE_TRAINING_RECORD)
def staff_erase(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    person = services.get_staff_record_for(membership, pk)
    form = EraseForm(posted(request))
    if request.method == "POST" and form.is_valid():
        erased = services.erase_training_record(person)
        messages.success(
            request,
            f"The training record of {person.reference} is erased: "
            f"{erased.enrolments} enrolment{'' if erased.enrolments == 1 else 's'} "
            f"deleted, {erased.completions} completion"
            f"{' is' if erased.completions == 1 else 's are'} still counted without "
            "naming them.",
        )
        return redirect("capability:staff_record", slug=slug, pk=pk)
    record = services.training_record(person)
    return render(
        request, "capability/erase.html", _base(membership, form=form, record=record)
    )
