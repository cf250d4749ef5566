from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "openqi.assessments"
    label = "assessments"

    def ready(self) -> None:
        from openqi.audit.services import register

        from .models import ActionItem, AssessmentRound, Instrument

        # Responses and their links are anonymous by design: not on the trail.
        for model in (Instrument, AssessmentRound, ActionItem):
            register(model)
