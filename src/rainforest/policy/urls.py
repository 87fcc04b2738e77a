from django.urls import path

from rainforest.policy import views

app_name = "policy"
urlpatterns = [
    path("", views.library_view, name="library"),
    path("check/", views.self_check_view, name="check"),
    path("check/mine/", views.own_check_view, name="own_check"),
    path("runs/", views.run_list_view, name="runs"),
    path("runs/<int:pk>/", views.run_view, name="run"),
    path("runs/<int:pk>/again/", views.run_again_view, name="run_again"),
    path("runs/<int:pk>/download/", views.run_download_view, name="run_download"),
    path("runs/<int:pk>/<str:uscc>/", views.result_view, name="result"),
]
