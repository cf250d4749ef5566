from django.apps import AppConfig


class SystemConfig(AppConfig):
    name = "openqi.system"
    label = "system"
