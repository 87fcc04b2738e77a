from django.urls import path

from rainforest.fund import views

app_name = "fund"
urlpatterns = [
    path("", views.pipeline_view, name="pipeline"),
    path("deals/new/", views.deal_create_view, name="deal_create"),
    path("deals/<int:pk>/", views.deal_view, name="deal"),
    path("deals/<int:pk>/moves/<slug:move>/", views.deal_move_view, name="deal_move"),
    path("deals/<int:pk>/checklist/", views.checklist_view, name="checklist"),
    path("deals/<int:pk>/events/", views.table_event_view, name="table_event"),
    path("deals/<int:pk>/ocf/", views.ocf_view, name="ocf"),
    path("deals/<int:pk>/ocf/import/", views.ocf_import_view, name="ocf_import"),
    path("deals/<int:pk>/rounds/", views.round_propose_view, name="round_propose"),
    path("deals/<int:pk>/distributions/", views.distribution_view, name="distribution"),
    path("deals/<int:pk>/write-downs/", views.write_down_view, name="write_down"),
    path("rounds/<int:pk>/meeting/", views.meeting_open_view, name="meeting_open"),
    path("rounds/<int:pk>/decision/", views.meeting_decide_view, name="meeting_decide"),
    path("rounds/<int:pk>/record/", views.round_record_view, name="round_record"),
    path("committee/", views.committee_view, name="committee"),
    path("committee/<int:pk>/ballot/", views.ballot_view, name="ballot"),
    path("portfolio/", views.portfolio_view, name="portfolio"),
]
