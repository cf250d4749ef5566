from django.apps import AppConfig


class SustainabilityConfig(AppConfig):
    name = "openqi.sustainability"
    label = "sustainability"
