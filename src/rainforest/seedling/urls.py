from django.urls import path

from rainforest.seedling import views

app_name = "seedling"
urlpatterns = [
    path("", views.pyramid_view, name="pyramid"),
    path("pyramid/export/", views.pyramid_export_view, name="pyramid_export"),
    path("mine/", views.own_view, name="own"),
    path("enterprises/<str:uscc>/", views.enterprise_view, name="enterprise"),
    path("enterprises/<str:uscc>/case-officer/", views.case_officer_assign_view, name="case_officer_assign"),
    path("enterprises/<str:uscc>/visits/", views.visit_record_view, name="visit_record"),
    path("enterprises/<str:uscc>/needs/", views.need_raise_view, name="need_raise"),
    path("needs/", views.needs_view, name="needs"),
    path("needs/<int:pk>/resolve/", views.need_resolve_view, name="need_resolve"),
    path("rounds/", views.rounds_view, name="rounds"),
    path("rounds/open/", views.round_open_view, name="round_open"),
    path("rounds/<int:pk>/", views.round_view, name="round"),
    path("rounds/<int:pk>/apply/", views.round_apply_view, name="round_apply"),
    path("rounds/<int:pk>/nominate/", views.round_nominate_view, name="round_nominate"),
    path("rounds/<int:pk>/panel/", views.round_panel_view, name="round_panel"),
    path("rounds/<int:pk>/declare/", views.round_declare_view, name="round_declare"),
    path("rounds/<int:pk>/moves/<slug:move>/", views.round_move_view, name="round_move"),
    path("candidacies/<int:pk>/", views.candidacy_view, name="candidacy"),
    path("candidacies/<int:pk>/score/", views.candidacy_score_view, name="candidacy_score"),
    path("measures/", views.measures_view, name="measures"),
    path("measures/apply/", views.measure_apply_view, name="measure_apply"),
    path("loans/", views.loan_record_view, name="loan_record"),
    path("applications/", views.applications_view, name="applications"),
    path("applications/<int:pk>/", views.application_view, name="application"),
    path("applications/<int:pk>/approve/", views.application_approve_view, name="application_approve"),
    path("applications/<int:pk>/refuse/", views.application_refuse_view, name="application_refuse"),
    path("applications/<int:pk>/pay/", views.application_pay_view, name="application_pay"),
]
