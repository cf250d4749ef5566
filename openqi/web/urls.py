"""The URL map: one include per app, namespaced (house style §3)."""

from django.urls import include, path, re_path

from openqi.api import errors as api_errors
from openqi.core import nhsuk_stylesheet
from openqi.core import views as core_views
from openqi.organisations import views as organisation_views

#: The site's own pages, named "core:home", "core:healthz" and "core:accessibility":
#: the home page lists the person's organisations, so the organisations app serves
#: it; core, below every app, serves the health check and the accessibility statement.
SITE_PAGES = (
    [
        path("", organisation_views.home, name="home"),
        path("healthz", core_views.healthz, name="healthz"),
        path("accessibility/", core_views.accessibility, name="accessibility"),
    ],
    "core",
)

urlpatterns = [
    path("", include(SITE_PAGES)),
    path(
        "styles/nhsuk-frontend.<str:digest>.css",
        nhsuk_stylesheet.stylesheet,
        name=nhsuk_stylesheet.ROUTE,
    ),
    path("accounts/", include("openqi.accounts.urls")),
    path("accounts/", include("openqi.accounts.allauth_urls")),
    path("organisations/", include("openqi.organisations.urls")),
    path("organisations/", include("openqi.audit.urls")),
    path("organisations/", include("openqi.strategy.urls")),
    path("organisations/", include("openqi.projects.urls")),
    path("organisations/", include("openqi.improvement.urls")),
    path("organisations/", include("openqi.portfolio.urls")),
    path("organisations/", include("openqi.measures.urls")),
    path("organisations/", include("openqi.assessments.urls")),
    path("organisations/", include("openqi.journey.urls")),
    path("organisations/", include("openqi.barriers.urls")),
    path("organisations/", include("openqi.capability.urls")),
    path("organisations/", include("openqi.sustainability.urls")),
    path("organisations/", include("openqi.value.urls")),
    path("organisations/", include("openqi.benchmark.urls")),
    path("organisations/", include("openqi.library.urls")),
    path("organisations/", include("openqi.system.urls")),
    path("organisations/", include("openqi.reports.urls")),
    path("reminders/", include("openqi.reminders.urls")),
    path("survey/", include("openqi.assessments.survey_urls")),
    path("api/v1/", include("openqi.api.urls")),
    # Last: anything else under /api/ answers the API's JSON 404, also with DEBUG on
    # (whose HTML 404 page would otherwise win) and with or without a trailing slash.
    re_path(r"^api(?:/.*)?$", api_errors.not_found, name=api_errors.NOT_FOUND_ROUTE),
]

handler400 = "openqi.core.errors.bad_request"
handler404 = "openqi.core.errors.not_found"
handler403 = "openqi.core.errors.forbidden"
handler500 = "openqi.core.errors.server_error"
