from django.core.exceptions import BadRequest
from django.shortcuts import render

from rainforest.accounts.middleware import request_memberships
from rainforest.workbench import selectors as workbench


def home_view(request):
    """Visitors get the landing page; a signed-in user the workbench of the role they act in."""
    if not request.user.is_authenticated:
        return render(request, "landing.html", {"figures": workbench.public_figures()})
    # The memberships the middleware read for this request (accounts.middleware): no second query.
    return render(
        request,
        "home.html",
        {"memberships": request_memberships(request), "bench": workbench.workbench(actor=request.principal)},
    )


def bad_request_view(request, exception=None):
    """400 with the refusal in the user's language: a page's own `BadRequest(message)` says what was
    wrong (a year that is not a year); Django's own (a bad host, a broken upload) say nothing more."""
    reason = str(exception) if isinstance(exception, BadRequest) and exception.args else ""
    return render(request, "400.html", {"reason": reason}, status=400)
