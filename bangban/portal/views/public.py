from django.shortcuts import redirect, render

from bangban.network.models import Site

from .common import safe_next

ELDER_COOKIE_AGE = 365 * 24 * 3600


def home(request):
    sites = Site.objects.filter(is_active=True).only(
        "name", "code", "level", "path", "phone", "address"
    )
    return render(request, "portal/home.html", {"sites": sites})


def elder_toggle(request):
    """Switch the 长辈版 on or off; remembered in a cookie so it persists on this device."""
    response = redirect(safe_next(request, "/"))
    turning_on = request.COOKIES.get("elder") != "1"
    response.set_cookie(
        "elder", "1" if turning_on else "0", max_age=ELDER_COOKIE_AGE, samesite="Lax"
    )
    return response
