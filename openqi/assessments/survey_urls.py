"""Public URLs for answering a survey through an anonymous link (no sign-in)."""

from django.urls import path

from . import survey_views

app_name = "survey"
urlpatterns = [
    path("thank-you/", survey_views.thanks, name="thanks"),
    path("<str:token>/", survey_views.answer, name="answer"),
]
