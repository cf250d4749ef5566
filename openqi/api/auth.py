"""Who is calling: a personal API token, or the session of a signed-in browser.

A token is tried first, so a script never trips over CSRF. A token that is
sent but not valid is refused outright (401) rather than falling back to the
session, so a revoked token is noticed at once.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from openqi.accounts.models import ApiToken
from openqi.audit.services import set_actor

BAD_TOKEN = (
    "That API token is not valid: it may be mistyped, revoked or expired. "
    "Send it as 'Authorization: Bearer oqi_…', or create a new one at /accounts/tokens/."
)
CSRF_FAILED = (
    "The CSRF check failed. A browser session that changes data must send the "
    "csrftoken cookie's value in an X-CSRFToken header; scripts should use an API token."
)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer oqi_…``, checked with :meth:`ApiToken.user_for`."""

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization")
        if not header:
            return None
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise AuthenticationError(message=BAD_TOKEN)
        return self.authenticate(request, raw.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = ApiToken.user_for(token)
        if user is None:
            raise AuthenticationError(message=BAD_TOKEN)
        set_actor(user, "api")
        return user


class SessionAuth(APIKeyCookie):
    """The browser's Django session, with CSRF enforced for unsafe methods."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any:
        # Unlike ninja's django_auth, an anonymous request is a 401, not a CSRF 403.
        if not request.user.is_authenticated:
            return None
        if check_csrf(request) is not None:
            raise HttpError(403, CSRF_FAILED)
        return request.user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return request.user if request.user.is_authenticated else None
