"""The page a staff login gets while its account is locked (django-axes, settings AXES_*).

Axes calls ``locked_out`` instead of its own English text. It says in Chinese how long the
lock lasts and who can lift it, in the site's layout, with status 429.
"""

from __future__ import annotations

from axes.helpers import get_cool_off
from django.conf import settings
from django.shortcuts import render


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
