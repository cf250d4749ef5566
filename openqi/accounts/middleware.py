"""Sends an administrator to set up MFA before their organisation's pages, when it asks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from .mfa import must_set_up_mfa

MFA_REQUIRED_API = (
    "{organisation} asks its administrators to use multi-factor authentication. "
    "Set it up at /accounts/2fa/ before using its data."
)


class AdministratorMfaMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        slug = view_kwargs.get("slug")
        if not isinstance(slug, str) or not request.path.startswith(
            ("/organisations/", "/api/")
        ):
            return None
        organisation = must_set_up_mfa(request, slug)
        if organisation is None:
            return None
        if request.path.startswith("/api/"):
            message = MFA_REQUIRED_API.format(organisation=organisation)
            return JsonResponse({"error": message, "status": 403}, status=403)
        messages.warning(
            request,
            f"{organisation} asks its administrators to use multi-factor "
            "authentication. Set up an authenticator app to continue.",
        )
        return redirect("mfa_index")
