from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo organisation: no models, only the ``demo`` management command."""

    name = "openqi.demo"
    label = "demo"
    verbose_name = "Demo organisation"
