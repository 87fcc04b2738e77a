from django.core.exceptions import BadRequest
from django.shortcuts import render


def home_view(request):
    if not request.user.is_authenticated:
        return render(request, "landing.html")
    memberships = request.user.memberships.select_related("organisation")
    return render(request, "home.html", {"memberships": memberships})


def bad_request_view(request, exception=None):
    """400 with the refusal in the user's language: a page's own `BadRequest(message)` says what was
    wrong (a year that is not a year); Django's own (a bad host, a broken upload) say nothing more."""
    reason = str(exception) if isinstance(exception, BadRequest) and exception.args else ""
    return render(request, "400.html", {"reason": reason}, status=400)
