from django.urls import path

from rainforest.matching import views

app_name = "matching"
urlpatterns = [
    path("scenarios/<int:pk>/", views.who_could_do_view, name="who_could_do"),
    path("scenarios/<int:pk>/<int:capability_id>/shortlist/", views.shortlist_view, name="shortlist"),
    path("scenarios/<int:pk>/<int:capability_id>/feedback/", views.feedback_view, name="feedback"),
    path("for-you/", views.scenarios_for_view, name="scenarios_for"),
    path("where-to-test/", views.where_to_test_view, name="where_to_test"),
]
