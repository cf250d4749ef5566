from django.apps import AppConfig


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
        from .services import register

        # The organisations app sits below this one, so it cannot register its own
        # models as the domain apps do: the trail puts them on itself.
        for model in (Organisation, Unit, Membership, Invitation, StaffRecord):
            register(model)
