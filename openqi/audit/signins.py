"""Recording sign-in events (:class:`SignInEvent`): the person's side of the audit trail."""

from __future__ import annotations

import ipaddress
import logging
from typing import Any

from django.http import HttpRequest

from .models import SignInEvent

logger = logging.getLogger(__name__)


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    try:
        from allauth.core.internal.ratelimit import get_ip

        address = get_ip(request)
    except Exception:  # no address to be had (a test request, a bad proxy header)
        address = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def record_sign_in_event(
    request: HttpRequest | None,
    kind: str,
    *,
    user: Any = None,
    email: str = "",
    detail: str = "",
) -> SignInEvent:
    """Store one event about ``user`` (or the address tried, when there is no account)."""
    if user is not None and not getattr(user, "pk", None):
        user = None
    event = SignInEvent.objects.create(
        user=user,
        email=(email or getattr(user, "email", "") or "")[:254],
        kind=kind,
        detail=detail[:200],
        ip_address=_client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request else "")[:200],
    )
    logger.info("sign-in event %s for %s from %s", kind, event.email, event.ip_address)
    return event
