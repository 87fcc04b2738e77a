from django.urls import path

from rainforest.fund import views

app_name = "fund"
urlpatterns = [
    path("", views.pipeline_view, name="pipeline"),
    path("deals/<int:pk>/", views.deal_view, name="deal"),
    path("deals/<int:pk>/act/", views.deal_action_view, name="deal_action"),
    path("deals/<int:pk>/ocf/", views.ocf_view, name="ocf"),
    path("committee/", views.committee_view, name="committee"),
    path("portfolio/", views.portfolio_view, name="portfolio"),
]
