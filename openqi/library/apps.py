from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "openqi.library"
    label = "library"

    def ready(self) -> None:
        from openqi.audit.services import register
        from openqi.core import slots
        from openqi.projects import elsewhere

        from . import hooks
        from .models import Adoption, Publication

        register(Publication)
        register(Adoption)
        elsewhere.register(hooks.similar_published)
        slots.register("projects.detail", hooks.project_slot)
        slots.register("measures.detail", hooks.measure_slot)
        slots.register("improvement.drivers", hooks.drivers_slot)
