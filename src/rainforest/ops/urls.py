"""Operations pages: health and readiness for the load balancer, background jobs for administrators."""

from django.urls import path

from rainforest.ops import jobs_views

app_name = "ops"

urlpatterns: list = [
    path("jobs/", jobs_views.jobs_view, name="jobs"),
    path("jobs/<uuid:pk>/retry/", jobs_views.job_retry_view, name="job_retry"),
]
