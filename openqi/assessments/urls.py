from django.urls import path

from . import views

app_name = "assessments"
urlpatterns = [
    path("<slug:slug>/assessments/", views.assessment_list, name="list"),
    path(
        "<slug:slug>/assessments/instruments/load/",
        views.instrument_import,
        name="instrument_import",
    ),
    path(
        "<slug:slug>/assessments/instruments/format/",
        views.instrument_format,
        name="instrument_format",
    ),
    path(
        "<slug:slug>/assessments/instruments/<int:pk>/definition.json",
        views.instrument_export,
        name="instrument_export",
    ),
    path(
        "<slug:slug>/assessments/rounds/new/",
        views.round_create,
        name="round_create",
    ),
    path(
        "<slug:slug>/assessments/rounds/<int:pk>/",
        views.round_detail,
        name="round_detail",
    ),
    path(
        "<slug:slug>/assessments/rounds/<int:pk>/open/",
        views.round_open,
        name="round_open",
    ),
    path(
        "<slug:slug>/assessments/rounds/<int:pk>/close/",
        views.round_close,
        name="round_close",
    ),
    path(
        "<slug:slug>/assessments/rounds/<int:pk>/links/",
        views.links,
        name="links",
    ),
    path(
        "<slug:slug>/assessments/rounds/<int:pk>/results/",
        views.results,
        name="results",
    ),
    path("<slug:slug>/assessments/actions/", views.actions, name="actions"),
    path(
        "<slug:slug>/assessments/actions/new/",
        views.action_create,
        name="action_create",
    ),
    path(
        "<slug:slug>/assessments/actions/<int:pk>/",
        views.action_edit,
        name="action_edit",
    ),
    path(
        "<slug:slug>/assessments/actions/<int:pk>/delete/",
        views.action_delete,
        name="action_delete",
    ),
]
