"""The probes are answered before sessions, sign-in, the second factor and password expiry.

A load balancer's probe carries no cookie, no CSRF token and possibly a Host that is not in
ALLOWED_HOSTS (it probes the node's own address): none of the middlewares after this one has
anything to say about it, and none may redirect it or write a session. The request id and the
security headers are already there (the middlewares above this one).
"""

from __future__ import annotations

from rainforest.ops import views

PROBES = {"/healthz": views.healthz, "/readyz": views.readyz}


class ProbeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = PROBES.get(request.path_info)
        if probe is not None:
            return probe(request)
        return self.get_response(request)
