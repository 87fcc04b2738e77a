from django.urls import path

from rainforest.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.enterprise_list_view, name="list"),
    path("mine/", views.own_enterprise_view, name="own"),
    path("import/", views.import_view, name="import"),
    path("export/", views.export_view, name="export"),
    path("export/request/", views.export_request_view, name="export_request"),
    path("exports/", views.exports_view, name="exports"),
    path("exports/<int:pk>/download/", views.export_download_view, name="export_download"),
    path("<str:uscc>/", views.enterprise_detail_view, name="detail"),
    path("<str:uscc>/profile/", views.profile_edit_view, name="profile_edit"),
    path("<str:uscc>/facts/new/", views.facts_edit_view, name="facts_new"),
    path("<str:uscc>/facts/<int:year>/", views.facts_edit_view, name="facts_edit"),
]
