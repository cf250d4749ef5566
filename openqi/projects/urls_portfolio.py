"""Portfolio URLs (included by urls.py)."""

urlpatterns: list = []
