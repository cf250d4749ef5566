from django.urls import path

from . import views

app_name = "library"
urlpatterns = [
    path("<slug:slug>/library/", views.search, name="search"),
    path("<slug:slug>/library/ours/", views.ours, name="ours"),
    path(
        "<slug:slug>/library/publish/<str:kind>/<int:pk>/",
        views.publish,
        name="publish",
    ),
    path("<slug:slug>/library/<int:pk>/", views.publication, name="publication"),
    path("<slug:slug>/library/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<slug:slug>/library/<int:pk>/adopt/", views.adopt, name="adopt"),
]
