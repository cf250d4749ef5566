"""What every view asks of a request: the form data to bind, and whether htmx sent it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def posted(request: HttpRequest) -> Any:
    """The form data to bind: the POST body (even an empty one), or None for a GET,
    so a form on a GET is unbound and shows no errors."""
    return request.POST if request.method == "POST" else None


def is_htmx(request: HttpRequest) -> bool:
    """Whether htmx sent the request (it answers with a fragment, not the page:
    docs/architecture.md "Front-end behaviour")."""
    return bool(request.headers.get("HX-Request"))
