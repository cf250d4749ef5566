from django.urls import URLPattern

app_name = "sustainability"
urlpatterns: list[URLPattern] = []
