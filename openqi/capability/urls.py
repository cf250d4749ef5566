from django.urls import path

from . import coverage_views, doing_views, import_views, removal_views, views

app_name = "capability"
P = "<slug:slug>/capability/"
urlpatterns = [
    path(P, views.overview, name="overview"),
    path(P + "coverage/", coverage_views.coverage_page, name="coverage"),
    path(P + "framework/", views.framework, name="framework"),
    path(P + "learning-by-doing/", doing_views.doing, name="doing"),
    path(P + "framework/built-in/", views.framework_builtin, name="framework_builtin"),
    path(P + "levels/new/", views.level_create, name="level_create"),
    path(P + "levels/<int:pk>/edit/", views.level_edit, name="level_edit"),
    path(P + "levels/<int:pk>/move/", views.level_move, name="level_move"),
    path(P + "levels/<int:pk>/delete/", views.level_delete, name="level_delete"),
    path(P + "programmes/", views.programme_list, name="programmes"),
    path(P + "programmes/new/", views.programme_create, name="programme_create"),
    path(P + "programmes/<int:pk>/", views.programme_detail, name="programme"),
    path(P + "programmes/<int:pk>/edit/", views.programme_edit, name="programme_edit"),
    path(
        P + "programmes/<int:pk>/cohorts/new/",
        views.cohort_create,
        name="cohort_create",
    ),
    path(P + "cohorts/<int:pk>/", views.cohort_detail, name="cohort"),
    path(P + "cohorts/<int:pk>/edit/", views.cohort_edit, name="cohort_edit"),
    path(P + "cohorts/<int:pk>/enrol/", views.enrol, name="enrol"),
    path(P + "enrolments/<int:pk>/", views.enrolment_edit, name="enrolment_edit"),
    path(P + "targets/", views.target_list, name="targets"),
    path(P + "targets/new/", views.target_create, name="target_create"),
    path(P + "targets/<int:pk>/edit/", views.target_edit, name="target_edit"),
    path(P + "targets/<int:pk>/delete/", views.target_delete, name="target_delete"),
    path(P + "staff/", views.staff_search, name="staff_search"),
    path(P + "staff/<int:pk>/", views.staff_record, name="staff_record"),
    path(P + "staff/<int:pk>/erase/", views.staff_erase, name="staff_erase"),
    path(
        P + "staff/<int:pk>/completions/",
        removal_views.completion_add,
        name="completion_add",
    ),
    path(
        P + "completions/<int:pk>/delete/",
        removal_views.completion_delete,
        name="completion_delete",
    ),
    path(
        P + "programmes/<int:pk>/delete/",
        removal_views.programme_delete,
        name="programme_delete",
    ),
    path(
        P + "cohorts/<int:pk>/delete/",
        removal_views.cohort_delete,
        name="cohort_delete",
    ),
    path(P + "import/staff/", import_views.import_staff, name="import_staff"),
    path(
        P + "import/staff/<str:token>/",
        import_views.import_staff_preview,
        name="import_staff_preview",
    ),
    path(
        P + "import/completions/",
        import_views.import_completions,
        name="import_completions",
    ),
    path(
        P + "import/completions/<str:token>/",
        import_views.import_completions_preview,
        name="import_completions_preview",
    ),
]
