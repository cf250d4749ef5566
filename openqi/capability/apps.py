from django.apps import AppConfig


class CapabilityConfig(AppConfig):
    name = "openqi.capability"
    label = "capability"

    def ready(self) -> None:
        from openqi.audit.services import register

        from . import models

        for model in (
            models.CapabilityFramework,
            models.CapabilityLevel,
            models.Programme,
            models.Cohort,
            models.Enrolment,
            models.Completion,
            models.Target,
        ):
            register(model)
