"""Who is calling: a personal API token, or the session of a signed-in browser.

A token is tried first, so a script never trips over CSRF. A token that is
sent but not valid is refused outright (401) rather than falling back to the
session, so a revoked token is noticed at once.
"""

from __future__ import annotations

from typing import Any, cast

from allauth.core.internal import ratelimit
from django.conf import settings
from django.http import HttpRequest
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from openqi.accounts.mfa import mfa_missing_for
from openqi.accounts.middleware import MFA_REQUIRED_API
from openqi.accounts.models import ApiToken, User
from openqi.core.acting import set_actor

BAD_TOKEN = (
    "That API token is not valid: it may be mistyped, revoked or expired. "
    "Send it as 'Authorization: Bearer oqi_…', or create a new one at /accounts/tokens/."
)
TOO_MANY_BAD_TOKENS = (
    "Too many requests with an API token that is not valid have come from your "
    "address. Wait a minute, then try again with a valid token."
)
TOO_MANY_CALLS = (
    "Too many API requests for your account in the last minute. Wait a minute, "
    "then try again, and space out the requests of your scripts."
)
CSRF_FAILED = (
    "The CSRF check failed. A browser session that changes data must send the "
    "csrftoken cookie's value in an X-CSRFToken header; scripts should use an API token."
)


def caller(request: HttpRequest) -> User:
    """The person calling the API: django-ninja sets ``request.auth`` to what
    :class:`TokenAuth` or :class:`SessionAuth` returned (the stubs do not know it)."""
    user: User = cast(Any, request).auth
    return user


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
        # An address that has sent too many bad tokens is refused before any
        # look-up, so guessing stays slow even for a token that happens to match.
        if not _consume(request, "api_token_failed", dry_run=True):
            raise HttpError(429, TOO_MANY_BAD_TOKENS)
        user = ApiToken.user_for(token)
        if user is None:
            _consume(request, "api_token_failed")
            raise AuthenticationError(message=BAD_TOKEN)
        if not _consume(request, "api_token", key=f"user:{user.pk}"):
            raise HttpError(429, TOO_MANY_CALLS)
        slug = (request.resolver_match.kwargs if request.resolver_match else {}).get(
            "slug"
        )
        organisation = mfa_missing_for(user, slug) if slug else None
        if organisation is not None:
            raise HttpError(403, MFA_REQUIRED_API.format(organisation=organisation))
        set_actor(user, "api")
        return user


def _consume(
    request: HttpRequest, action: str, *, key: str | None = None, dry_run: bool = False
) -> bool:
    """Take one from the rate limit ``action`` (ACCOUNT_RATE_LIMITS); False when spent.

    allauth's public helper skips GET requests; every API call counts here.
    """
    usage = ratelimit.consume(
        request,
        app="allauth.account",
        action=action,
        key=key,
        dry_run=dry_run,
        limit_get=True,
    )
    return usage is not None


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
