from django.urls import path

from . import views

app_name = "barriers"
urlpatterns = [
    path("<slug:slug>/barriers/", views.barrier_list, name="list"),
    path("<slug:slug>/barriers/new/", views.barrier_create, name="create"),
    path("<slug:slug>/barriers/forum/", views.forum, name="forum"),
    path("<slug:slug>/barriers/<int:pk>/", views.barrier_detail, name="detail"),
    path("<slug:slug>/barriers/<int:pk>/edit/", views.barrier_edit, name="edit"),
    path("<slug:slug>/barriers/<int:pk>/delete/", views.barrier_delete, name="delete"),
    path("<slug:slug>/barriers/<int:pk>/escalate/", views.escalate, name="escalate"),
]
