from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "openqi.organisations"
    label = "organisations"

    def ready(self) -> None:
        from openqi.audit.services import register

        from .models import Invitation, Membership, Organisation, StaffRecord, Unit

        for model in (Organisation, Unit, Membership, Invitation, StaffRecord):
            register(model)
