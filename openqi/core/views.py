"""The pages that belong to no domain: the health check and the accessibility
statement (the home page is the organisations app's, since it lists the person's
organisations)."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers, 503 when it does not (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means unhealthy
        logger.exception("health check: database unreachable")
        return JsonResponse(
            {"status": "unavailable", "database": "unreachable"}, status=503
        )
    return JsonResponse({"status": "ok", "database": "ok"})


#: When the service was last tested for accessibility (axe-core on every page, at
#: full width and 320 px, and a keyboard-only walk of the main journeys), as the
#: statement says: change it with each such test. The automated checks also run
#: on every commit (tests/browser).
ACCESSIBILITY_LAST_TESTED = datetime.date(2026, 12, 5)


@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement, in the NHS and GOV.UK model: public, since
    anyone may need to read it before signing in."""
    session = int(settings.SESSION_COOKIE_AGE)
    return render(
        request,
        "core/accessibility.html",
        {
            "contact": settings.OPENQI_ACCESSIBILITY_CONTACT,
            "last_tested": ACCESSIBILITY_LAST_TESTED,
            "session_length": _duration(session),
            # WCAG 2.2.1 allows a time limit without a warning only past 20 hours.
            "session_fails": session < WCAG_TIME_LIMIT_EXCEPTION,
        },
    )


#: WCAG 2.2 success criterion 2.2.1's "20 hour exception", in seconds.
WCAG_TIME_LIMIT_EXCEPTION = 20 * 3600


def _duration(seconds: int) -> str:
    """12 hours, 1 hour, 90 minutes: the session's length in words."""
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour{'' if hours == 1 else 's'}"
    minutes = round(seconds / 60)
    return f"{minutes} minute{'' if minutes == 1 else 's'}"
