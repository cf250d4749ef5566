from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "openqi.accounts"
    label = "accounts"

    def ready(self) -> None:
        from . import signals

        signals.connect()
