from django.urls import URLPattern

app_name = "system"

urlpatterns: list[URLPattern] = []
