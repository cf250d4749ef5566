from django.urls import path

from . import views

app_name = "sustainability"
urlpatterns = [
    path("<slug:slug>/sustainability/", views.portfolio, name="portfolio"),
    path(
        "<slug:slug>/projects/<int:pk>/sustainability/",
        views.project_checks,
        name="project",
    ),
    path(
        "<slug:slug>/projects/<int:pk>/sustainability/open/",
        views.open_check,
        name="open",
    ),
    path(
        "<slug:slug>/sustainability/checks/<int:pk>/",
        views.check_detail,
        name="check",
    ),
    path(
        "<slug:slug>/sustainability/checks/<int:pk>/rate/",
        views.rate,
        name="rate",
    ),
    path(
        "<slug:slug>/sustainability/checks/<int:pk>/actions/",
        views.add_action,
        name="add_action",
    ),
    path(
        "<slug:slug>/sustainability/actions/<int:pk>/status/",
        views.action_status,
        name="action_status",
    ),
]
