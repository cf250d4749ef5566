"""One error shape for the whole API: ``{"error": "...", "status": 400}``.

Every exception an operation can raise is turned into that shape here, with a
message that says what is wrong and how to put it right. 422 responses add
``details``: one entry per field. Outside the operations, ``not_found`` answers
every path under /api/ that nothing serves, and ``JsonErrorsMiddleware`` turns any
other error under /api/ (Django's debug pages, a bad Host header) into the shape:
no HTML is ever answered under /api/.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.exceptions import ValidationError as ModelValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError

from openqi.core.versioning import VersionConflict
from openqi.organisations.services import RuleBroken

from .parsing import OutOfBounds

logger = logging.getLogger(__name__)

SIGN_IN_FIRST = (
    "Sign in first: send the session cookie of a signed-in browser, or a personal "
    "API token in an 'Authorization: Bearer oqi_…' header (create one at /accounts/tokens/)."
)

SOMETHING_WENT_WRONG = (
    "Something went wrong on our side; the error has been logged. Try again later, "
    "and if it keeps happening tell your OpenQI administrator."
)


class InvalidInput(Exception):
    """Input that failed the same form checks the pages use; ``errors`` maps field → messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__(errors)


def error_response(
    status: int, message: str, details: list[dict[str, Any]] | None = None
) -> JsonResponse:
    body: dict[str, Any] = {"error": message, "status": status}
    if details is not None:
        body["details"] = details
    return JsonResponse(body, status=status)


def _invalid(details: list[dict[str, Any]]) -> JsonResponse:
    summary = "; ".join(f"{d['field']}: {d['message']}" for d in details)
    return error_response(
        422,
        f"The request has invalid input ({summary}). Correct the fields listed in "
        "details and send it again.",
        details,
    )


def _schema_invalid(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
    details = []
    for error in exc.errors:
        where = [str(part) for part in error.get("loc", ())]
        # ninja's locations look like ["body", "payload", "name"] or ["query", "limit"].
        field = where[-1] if len(where) > 1 else (where[0] if where else "body")
        if error.get("type") == "json_invalid":
            field = "body"
        details.append(
            {
                "field": field,
                "location": where[0] if where else "body",
                "message": error.get("msg", "is not valid"),
            }
        )
    return _invalid(details)


def _form_invalid(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
    details = [
        {"field": field, "location": "body", "message": message}
        for field, messages in exc.errors.items()
        for message in messages
    ]
    return _invalid(details)


def _model_invalid(request: HttpRequest, exc: ModelValidationError) -> HttpResponse:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"body": exc.messages}
    return _form_invalid(request, InvalidInput(errors))


def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    message = exc.message if exc.message != "Unauthorized" else SIGN_IN_FIRST
    response = error_response(401, message)
    response["WWW-Authenticate"] = 'Bearer realm="OpenQI API"'
    return response


def _out_of_bounds(request: HttpRequest, exc: OutOfBounds) -> HttpResponse:
    return _invalid(
        [{"field": exc.field, "location": exc.location, "message": exc.message}]
    )


def too_large_message(request: HttpRequest) -> str:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return (
        f"The request body is larger than the {limit:,} bytes one request may carry; "
        "send less at once (for data points, in smaller batches)."
    )


def _too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error_response(413, too_large_message(request))


def _suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    # Django's own refusals (too many fields, say) are a 400, never a 500.
    logger.warning("Refused %s %s: %s", request.method, request.path, exc)
    return error_response(
        400, f"The request was refused: {exc}. Send a smaller, well-formed request."
    )


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, OutOfBounds):  # ninja wraps the parser's errors
        return _out_of_bounds(request, exc.__cause__)
    if isinstance(exc.__cause__, RequestDataTooBig):
        return _too_large(request, exc.__cause__)
    message = exc.message
    if message.startswith("Cannot parse request body"):  # ninja's words for bad JSON
        message = (
            "The request body is not valid JSON. Send a JSON object with the header "
            "'Content-Type: application/json'."
        )
    return error_response(exc.status_code, message)


def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    reason = str(exc) or "You do not have permission to do this."
    return error_response(
        403,
        f"{reason} Ask an administrator of the organisation if you need more access.",
    )


def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(404, str(exc) or f"Nothing found at {request.path}.")


def _conflict(request: HttpRequest, exc: RuleBroken) -> HttpResponse:
    return error_response(409, str(exc))


def _stale(request: HttpRequest, exc: VersionConflict) -> HttpResponse:
    return error_response(409, str(exc))


def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path)
    return error_response(500, SOMETHING_WENT_WRONG)


def method_not_allowed(request: HttpRequest, allowed: list[str]) -> JsonResponse:
    response = error_response(
        405,
        f"{request.method} is not allowed on {request.path}; "
        f"use {', '.join(sorted(allowed))}.",
    )
    response["Allow"] = ", ".join(sorted(allowed))
    return response


def install(api: NinjaAPI) -> None:
    """Replace ninja's default error handlers with ours."""

    def handle(
        exception: type[Exception], handler: Callable[[HttpRequest, Any], HttpResponse]
    ) -> None:
        # Each handler takes its own exception class, which ninja's stubs cannot say.
        api.add_exception_handler(exception, handler)

    handle(Exception, _unexpected)
    handle(Http404, _not_found)
    handle(PermissionDenied, _forbidden)
    handle(HttpError, _http_error)
    handle(AuthenticationError, _unauthenticated)
    handle(SchemaValidationError, _schema_invalid)
    handle(ModelValidationError, _model_invalid)
    handle(InvalidInput, _form_invalid)
    handle(RuleBroken, _conflict)
    handle(OutOfBounds, _out_of_bounds)
    handle(SuspiciousOperation, _suspicious)
    handle(RequestDataTooBig, _too_large)
    handle(VersionConflict, _stale)


#: The name of the catch-all route for /api/ (openqi/web/urls.py).
NOT_FOUND_ROUTE = "api-not-found"
API_PREFIX = "/api/"


def _is_api(path: str) -> bool:
    return path.startswith(API_PREFIX) or path == API_PREFIX.rstrip("/")


def _is_served(path: str) -> bool:
    try:
        return resolve(path).view_name != NOT_FOUND_ROUTE
    except Resolver404:
        return False


def _not_found_message(path: str) -> str:
    other = path.rstrip("/") if path.endswith("/") else path + "/"
    hint = f"did you mean {other}? See" if _is_served(other) else "see"
    return (
        f"There is no API endpoint at {path}; {hint} /api/v1/openapi.json for the list."
    )


@csrf_exempt  # nothing is served here, so there is nothing to protect
def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Every path under /api/ that no endpoint serves, whatever the method."""
    return error_response(404, _not_found_message(request.path))


class JsonErrorsMiddleware:
    """Errors under /api/ that Django would answer as an HTML page answer in the shape.

    Django's debug pages (DEBUG on), its 400 for an unknown Host header and its
    CSRF failure page are HTML; API clients read JSON, so they get the shape with
    the same status. The operations' own errors are JSON already and pass through.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not _is_api(request.path)
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        status = response.status_code
        if status == 404:
            message = _not_found_message(request.path)
        elif status >= 500:
            message = SOMETHING_WENT_WRONG
        else:
            try:
                phrase = HTTPStatus(status).phrase
            except ValueError:  # a status Python has no name for
                phrase = "Error"
            message = f"{phrase}: {request.method} {request.path} was refused."
        replaced = error_response(status, message)
        if "Allow" in response:
            replaced["Allow"] = response["Allow"]
        return replaced
