from django.urls import path

from rainforest.cockpit import views

app_name = "cockpit"

urlpatterns = [
    path("", views.cockpit_view, name="cockpit"),
    path("i/<slug:code>/", views.indicator_view, name="indicator"),
    path("observations/", views.observations_view, name="observations"),
    path("observations/enter/", views.observation_enter_view, name="observation_enter"),
    path("observations/template.csv", views.observations_template_view, name="observations_template"),
    path("define/", views.define_view, name="define"),
    path("briefs/", views.briefs_view, name="briefs"),
    path("briefs/<int:pk>.<str:fmt>", views.brief_download_view, name="brief_download"),
    path("public/", views.public_view, name="public"),
    path("public/i/<slug:code>/", views.public_indicator_view, name="public_indicator"),
    path("public/indicators.<str:fmt>", views.open_data_view, name="open_data"),
]
