from django.shortcuts import redirect, render


def home_view(request):
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    memberships = request.user.memberships.select_related("organisation")
    return render(request, "home.html", {"memberships": memberships})
