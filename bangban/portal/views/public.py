from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from bangban.network.models import Site

ELDER_COOKIE_AGE = 365 * 24 * 3600


def home(request):
    sites = Site.objects.filter(is_active=True).only(
        "name", "code", "level", "path", "phone", "address"
    )
    return render(request, "portal/home.html", {"sites": sites})


def elder_toggle(request):
    """Switch the 长辈版 on or off; remembered in a cookie so it persists on this device."""
    target = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = redirect(target)
    turning_on = request.COOKIES.get("elder") != "1"
    response.set_cookie(
        "elder", "1" if turning_on else "0", max_age=ELDER_COOKIE_AGE, samesite="Lax"
    )
    return response
