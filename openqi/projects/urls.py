"""Project URLs: /organisations/<slug>/projects/… (a project's driver diagram
and PDSA cycles are the improvement app's, under the same paths)."""

from django.urls import URLPattern, path

from . import views

app_name = "projects"
urlpatterns: list[URLPattern] = [
    path("<slug:slug>/projects/", views.project_list, name="list"),
    path("<slug:slug>/projects/new/", views.project_create, name="create"),
    path("<slug:slug>/projects/similar/", views.similar, name="similar"),
    path("<slug:slug>/projects/<int:pk>/", views.detail, name="detail"),
    path("<slug:slug>/projects/<int:pk>/edit/", views.edit, name="edit"),
    path("<slug:slug>/projects/<int:pk>/delete/", views.delete, name="delete"),
    path("<slug:slug>/projects/<int:pk>/notes/", views.note_add, name="note_add"),
    path("<slug:slug>/projects/<int:pk>/ratings/new/", views.rate, name="rate"),
    path(
        "<slug:slug>/projects/<int:pk>/partners/new/",
        views.partner_add,
        name="partner_add",
    ),
    path(
        "<slug:slug>/projects/<int:pk>/partners/<int:partner_pk>/remove/",
        views.partner_remove,
        name="partner_remove",
    ),
    path(
        "<slug:slug>/projects/<int:pk>/measures/link/",
        views.measure_link,
        name="measure_link",
    ),
    path(
        "<slug:slug>/projects/<int:pk>/measures/<int:link_pk>/unlink/",
        views.measure_unlink,
        name="measure_unlink",
    ),
]
