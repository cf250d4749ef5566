"""Signing in and out, passwords, invitations, the profile and personal API tokens.

None of these pages belongs to an organisation: they are about the person, so
they look things up through ``request.user`` (tokens) or a secret (invitations).
"""

from __future__ import annotations

from typing import Any, cast

from allauth.core import ratelimit
from allauth.core.internal.ratelimit import decorator as ratelimit_decorator
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.messages.views import SuccessMessageMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from openqi.audit.models import SignInEvent
from openqi.audit.signins import record_sign_in_event
from openqi.core.mail import shows_mail_links
from openqi.organisations.models import Invitation

from . import services
from .adapters import lockout_message
from .forms import (
    ChangePasswordForm,
    NewPasswordForm,
    NewPersonForm,
    PasswordResetRequestForm,
    ProfileForm,
    SignInForm,
    TokenForm,
)
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
    """Sign in with e-mail and password through allauth's flow, which asks for the
    second factor of someone with MFA, or through the organisation's identity provider."""
    form = SignInForm(
        request.POST if request.method == "POST" else None, request=request
    )
    problem = None
    if request.method == "POST":
        if not ratelimit.consume(request, action="login"):
            problem = lockout_message()
            form = SignInForm(request=request)
        elif form.is_valid():
            return form.login(request, redirect_url=_next_url(request))
        else:  # never send the password typed back in the page
            form.data = form.data.copy()
            form.data["password"] = ""
    return render(
        request,
        "accounts/sign_in.html",
        {
            "form": form,
            "problem": problem,
            "next": request.POST.get("next") or request.GET.get("next", ""),
            "identity_providers": identity_providers(request),
            "passkey_login": mfa_settings.PASSKEY_LOGIN_ENABLED,
        },
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """Sign out; ``next`` (a page on this site, such as an invitation) comes after."""
    go_on = request.POST.get("next", "")
    logout(request)
    messages.success(request, "You have signed out.")
    if go_on and url_has_allowed_host_and_scheme(
        go_on, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(go_on)
    return redirect("accounts:sign_in")


RESET_LIMITED = (
    "You have asked to reset the password too many times. Wait an hour, then try "
    "again, or ask an administrator of your organisation for help."
)


class _PasswordReset(auth_views.PasswordResetView):
    """Django's reset page, rate-limited per address and per IP address."""

    def form_valid(self, form: Any) -> HttpResponse:
        email = form.cleaned_data["email"].strip().lower()
        if not ratelimit.consume(self.request, action="reset_password", key=email):
            form.add_error(None, RESET_LIMITED)
            return self.form_invalid(form)
        record_sign_in_event(
            self.request,
            "password_reset_requested",
            user=_account_for(email),
            email=email,
        )
        return super().form_valid(form)


password_reset = shows_mail_links(
    _PasswordReset.as_view(
        template_name="accounts/password_reset.html",
        form_class=PasswordResetRequestForm,
        email_template_name="accounts/email/password_reset.txt",
        subject_template_name="accounts/email/password_reset_subject.txt",
        success_url=reverse_lazy("accounts:password_reset_done"),
    )
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)
password_reset_confirm = ratelimit_decorator(
    app="allauth.account", action="reset_password_from_key"
)(
    auth_views.PasswordResetConfirmView.as_view(
        template_name="accounts/password_reset_confirm.html",
        form_class=NewPasswordForm,
        success_url=reverse_lazy("accounts:password_reset_complete"),
    )
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)


class _PasswordChange(SuccessMessageMixin, auth_views.PasswordChangeView):
    def get_success_message(self, cleaned_data: dict[str, Any]) -> str:
        revoked = getattr(self.request.user, "revoked_token_count", 0)
        if not revoked:
            return "Your password has been changed."
        tokens = "API token has" if revoked == 1 else f"{revoked} API tokens have"
        return (
            f"Your password has been changed. Your {tokens} been revoked, as they "
            "are whenever the password changes: create new ones for your scripts."
        )


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
    user = cast(User, request.user) if signed_in else None
    if user is not None and not services.is_invited_person(found, user):
        # Bound to the address it was sent to: someone signed in as another
        # person must not pick up its role (nor its organisation).
        context["someone_else"] = True
        return render(
            request,
            "accounts/invitation.html",
            context,
            status=403 if request.method == "POST" else 200,
        )
    has_account = signed_in or services.has_account(found.email)
    form = None
    if not has_account:
        form = NewPersonForm(
            found.email, request.POST if request.method == "POST" else None
        )
    person: User | services.NewPerson | None = None
    if request.method == "POST":
        if user is not None:
            person = user
        elif form is not None and form.is_valid():
            person = services.NewPerson(
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
            )
    if person is not None:
        try:
            membership = services.accept_invitation(found, person)
        except services.InvitationForSomeoneElse:
            context["someone_else"] = True
            return render(request, "accounts/invitation.html", context, status=403)
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


def _account_for(email: str) -> User | None:
    """The account the address typed belongs to, to record the event against (never shown)."""
    return User.objects.filter(email__iexact=email).first()  # access: see docstring


def _own_sign_in_events(user: Any) -> Any:
    return SignInEvent.objects.filter(user=user)[:10]  # access: the person's own


def identity_providers(request: HttpRequest) -> list[dict[str, str]]:
    """The OpenID Connect providers set up for signing in (OPENQI_OIDC_*)."""
    return [
        {
            "name": app.name,
            "url": reverse(
                "openid_connect_login", kwargs={"provider_id": app.provider_id}
            ),
        }
        for app in get_social_adapter().list_apps(request, provider="openid_connect")
    ]


def _organisation_url(slug: str) -> str:
    return reverse("reports:home", kwargs={"slug": slug})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(
        request.POST if request.method == "POST" else None, instance=request.user
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your name has been saved.")
        return redirect("accounts:profile")
    user = cast(User, request.user)  # login_required: a signed-in person
    memberships = user.memberships.select_related("organisation")
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "memberships": memberships,
            "is_mfa_enabled": is_mfa_enabled(request.user),
            "passkey_count": Authenticator.objects.filter(  # access: their own
                user=request.user, type=Authenticator.Type.WEBAUTHN
            ).count(),
            "sign_in_events": _own_sign_in_events(request.user),
        },
    )


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """List the person's API tokens and issue a new one (its secret is shown only in this response)."""
    form = TokenForm(request.POST if request.method == "POST" else None)
    issued = None
    if request.method == "POST" and form.is_valid():
        token, raw = ApiToken.issue(
            cast(User, request.user),  # login_required: a signed-in person
            form.cleaned_data["name"],
        )
        record_sign_in_event(
            request, "token_issued", user=request.user, detail=str(token)
        )
        issued = {"token": token, "raw": raw}
        form = TokenForm()
    context = {
        "form": form,
        "issued": issued,
        "tokens": cast(User, request.user).api_tokens.all(),  # login_required
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
        record_sign_in_event(
            request, "token_revoked", user=request.user, detail=str(token)
        )
        messages.success(request, f"The token “{token.name}” has been revoked.")
    return redirect("accounts:tokens")
