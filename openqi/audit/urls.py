from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("<slug:slug>/audit/", views.log, name="log"),
    path("<slug:slug>/audit/<int:pk>/", views.event, name="event"),
    path("<slug:slug>/audit/sign-ins/", views.sign_ins, name="sign_ins"),
]
