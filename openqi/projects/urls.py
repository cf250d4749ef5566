"""Project URLs: /organisations/<slug>/projects/…, the driver diagram and PDSA
cycles (urls_drivers.py) and the portfolio (urls_portfolio.py)."""

from django.urls import path  # noqa: F401

from .urls_drivers import urlpatterns as driver_urlpatterns
from .urls_portfolio import urlpatterns as portfolio_urlpatterns

app_name = "projects"
urlpatterns: list = [*driver_urlpatterns, *portfolio_urlpatterns]
