from django.urls import path

from . import views

app_name = "system"

urlpatterns = [
    path("<slug:slug>/system/", views.portfolio, name="portfolio"),
    path("<slug:slug>/system/projects/", views.projects, name="projects"),
    path("<slug:slug>/sharing/", views.sharing, name="sharing"),
]
