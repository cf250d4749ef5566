from django.urls import URLPattern, path

from . import home_views, report_views
from .pdf_views import report_pdf

app_name = "reports"

urlpatterns: list[URLPattern] = [
    # The organisation's home page (its overview moved to …/about/).
    path("<slug:slug>/", home_views.home, name="home"),
    # The board report (openqi/reports/report_views.py).
    path("<slug:slug>/reports/", report_views.report_list, name="list"),
    path("<slug:slug>/reports/new/", report_views.report_create, name="create"),
    path("<slug:slug>/reports/<int:pk>/", report_views.report_detail, name="detail"),
    path("<slug:slug>/reports/<int:pk>/edit/", report_views.report_edit, name="edit"),
    path(
        "<slug:slug>/reports/<int:pk>/compose/",
        report_views.report_compose,
        name="compose",
    ),
    path(
        "<slug:slug>/reports/<int:pk>/measures/",
        report_views.entry_add,
        name="add_entry",
    ),
    path(
        "<slug:slug>/reports/<int:pk>/measures/<int:entry>/remove/",
        report_views.entry_remove,
        name="remove_entry",
    ),
    path(
        "<slug:slug>/reports/<int:pk>/measures/<int:entry>/commentary/",
        report_views.entry_commentary,
        name="commentary",
    ),
    path(
        "<slug:slug>/reports/<int:pk>/preview/",
        report_views.report_preview,
        name="preview",
    ),
    path(
        "<slug:slug>/reports/<int:pk>/publish/",
        report_views.report_publish,
        name="publish",
    ),
    path(
        "<slug:slug>/reports/<int:pk>/delete/",
        report_views.report_delete,
        name="delete",
    ),
    # The board report's PDF (openqi/reports/pdf_views.py).
    path("<slug:slug>/reports/<int:pk>.pdf", report_pdf, name="report_pdf"),
]
