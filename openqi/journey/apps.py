from django.apps import AppConfig


class JourneyConfig(AppConfig):
    name = "openqi.journey"
    label = "journey"

    def ready(self) -> None:
        from openqi.audit.services import register

        from .models import Evidence, JourneyStep, Milestone

        for model in (JourneyStep, Milestone, Evidence):
            register(model)
