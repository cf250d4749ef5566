"""A project's driver diagram and PDSA cycles:
/organisations/<slug>/projects/<pk>/drivers/… and …/cycles/…; the spread of change
ideas across projects: /organisations/<slug>/spread/…"""

from django.urls import URLPattern, path

from . import spread_views, views

app_name = "improvement"

PROJECT = "<slug:slug>/projects/<int:pk>/"

urlpatterns: list[URLPattern] = [
    path(f"{PROJECT}drivers/", views.drivers, name="drivers"),
    path(f"{PROJECT}drivers/diagram.svg", views.driver_svg, name="driver_svg"),
    path(f"{PROJECT}drivers/add/", views.driver_add, name="driver_add"),
    path(
        f"{PROJECT}drivers/<int:node_pk>/edit/", views.driver_edit, name="driver_edit"
    ),
    path(
        f"{PROJECT}drivers/<int:node_pk>/move/", views.driver_move, name="driver_move"
    ),
    path(
        f"{PROJECT}drivers/<int:node_pk>/delete/",
        views.driver_delete,
        name="driver_delete",
    ),
    path(f"{PROJECT}cycles/", views.cycles, name="cycles"),
    path(f"{PROJECT}cycles/new/", views.cycle_create, name="cycle_create"),
    path(f"{PROJECT}cycles/<int:cycle_pk>/", views.cycle_detail, name="cycle_detail"),
    path(f"{PROJECT}cycles/<int:cycle_pk>/edit/", views.cycle_edit, name="cycle_edit"),
    path(
        f"{PROJECT}cycles/<int:cycle_pk>/delete/",
        views.cycle_delete,
        name="cycle_delete",
    ),
    path("<slug:slug>/spread/", spread_views.spread_list, name="spread"),
    path(
        "<slug:slug>/spread/<int:idea_pk>/",
        spread_views.spread_idea,
        name="spread_idea",
    ),
    path(
        "<slug:slug>/spread/<int:idea_pk>/adopt/",
        spread_views.spread_adopt,
        name="spread_adopt",
    ),
]
