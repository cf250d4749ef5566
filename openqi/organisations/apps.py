from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    """Organisations, their units and members, and who may do what in them.

    Its models are put on the audit trail by the audit app (openqi/audit/apps.py),
    which sits above this one."""

    name = "openqi.organisations"
    label = "organisations"
