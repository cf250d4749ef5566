from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "openqi.reports"
    label = "reports"
