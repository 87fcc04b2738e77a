"""The platform's pages plus two that do nothing of their own, so what a request costs before any view
runs can be counted alone (tests/accounts/test_request_overhead.py)."""

from django.http import HttpResponse
from django.urls import path

from rainforest.urls import urlpatterns as platform


def acting_as(request):
    """Who the middlewares say is acting: the role and organisation of the principal."""
    principal = request.principal
    return HttpResponse(f"{principal.role}@{principal.organisation_id}" if principal else "anonymous")


def verified_with(request):
    """The device the session passed its second factor with, as django-otp hands it to a page."""
    user = request.user
    return HttpResponse(user.otp_device.persistent_id if user.is_verified() else "not verified")


urlpatterns = [path("probe/acting-as/", acting_as), path("probe/verified-with/", verified_with), *platform]
