"""Pages that belong to no one domain: the home page and the health check."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from openqi.organisations.access import organisations_for

logger = logging.getLogger(__name__)

CURRENT_ORGANISATION = "current_organisation"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Go to the organisation last chosen, the only one, or a list to choose from."""
    organisations = list(organisations_for(request.user))
    current = request.session.get(CURRENT_ORGANISATION)
    for organisation in organisations:
        if organisation.slug == current:
            return redirect("organisations:detail", slug=organisation.slug)
    if len(organisations) == 1:
        return redirect("organisations:detail", slug=organisations[0].slug)
    return render(request, "core/home.html", {"organisations": organisations})


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
