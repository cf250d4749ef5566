from django.urls import path

from . import views

app_name = "journey"
urlpatterns = [
    path("<slug:slug>/journey/", views.overview, name="overview"),
    path("<slug:slug>/journey/steps/<int:number>/", views.step, name="step"),
    path(
        "<slug:slug>/journey/steps/<int:number>/advance/",
        views.step_advance,
        name="step_advance",
    ),
    path(
        "<slug:slug>/journey/steps/<int:number>/milestones/new/",
        views.milestone_add,
        name="milestone_add",
    ),
    path(
        "<slug:slug>/journey/milestones/<int:pk>/",
        views.milestone_edit,
        name="milestone_edit",
    ),
    path(
        "<slug:slug>/journey/milestones/<int:pk>/delete/",
        views.milestone_delete,
        name="milestone_delete",
    ),
    path(
        "<slug:slug>/journey/steps/<int:number>/evidence/new/",
        views.evidence_add,
        name="evidence_add",
    ),
    path(
        "<slug:slug>/journey/evidence/<int:pk>/delete/",
        views.evidence_delete,
        name="evidence_delete",
    ),
]
