"""Sign-in events onto the audit trail, from Django's and allauth's signals."""

from __future__ import annotations

from typing import Any

from allauth.mfa.signals import authenticator_added, authenticator_removed
from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)

from openqi.audit.signins import record_sign_in_event

from .models import User


def _signed_in(sender: Any, request: Any, user: Any, **_: Any) -> None:
    record_sign_in_event(request, "signed_in", user=user)


def _signed_out(sender: Any, request: Any, user: Any, **_: Any) -> None:
    if user is not None:
        record_sign_in_event(request, "signed_out", user=user)


def _sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **_: Any
) -> None:
    email = str(credentials.get("email") or credentials.get("username") or "")
    record_sign_in_event(
        request,
        "sign_in_failed",
        user=User.objects.filter(email__iexact=email).first() if email else None,
        email=email,
    )


def _mfa_added(
    sender: Any, request: Any, user: Any, authenticator: Any, **_: Any
) -> None:
    record_sign_in_event(
        request, "mfa_added", user=user, detail=authenticator.get_type_display()
    )


def _mfa_removed(
    sender: Any, request: Any, user: Any, authenticator: Any, **_: Any
) -> None:
    record_sign_in_event(
        request, "mfa_removed", user=user, detail=authenticator.get_type_display()
    )


def connect() -> None:
    user_logged_in.connect(_signed_in, dispatch_uid="openqi-signed-in")
    user_logged_out.connect(_signed_out, dispatch_uid="openqi-signed-out")
    user_login_failed.connect(_sign_in_failed, dispatch_uid="openqi-sign-in-failed")
    authenticator_added.connect(_mfa_added, dispatch_uid="openqi-mfa-added")
    authenticator_removed.connect(_mfa_removed, dispatch_uid="openqi-mfa-removed")
