"""Signing in and out, passwords, invitations, the profile and personal API tokens.

None of these pages belongs to an organisation: they are about the person, so
they look things up through ``request.user`` (tokens) or a secret (invitations).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.messages.views import SuccessMessageMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from openqi.organisations.models import Invitation

from . import services
from .forms import (
    ChangePasswordForm,
    NewPasswordForm,
    NewPersonForm,
    ProfileForm,
    SignInForm,
    TokenForm,
)
from .mail import shows_mail_links
from .models import ApiToken, User


def _next_url(request: HttpRequest) -> str:
    """Where to go after signing in: ``next`` when it is on this site, else home."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("core:home")


@sensitive_post_parameters("password")
@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        login(request, form.user)
        return redirect(_next_url(request))
    return render(
        request,
        "accounts/sign_in.html",
        {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")},
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, "You have signed out.")
    return redirect("accounts:sign_in")


password_reset = shows_mail_links(
    auth_views.PasswordResetView.as_view(
        template_name="accounts/password_reset.html",
        email_template_name="accounts/email/password_reset.txt",
        subject_template_name="accounts/email/password_reset_subject.txt",
        success_url=reverse_lazy("accounts:password_reset_done"),
    )
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/password_reset_confirm.html",
    form_class=NewPasswordForm,
    success_url=reverse_lazy("accounts:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)


class _PasswordChange(SuccessMessageMixin, auth_views.PasswordChangeView):
    success_message = "Your password has been changed."


password_change = _PasswordChange.as_view(
    template_name="accounts/password_change.html",
    form_class=ChangePasswordForm,
    success_url=reverse_lazy("accounts:profile"),
)


@sensitive_post_parameters("password1", "password2")
@never_cache
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Accept an invitation: a new person sets a name and password; a signed-in one just accepts."""
    found = Invitation.find(token)
    if found is None:
        raise Http404("No such invitation")
    context: dict[str, Any] = {
        "invitation": found,
        "problem": services.invitation_problem(found),
    }
    if context["problem"]:
        return render(request, "accounts/invitation.html", context)
    signed_in = request.user.is_authenticated
    has_account = signed_in or services.has_account(found.email)
    form = None
    if not has_account:
        form = NewPersonForm(
            found.email, request.POST if request.method == "POST" else None
        )
    if request.method == "POST" and (
        signed_in or (form is not None and form.is_valid())
    ):
        person: User | services.NewPerson = (
            request.user  # type: ignore[assignment]
            if signed_in
            else services.NewPerson(
                full_name=form.cleaned_data["full_name"],  # type: ignore[union-attr]
                password=form.cleaned_data["password1"],  # type: ignore[union-attr]
            )
        )
        try:
            membership = services.accept_invitation(found, person)
        except services.InvitationClosed:
            found.refresh_from_db()
            context["problem"] = services.invitation_problem(found)
            return render(request, "accounts/invitation.html", context)
        if not signed_in:
            login(
                request,
                membership.user,
                backend="django.contrib.auth.backends.ModelBackend",
            )
        messages.success(request, f"You have joined {membership.organisation.name}.")
        return redirect(_organisation_url(membership.organisation.slug))
    context.update({"form": form, "has_account": has_account, "signed_in": signed_in})
    return render(request, "accounts/invitation.html", context)


def _organisation_url(slug: str) -> str:
    try:
        return reverse("organisations:detail", kwargs={"slug": slug})
    except (
        NoReverseMatch
    ):  # the organisation pages are another app's; home works without them
        return reverse("core:home")


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(
        request.POST if request.method == "POST" else None, instance=request.user
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your name has been saved.")
        return redirect("accounts:profile")
    memberships = request.user.memberships.select_related("organisation")  # type: ignore[union-attr]
    return render(
        request, "accounts/profile.html", {"form": form, "memberships": memberships}
    )


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """List the person's API tokens and issue a new one (its secret is shown only in this response)."""
    form = TokenForm(request.POST if request.method == "POST" else None)
    issued = None
    if request.method == "POST" and form.is_valid():
        token, raw = ApiToken.issue(request.user, form.cleaned_data["name"])  # type: ignore[arg-type]
        issued = {"token": token, "raw": raw}
        form = TokenForm()
    context = {
        "form": form,
        "issued": issued,
        "tokens": request.user.api_tokens.all(),  # type: ignore[union-attr]
        "now": timezone.now(),
    }
    return render(request, "accounts/tokens.html", context)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        messages.success(request, f"The token “{token.name}” has been revoked.")
    return redirect("accounts:tokens")
