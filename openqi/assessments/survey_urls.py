"""Public URLs for answering a survey through an anonymous link (no sign-in)."""

app_name = "survey"
urlpatterns: list = []
