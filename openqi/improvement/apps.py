from django.apps import AppConfig


class ImprovementConfig(AppConfig):
    """Driver diagrams and PDSA cycles: the improvement methods of a project."""

    name = "openqi.improvement"
    label = "improvement"

    def ready(self) -> None:
        from openqi.audit.services import register

        from . import models

        for model in (models.DriverNode, models.PDSACycle):
            register(model)
