from django.urls import path

from . import views

app_name = "benchmark"

urlpatterns = [
    path("<slug:slug>/benchmarks/", views.benchmark_list, name="list"),
    path("<slug:slug>/benchmarks/new/", views.benchmark_create, name="create"),
    path("<slug:slug>/benchmarks/<int:pk>/", views.benchmark_detail, name="detail"),
    path(
        "<slug:slug>/benchmarks/<int:pk>/participants/new/",
        views.participant_add,
        name="participant_add",
    ),
    path(
        "<slug:slug>/benchmarks/<int:pk>/participants/<int:participant>/",
        views.participant_detail,
        name="participant",
    ),
    path(
        "<slug:slug>/benchmarks/<int:pk>/participants/<int:participant>/report/",
        views.value_report,
        name="report",
    ),
    path("<slug:slug>/benchmarks/<int:pk>/import/", views.values_import, name="import"),
    path("<slug:slug>/benchmarks/<int:pk>/edit/", views.benchmark_edit, name="edit"),
    path("<slug:slug>/benchmarks/<int:pk>/refresh/", views.refresh, name="refresh"),
    path(
        "<slug:slug>/benchmarks/<int:pk>/national/",
        views.from_national,
        name="from_national",
    ),
]
