from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "openqi.strategy"
    label = "strategy"

    def ready(self) -> None:
        from openqi.audit.services import register

        from .models import StrategicPriority

        register(StrategicPriority)
