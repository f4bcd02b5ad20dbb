"""Staff login limits: the page a locked account gets, and a ceiling per network address.

Axes (settings AXES_*) locks an *account* after a few wrong passwords and calls
``locked_out`` instead of its own English text: in Chinese, how long the lock lasts and who
can lift it, in the site's layout, with status 429.

A per-account lock does not stop one address trying one password on many accounts (staff
usernames follow a pattern). So wrong passwords are also counted per address in the cache
(shared by every worker when BANGBAN_CACHE_URL names Redis), and once an address reaches
LOGIN_ADDRESS_FAILURE_LIMIT within LOGIN_ADDRESS_WINDOW_MINUTES its logins are refused until
the window ends. The ceiling is far above what a service hall behind one NAT address makes
by mistyping, so colleagues are not locked out by one another.
"""

from __future__ import annotations

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.dispatch import receiver
from django.shortcuts import render
from django.urls import reverse

from bangban.netaddr import client_ip


def lockout_minutes(request=None) -> int:
    cool_off = get_cool_off(request)
    return max(1, round(cool_off.total_seconds() / 60)) if cool_off else 0


def locked_out(request, original_response=None, credentials=None):
    return render(
        request,
        "staff/locked_out.html",
        {"minutes": lockout_minutes(request), "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


# --- the ceiling per network address --------------------------------------------------------


def address_key(ip: str) -> str:
    return f"login-failures:{ip}"


@receiver(user_login_failed, dispatch_uid="bangban.staff.count_address_failure")
def count_address_failure(sender, credentials=None, request=None, **kwargs):
    if request is None:
        return
    key, window = address_key(client_ip(request)), settings.LOGIN_ADDRESS_WINDOW_MINUTES * 60
    cache.add(key, 0, timeout=window)  # the window starts at the first failure
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)


def address_refused(request) -> bool:
    return cache.get(address_key(client_ip(request)), 0) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT


def address_ceiling_middleware(get_response):
    """Refuse a login POST from an address past its ceiling, before any password is checked."""

    def middleware(request):
        if request.method == "POST" and request.path in _login_paths() and address_refused(request):
            return render(
                request,
                "staff/locked_out.html",
                {
                    "by_address": True,
                    "minutes": settings.LOGIN_ADDRESS_WINDOW_MINUTES,
                    "failure_limit": settings.LOGIN_ADDRESS_FAILURE_LIMIT,
                },
                status=settings.AXES_HTTP_RESPONSE_CODE,
            )
        return get_response(request)

    return middleware


def _login_paths() -> set[str]:
    """The staff login form and the admin's (every URLconf that serves staff has both: a
    renamed one fails here, loudly, rather than leaving its form without a ceiling)."""
    return {reverse("login"), reverse("admin:login")}
