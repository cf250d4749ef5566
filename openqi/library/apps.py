from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "openqi.library"
    label = "library"
