"""Refuse text that no field of the platform can hold, before any view sees it."""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

NUL = "\x00"


class RefuseNulCharactersMiddleware:
    """No text here contains U+0000, and PostgreSQL cannot store it: a query string, form or JSON
    body that carries one is refused with a 400 that says why. Forms refuse it field by field;
    this also covers list filters and API bodies, which would otherwise fail in the database.
    File uploads are not inspected: files may hold any bytes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._carries_nul(request):
            reason = _("The request contains a character that text cannot hold (U+0000).")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": reason}, status=400)
            return render(request, "400.html", {"reason": reason}, status=400)
        return self.get_response(request)

    @staticmethod
    def _carries_nul(request) -> bool:
        if any(NUL in key or any(NUL in v for v in values) for key, values in request.GET.lists()):
            return True
        content_type = request.content_type or ""
        if content_type == "application/x-www-form-urlencoded":
            return any(NUL in key or any(NUL in v for v in values) for key, values in request.POST.lists())
        if content_type.endswith("json"):
            body = request.body
            return b"\\u0000" in body or b"\x00" in body
        return False


class BadRequestPageMiddleware:
    """A page's own `BadRequest("why")` is shown as the 400 page with its reason, in the demo
    (DEBUG) as in production, rather than as Django's debug page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, BadRequest) and not request.path.startswith("/api/"):
            return render(request, "400.html", {"reason": str(exception)}, status=400)
        return None
