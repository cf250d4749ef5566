"""How django-allauth fits OpenQI: its words, who may sign up, and the sign-in trail.

People join OpenQI through invitations only: allauth's own sign-up page is
closed, and signing in through the organisation's identity provider creates an
account only for an address with an open invitation (docs/configuration.md).
"""

from __future__ import annotations

import logging
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from openqi.audit.signins import record_sign_in_event
from openqi.organisations.models import Invitation

from .models import User

logger = logging.getLogger(__name__)


def lockout_message() -> str:
    minutes = settings.SIGN_IN_LOCKOUT_MINUTES
    return (
        "You have tried to sign in too many times, so signing in is locked for now. "
        f"Wait {minutes} minutes, then try again. If you have forgotten your "
        "password, reset it with the link “Forgotten your password?” below."
    )


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": "The e-mail address or password is not right. Check them and try again.",
    }

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        # Built per adapter, so a changed lockout setting shows in the message.
        self.error_messages = {
            **self.error_messages,
            "too_many_login_attempts": lockout_message(),
        }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except Exception:
            email = str(credentials.get("email", ""))
            record_sign_in_event(
                request,
                "locked_out",
                user=User.objects.filter(email__iexact=email).first(),
                email=email,
            )
            raise

    def authenticate(self, request: HttpRequest, **credentials: Any) -> Any:
        # An inactive account gets the same answer as a wrong password, so the
        # page does not tell who has an account.
        user = super().authenticate(request, **credentials)
        return user if user is not None and user.is_active else None

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return reverse("core:home")


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Sign-in through the organisation's OpenID Connect identity provider."""

    def pre_social_login(self, request: HttpRequest, sociallogin: Any) -> None:
        # The provider vouches for the address (OPENQI_OIDC_TRUST_EMAIL, or its
        # email_verified claim): it signs in the OpenQI account with that address.
        if sociallogin.is_existing:
            return
        email = _trusted_email(sociallogin)
        user = User.objects.filter(email__iexact=email).first() if email else None
        if user is not None and user.is_active:
            sociallogin.connect(request, user)

    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        email = _trusted_email(sociallogin)
        return bool(email) and (
            Invitation.objects.filter(
                email__iexact=email,
                accepted_at=None,
                revoked_at=None,
                expires_at__gt=timezone.now(),
            ).exists()
        )

    def is_auto_signup_allowed(self, request: HttpRequest, sociallogin: Any) -> bool:
        return True

    def populate_user(self, request: HttpRequest, sociallogin: Any, data: Any) -> Any:
        user = super().populate_user(request, sociallogin, data)
        user.email = (user.email or "").strip().lower()
        name = data.get("name") or " ".join(
            part for part in (data.get("first_name"), data.get("last_name")) if part
        )
        user.full_name = (name or user.email)[:150]
        return user


def _trusted_email(sociallogin: Any) -> str:
    trust_all = settings.SOCIALACCOUNT_PROVIDERS["openid_connect"].get(
        "TRUST_EMAIL", True
    )
    for address in sociallogin.email_addresses:
        if address.email and (trust_all or address.verified):
            return str(address.email).strip().lower()
    return ""
