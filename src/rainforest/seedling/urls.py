from django.urls import path

from rainforest.seedling import views

app_name = "seedling"
urlpatterns = [
    path("", views.pyramid_view, name="pyramid"),
    path("mine/", views.own_view, name="own"),
    path("enterprises/<str:uscc>/", views.enterprise_view, name="enterprise"),
    path("enterprises/<str:uscc>/case/", views.case_action_view, name="case_action"),
    path("rounds/", views.rounds_view, name="rounds"),
    path("rounds/<int:pk>/", views.round_view, name="round"),
    path("rounds/<int:pk>/act/", views.round_action_view, name="round_action"),
    path("measures/", views.measures_view, name="measures"),
    path("applications/", views.applications_view, name="applications"),
    path("needs/", views.needs_view, name="needs"),
]
