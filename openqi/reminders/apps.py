from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "openqi.reminders"
    label = "reminders"
