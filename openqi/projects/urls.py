"""Project URLs: /organisations/<slug>/projects/…, the driver diagram and PDSA
cycles (urls_drivers.py) and the portfolio (urls_portfolio.py)."""

from django.urls import path

from .urls_drivers import urlpatterns as driver_urlpatterns
from .urls_portfolio import urlpatterns as portfolio_urlpatterns
from .views import projects as views

app_name = "projects"
urlpatterns: list = [
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
    *driver_urlpatterns,
    *portfolio_urlpatterns,
]
