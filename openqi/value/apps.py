from django.apps import AppConfig


class ValueConfig(AppConfig):
    name = "openqi.value"
    label = "value"
