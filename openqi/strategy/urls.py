from django.urls import path

from . import views

app_name = "strategy"
urlpatterns = [
    path("<slug:slug>/priorities/", views.priorities, name="priorities"),
    path("<slug:slug>/priorities/new/", views.priority_create, name="priority_create"),
    path("<slug:slug>/priorities/<int:pk>/", views.priority_edit, name="priority_edit"),
    path(
        "<slug:slug>/priorities/<int:pk>/delete/",
        views.priority_delete,
        name="priority_delete",
    ),
]
