from django.urls import path

from . import views

app_name = "organisations"
urlpatterns = [
    # Before "<slug>/": no organisation can be called "switch".
    path("switch/", views.switch, name="switch"),
    path("<slug:slug>/about/", views.detail, name="detail"),
    path("<slug:slug>/units/", views.units, name="units"),
    path("<slug:slug>/units/new/", views.unit_create, name="unit_create"),
    path("<slug:slug>/units/<int:pk>/", views.unit_edit, name="unit_edit"),
    path("<slug:slug>/units/<int:pk>/delete/", views.unit_delete, name="unit_delete"),
    path("<slug:slug>/members/", views.members, name="members"),
    path("<slug:slug>/members/<int:pk>/", views.member_edit, name="member_edit"),
    path(
        "<slug:slug>/members/<int:pk>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path("<slug:slug>/invitations/", views.invitations, name="invitations"),
    path("<slug:slug>/security/", views.security, name="security"),
    path(
        "<slug:slug>/invitations/<int:pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
]
