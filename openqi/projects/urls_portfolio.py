"""Portfolio URLs (included by urls.py): the portfolio, the priority × unit
matrix and the measures overview."""

from django.urls import path

from .views import portfolio

urlpatterns: list = [
    path("<slug:slug>/portfolio/", portfolio.portfolio, name="portfolio"),
    path(
        "<slug:slug>/portfolio/matrix/",
        portfolio.portfolio_matrix,
        name="portfolio_matrix",
    ),
    path(
        "<slug:slug>/portfolio/measures/",
        portfolio.measures_overview,
        name="measures_overview",
    ),
]
