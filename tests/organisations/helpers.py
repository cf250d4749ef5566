"""Small helpers shared by the organisation page tests."""

from __future__ import annotations

from typing import Any

from openqi.audit.models import AuditEvent
from openqi.organisations.models import Organisation

#: What htmx sends with every request it makes.
HTMX = {"HTTP_HX_REQUEST": "true"}


def events_for(
    organisation: Organisation, model: str, **filters: Any
) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.for_organisation(organisation).filter(model=model, **filters)
    )
