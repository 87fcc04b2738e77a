from django.urls import include, path
from django.views.generic import RedirectView

from rainforest import views
from rainforest.admin_site import site as back_office
from rainforest.api import api
from rainforest.ops import views as ops_views

urlpatterns = [
    path("", views.home_view, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("rainforest.accounts.urls")),
    path("registry/", include("rainforest.registry.urls")),
    path("policy/", include("rainforest.policy.urls")),
    path("exchange/", include("rainforest.exchange.urls")),
    path("matching/", include("rainforest.matching.urls")),
    path("seedling/", include("rainforest.seedling.urls")),
    path("fund/", include("rainforest.fund.urls")),
    path("cockpit/", include("rainforest.cockpit.urls")),
    path("ops/", include("rainforest.ops.urls")),
    path("healthz", ops_views.healthz, name="healthz"),  # answered by ops.middleware.ProbeMiddleware
    path("readyz", ops_views.readyz, name="readyz"),
    path("api/v1/", api.urls),
    # The back office has no sign-in page of its own: the platform's, with TOTP, is the only one.
    path("admin/login/", RedirectView.as_view(pattern_name="accounts:login", query_string=True)),
    path("admin/", back_office.urls),
]

handler400 = views.bad_request_view
