"""The URL map: one include per app, namespaced (house style §3)."""

from django.urls import include, path

urlpatterns = [
    path("", include("openqi.core.urls")),
    path("accounts/", include("openqi.accounts.urls")),
    path("organisations/", include("openqi.organisations.urls")),
    path("organisations/", include("openqi.audit.urls")),
    path("organisations/", include("openqi.strategy.urls")),
    path("organisations/", include("openqi.projects.urls")),
    path("organisations/", include("openqi.measures.urls")),
    path("organisations/", include("openqi.assessments.urls")),
    path("organisations/", include("openqi.journey.urls")),
    path("organisations/", include("openqi.barriers.urls")),
    path("survey/", include("openqi.assessments.survey_urls")),
    path("api/v1/", include("openqi.api.urls")),
]

handler404 = "openqi.core.errors.not_found"
handler403 = "openqi.core.errors.forbidden"
handler500 = "openqi.core.errors.server_error"
