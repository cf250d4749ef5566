"""Attributes every change made while handling a request to the signed-in person."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from openqi.core.acting import acting_as


class AuditUserMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        via = "api" if request.path.startswith("/api/") else "web"
        with acting_as(user, via):
            return self.get_response(request)
