"""Operations pages: health and readiness for the load balancer, background jobs for administrators."""

app_name = "ops"

urlpatterns: list = []
