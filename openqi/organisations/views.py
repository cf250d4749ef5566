"""The organisation pages: the home page, an organisation's overview, the unit
tree, members and invitations.

Each organisation page names the permission its methods need (``page_access``,
with the permissions of openqi/organisations/permissions.py): outsiders get a
404, members may look, administrators manage.
"""

from __future__ import annotations

import copy
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from openqi.core.mail import shows_mail_links
from openqi.core.requests import is_htmx, posted
from openqi.core.versioning import VersionConflict

from . import services
from .access import membership_for, organisations_for, require_delete
from .forms import (
    InvitationForm,
    MembershipForm,
    SecurityForm,
    SwitchForm,
    UnitForm,
)
from .models import Invitation, Membership, Organisation, Unit
from .permissions import (
    MANAGE_ORGANISATION,
    VIEW_ORGANISATION,
    MemberRequest,
    has,
    page_access,
)

#: The session key of the organisation chosen last (the home page goes there).
CURRENT_ORGANISATION = "current_organisation"
#: An organisation's home page (the reports app's dashboard, named, not imported:
#: it sits above this app).
HOME = "reports:home"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Go to the organisation last chosen, the only one, or a list to choose from.

    Personal, not an organisation's page: it lists the person's own organisations."""
    organisations = list(organisations_for(request.user))
    current = request.session.get(CURRENT_ORGANISATION)
    for organisation in organisations:
        if organisation.slug == current:
            return redirect(HOME, slug=organisation.slug)
    if len(organisations) == 1:
        return redirect(HOME, slug=organisations[0].slug)
    return render(request, "organisations/home.html", {"organisations": organisations})


@login_required
@require_POST
def switch(request: HttpRequest) -> HttpResponse:
    """Make another of the person's organisations the current one."""
    form = SwitchForm(request.POST)
    slug = form.cleaned_data["organisation"] if form.is_valid() else ""
    membership = membership_for(request.user, slug)
    request.session[CURRENT_ORGANISATION] = membership.organisation.slug
    return redirect(HOME, slug=membership.organisation.slug)


@page_access(get=VIEW_ORGANISATION)
def detail(request: MemberRequest, slug: str) -> HttpResponse:
    membership = request.membership
    organisation = membership.organisation
    if organisation.kind == Organisation.Kind.SYSTEM:
        providers = list(organisation.providers.order_by("name"))
    else:
        providers = []
    context = {
        "membership": membership,
        "organisation": organisation,
        "providers": providers,
        "unit_count": Unit.objects.for_organisation(organisation).count(),
        "member_count": Membership.objects.for_organisation(organisation).count(),
    }
    return render(request, "organisations/detail.html", context)


def _units_context(
    membership: Membership, form: UnitForm | None = None, editing: Unit | None = None
) -> dict[str, Any]:
    organisation = membership.organisation
    if form is None and has(membership, MANAGE_ORGANISATION):
        form = UnitForm(organisation=organisation)
    return {
        "membership": membership,
        "organisation": organisation,
        "tree": services.unit_tree(organisation),
        "form": form,
        "editing": editing,
    }


@page_access(get=VIEW_ORGANISATION)
def units(request: MemberRequest, slug: str) -> HttpResponse:
    membership = request.membership
    context = _units_context(membership)
    if is_htmx(request):
        return render(request, "organisations/_units.html", context)
    return render(request, "organisations/units.html", context)


def _unit_form_response(
    request: HttpRequest, membership: Membership, form: UnitForm, editing: Unit | None
) -> HttpResponse:
    """The form again (with its errors): the units fragment for htmx, else the form page."""
    if is_htmx(request):
        context = _units_context(membership, form, editing)
        context["focus_form"] = True  # its first field, or its error summary
        return render(request, "organisations/_units.html", context)
    context = {
        "membership": membership,
        "organisation": membership.organisation,
        "form": form,
        "editing": editing,
    }
    return render(request, "organisations/unit_form.html", context)


def _units_saved(
    request: HttpRequest, membership: Membership, message: str, unit: Unit
) -> HttpResponse:
    if is_htmx(request):
        context = _units_context(membership)
        context["notice"] = message
        context["focus_unit"] = unit.pk
        response = render(request, "organisations/_units.html", context)
        # Not to the form the swap started from: the unit saved takes focus (and
        # comes into view), the notice is announced.
        response["HX-Reswap"] = "outerHTML"
        return response
    messages.success(request, message)
    return redirect("organisations:units", slug=membership.organisation.slug)


@page_access(get=MANAGE_ORGANISATION, post=MANAGE_ORGANISATION)
def unit_create(request: MemberRequest, slug: str) -> HttpResponse:
    membership = request.membership
    organisation = membership.organisation
    form = UnitForm(posted(request), organisation=organisation)
    if request.method == "POST" and form.is_valid():
        unit = services.create_unit(organisation, **form.cleaned_data)
        return _units_saved(request, membership, f"{unit.name} added.", unit)
    return _unit_form_response(request, membership, form, None)


@page_access(get=MANAGE_ORGANISATION, post=MANAGE_ORGANISATION)
def unit_edit(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    organisation = membership.organisation
    unit = services.get_unit_for(membership, pk)
    editing = copy.copy(unit)  # the form changes ``unit`` as it validates
    form = UnitForm(posted(request), instance=unit, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.update_unit(unit, **form.cleaned_data)
        except VersionConflict:
            form.report_conflict()
        else:
            return _units_saved(request, membership, f"{unit.name} saved.", unit)
    return _unit_form_response(request, membership, form, editing)


@page_access(post=MANAGE_ORGANISATION)
def unit_delete(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    unit = services.get_unit_for(membership, pk)
    require_delete(
        membership,
        has_history=unit.has_history(),
        what="a unit with units under it or projects",
    )
    try:
        services.delete_unit(unit)
    except services.RuleBroken as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{unit.name} deleted.")
    return redirect("organisations:units", slug=slug)


@page_access(get=VIEW_ORGANISATION)
def members(request: MemberRequest, slug: str) -> HttpResponse:
    membership = request.membership
    organisation = membership.organisation
    people = (
        Membership.objects.for_organisation(organisation)
        .select_related("user", "unit")
        .order_by("user__full_name", "user__email")
    )
    context = {"membership": membership, "organisation": organisation, "people": people}
    return render(request, "organisations/members.html", context)


@page_access(get=MANAGE_ORGANISATION, post=MANAGE_ORGANISATION)
def member_edit(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    organisation = membership.organisation
    member = services.get_member_for(membership, pk)
    form = MembershipForm(posted(request), instance=member, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_role(
                member, role=form.cleaned_data["role"], unit=form.cleaned_data["unit"]
            )
        except services.RuleBroken as error:
            form.add_error("role", str(error))
        except VersionConflict:
            form.report_conflict()
        else:
            messages.success(request, f"{member.user} saved.")
            return redirect("organisations:members", slug=slug)
    context = {
        "membership": membership,
        "organisation": organisation,
        "member": member,
        "form": form,
    }
    return render(request, "organisations/member_form.html", context)


@page_access(post=MANAGE_ORGANISATION)
def member_remove(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    member = services.get_member_for(membership, pk)
    try:
        services.remove_member(member)
    except services.RuleBroken as error:
        messages.error(request, str(error))
        return redirect("organisations:members", slug=slug)
    if member.user_id == request.user.pk:
        messages.success(request, f"You have left {membership.organisation}.")
        request.session.pop(CURRENT_ORGANISATION, None)
        return redirect("core:home")
    messages.success(request, f"{member.user} removed from {membership.organisation}.")
    return redirect("organisations:members", slug=slug)


@page_access(get=MANAGE_ORGANISATION, post=MANAGE_ORGANISATION)
@shows_mail_links  # development: the next page shows the link the e-mail carries
def invitations(request: MemberRequest, slug: str) -> HttpResponse:
    """Open and past invitations, and the form to invite someone (administrators only)."""
    membership = request.membership
    organisation = membership.organisation
    form = InvitationForm(posted(request), organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invite(
                organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                unit=form.cleaned_data["unit"],
                invited_by=request.user,
                site_url=request.build_absolute_uri("/"),
            )
        except services.RuleBroken as error:
            form.add_error("email", str(error))
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("organisations:invitations", slug=slug)
    everyone = Invitation.objects.for_organisation(organisation).select_related(
        "unit", "invited_by"
    )
    is_open = Q(accepted_at=None, revoked_at=None, expires_at__gt=timezone.now())
    open_invitations = everyone.filter(is_open).order_by("email")
    past_invitations = everyone.exclude(is_open).order_by("-created_at")[:50]
    context = {
        "membership": membership,
        "organisation": organisation,
        "form": form,
        "open_invitations": open_invitations,
        "past_invitations": past_invitations,
    }
    return render(request, "organisations/invitations.html", context)


@page_access(post=MANAGE_ORGANISATION)
def invitation_revoke(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    invitation = services.get_invitation_for(membership, pk)
    try:
        services.revoke_invitation(invitation)
    except services.RuleBroken as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Invitation for {invitation.email} revoked.")
    return redirect("organisations:invitations", slug=slug)


@page_access(get=MANAGE_ORGANISATION, post=MANAGE_ORGANISATION)
def security(request: MemberRequest, slug: str) -> HttpResponse:
    """The organisation's sign-in rules: whether administrators must use MFA."""
    from allauth.mfa.utils import is_mfa_enabled

    membership = request.membership
    organisation = membership.organisation
    form = SecurityForm(
        posted(request),
        initial={"admins_must_use_mfa": organisation.admins_must_use_mfa},
    )
    if request.method == "POST" and form.is_valid():
        required = form.cleaned_data["admins_must_use_mfa"]
        if required and not is_mfa_enabled(request.user):
            form.add_error(
                "admins_must_use_mfa",
                "Set up multi-factor authentication for yourself first, so you are "
                "not locked out of these pages.",
            )
        else:
            organisation.admins_must_use_mfa = required
            organisation.save(update_fields=["admins_must_use_mfa"])
            messages.success(request, "The sign-in rules have been saved.")
            return redirect("organisations:security", slug=slug)
    context = {"membership": membership, "organisation": organisation, "form": form}
    return render(request, "organisations/security.html", context)
