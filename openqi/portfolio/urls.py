"""Portfolio URLs: /organisations/<slug>/portfolio/ and the priority × unit matrix
(the measures overview, …/portfolio/measures/, is the measures app's)."""

from django.urls import URLPattern, path

from . import views

app_name = "portfolio"
urlpatterns: list[URLPattern] = [
    path("<slug:slug>/portfolio/", views.portfolio, name="portfolio"),
    path("<slug:slug>/portfolio/matrix/", views.portfolio_matrix, name="matrix"),
]
