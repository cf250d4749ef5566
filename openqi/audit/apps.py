from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_save


class AuditConfig(AppConfig):
    name = "openqi.audit"
    label = "audit"

    def ready(self) -> None:
        from openqi.organisations.models import (
            Invitation,
            Membership,
            Organisation,
            StaffRecord,
            Unit,
        )

        from . import permissions  # noqa: F401  (defines the trail's permission)
        from .models import AuditEvent
        from .services import register

        # The organisations app sits below this one, so it cannot register its own
        # models as the domain apps do: the trail puts them on itself.
        for model in (Organisation, Unit, Membership, Invitation, StaffRecord):
            register(model)
        # Every change to an organisation's data is on its trail (a new event, or
        # a change of members folded into one): figures kept for it go with it.
        post_save.connect(
            _audited, sender=AuditEvent, dispatch_uid="openqi-audit-data-version"
        )


def _audited(sender: Any, instance: Any, raw: bool = False, **_: Any) -> None:
    from .kept import data_changed

    if instance.organisation_id is not None:
        data_changed(instance.organisation_id)
