"""Driver diagram and PDSA cycle URLs (included by urls.py)."""

urlpatterns: list = []
