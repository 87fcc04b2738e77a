from django.shortcuts import render


def home_view(request):
    if not request.user.is_authenticated:
        return render(request, "landing.html")
    memberships = request.user.memberships.select_related("organisation")
    return render(request, "home.html", {"memberships": memberships})
