"""/healthz and /readyz, for load balancers and process supervisors (answered by ProbeMiddleware)."""

from __future__ import annotations

from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe

from rainforest.ops import health


def _answer(ok: bool, degraded: bool = False, **body) -> JsonResponse:
    status = ("degraded" if degraded else "ok") if ok else "unavailable"
    response = JsonResponse({"status": status, **body}, status=200 if ok else 503)
    add_never_cache_headers(response)
    # "Not ready" is an answer, not a server error: without this Django would log every probe's
    # 503 as an ERROR while a node starts or waits for its migrations. The access line keeps it.
    response._has_been_logged = True
    return response


@require_safe
def healthz(request) -> JsonResponse:
    """The process is alive and answers; nothing else is asked (no database, no cache)."""
    return _answer(True)


@require_safe
def readyz(request) -> JsonResponse:
    """200 when this process may take traffic ("degraded" while the cache is down); 503 naming the
    check that failed otherwise."""
    ok, checks = health.readiness()
    return _answer(ok, degraded=not all(check["ok"] for check in checks.values()), checks=checks)
