from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "openqi.projects"
    label = "projects"

    def ready(self) -> None:
        from openqi.audit.services import register

        from . import models

        for model in (
            models.Project,
            models.ProjectNote,
            models.ProgressRating,
            models.Partner,
            models.ProjectMeasure,
            models.Tag,
        ):
            register(model)
