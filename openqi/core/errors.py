"""The error pages, in the NHS.UK layout (wired as handler400/404/403/500 in openqi/web/urls.py)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import defaults

logger = logging.getLogger(__name__)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _api_error(message: str, status: int) -> JsonResponse:
    """The API's one error shape, for errors raised outside the API's own handlers."""
    return JsonResponse({"error": message, "status": status}, status=status)


def bad_request(
    request: HttpRequest, exception: Exception | None = None
) -> HttpResponse:
    """Django's 400, except that a body over DATA_UPLOAD_MAX_MEMORY_SIZE is a 413."""
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if _is_api(request):
            return _api_error(
                f"The request body is larger than the {limit:,} bytes one request "
                "may carry; send less at once (for data points, in smaller batches).",
                413,
            )
        return render(request, "413.html", {"limit": limit}, status=413)
    return defaults.bad_request(request, exception or Exception())


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _api_error(
            f"There is no API endpoint at {request.path}; see /api/v1/openapi.json for the list.",
            404,
        )
    return render(request, "404.html", status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    reason = str(exception) if exception and str(exception) else ""
    if _is_api(request):
        return _api_error(reason or "You do not have permission to do this.", 403)
    return render(request, "403.html", {"reason": reason}, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return _api_error(
            "Something went wrong on the server; it has been logged.", 500
        )
    try:
        return render(request, "500.html", status=500)
    except (
        Exception
    ):  # the layout itself failed: fall back to plain text, never a second 500 page
        logger.exception("the 500 page could not be rendered")
        return HttpResponse(
            "Sorry, there is a problem with OpenQI. Try again later.",
            content_type="text/plain",
            status=500,
        )
