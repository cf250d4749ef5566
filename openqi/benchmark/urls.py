from django.urls import URLPattern

app_name = "benchmark"

urlpatterns: list[URLPattern] = []
