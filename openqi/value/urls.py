from django.urls import path

from . import views

app_name = "value"
urlpatterns = [
    path("<slug:slug>/projects/<int:pk>/benefits/", views.benefits, name="benefits"),
    path(
        "<slug:slug>/projects/<int:pk>/benefits/new/",
        views.benefit_create,
        name="benefit_create",
    ),
    path(
        "<slug:slug>/projects/<int:pk>/benefits/<int:benefit_pk>/edit/",
        views.benefit_edit,
        name="benefit_edit",
    ),
    path(
        "<slug:slug>/projects/<int:pk>/benefits/<int:benefit_pk>/delete/",
        views.benefit_delete,
        name="benefit_delete",
    ),
    path("<slug:slug>/value/", views.programme, name="programme"),
    path("<slug:slug>/value/investment/", views.investment, name="investment"),
    path(
        "<slug:slug>/value/investment/new/",
        views.investment_create,
        name="investment_create",
    ),
    path(
        "<slug:slug>/value/investment/<int:pk>/delete/",
        views.investment_delete,
        name="investment_delete",
    ),
    path("<slug:slug>/value/turnover/", views.turnover_save, name="turnover"),
]
