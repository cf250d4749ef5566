"""Valuing improvement: each project's expected and realised benefits in six
domains, the organisation's investment by year, and the programme's return."""

from django.apps import AppConfig


class ValueConfig(AppConfig):
    name = "openqi.value"
    label = "value"

    def ready(self) -> None:
        from openqi.audit.services import register

        from .models import Benefit, Investment, Turnover

        register(Benefit)
        register(Investment)
        register(Turnover)
