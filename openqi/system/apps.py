from django.apps import AppConfig


class SystemConfig(AppConfig):
    name = "openqi.system"
    label = "system"

    def ready(self) -> None:
        from openqi.audit.services import register

        from .models import Sharing

        register(Sharing)
