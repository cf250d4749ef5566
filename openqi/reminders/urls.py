from django.urls import path

from . import views

app_name = "reminders"
urlpatterns = [
    path("", views.choice, name="choice"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
