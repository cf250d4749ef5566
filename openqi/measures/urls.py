"""Measure URLs: /organisations/<slug>/measures/…"""

from django.urls import path

from . import import_views, overview_views, views

app_name = "measures"

_one = "<slug:slug>/measures/<int:pk>"
_import = f"{_one}/import/<str:token>"

urlpatterns = [
    path("<slug:slug>/measures/", views.measure_list, name="list"),
    path("<slug:slug>/measures/new/", views.create, name="create"),
    path(f"{_one}/", views.detail, name="detail"),
    path(f"{_one}/edit/", views.edit, name="edit"),
    path(f"{_one}/delete/", views.delete, name="delete"),
    path(f"{_one}/export/", views.export, name="export"),
    path(f"{_one}/chart/laney/", views.switch_chart, name="switch_chart"),
    path(f"{_one}/points/new/", views.add_point, name="add_point"),
    path(f"{_one}/points/<int:point>/", views.point_edit, name="point_edit"),
    path(f"{_one}/points/<int:point>/delete/", views.point_delete, name="point_delete"),
    path(f"{_one}/phases/new/", views.phase_add, name="phase_add"),
    path(f"{_one}/phases/<int:item>/remove/", views.phase_remove, name="phase_remove"),
    path(f"{_one}/notes/new/", views.annotation_add, name="annotation_add"),
    path(
        f"{_one}/notes/<int:item>/remove/",
        views.annotation_remove,
        name="annotation_remove",
    ),
    path(f"{_one}/import/", import_views.import_upload, name="import"),
    path(f"{_import}/", import_views.import_preview, name="import_preview"),
    path(f"{_import}/progress/", import_views.import_progress, name="import_progress"),
    path(f"{_import}/commit/", import_views.import_commit, name="import_commit"),
    path(f"{_import}/filter/", import_views.import_filter, name="import_filter"),
    path(f"{_import}/errors.csv", import_views.import_errors, name="import_errors"),
    path(
        "<slug:slug>/portfolio/measures/", overview_views.overview_page, name="overview"
    ),
]
