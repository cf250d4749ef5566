"""The audit trail pages, for the access walk (see tests/access.py)."""

from __future__ import annotations

from typing import Any

from openqi.audit.models import AuditEvent
from tests.access import Route


def _org(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug}


def _event(cast: Any) -> dict[str, Any]:
    event = AuditEvent.objects.for_organisation(cast.org).earliest("at")
    return {"slug": cast.org.slug, "pk": event.pk}


ROUTES: list[Route] = [
    Route("audit:log", kwargs=_org, manage_only=True),
    Route("audit:event", kwargs=_event, manage_only=True),
]
