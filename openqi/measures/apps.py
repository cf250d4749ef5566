from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "openqi.measures"
    label = "measures"

    def ready(self) -> None:
        from openqi.audit.services import register

        from .models import Annotation, DataPoint, Measure, PhaseBreak

        for model in (Measure, DataPoint, PhaseBreak, Annotation):
            register(model)
