from django.apps import AppConfig


class BarriersConfig(AppConfig):
    name = "openqi.barriers"
    label = "barriers"

    def ready(self) -> None:
        from openqi.audit.services import register

        from .models import Barrier

        register(Barrier)
