from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "openqi.reports"
    label = "reports"

    def ready(self) -> None:
        from openqi.audit.services import register

        from .models import BoardReport, ReportEntry

        register(BoardReport)
        register(ReportEntry)
