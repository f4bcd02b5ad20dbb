"""Who may use the workbench: signed-in staff members who are on duty.

``staff_required`` wraps every workbench view. Anyone not signed in is sent to the login
page; a signed-in account without an active staff member is refused (403). Views then
load cases only through ``cases.access`` (``get_case_for`` → 404 for what a person may
not see), with ``request.actor`` as the person.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import prefetch_related_objects

from bangban.cases.access import actor_for_user


def staff_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        actor = actor_for_user(request.user)
        if actor is None:
            raise PermissionDenied("工作台仅供在岗工作人员使用")
        # Every page reads the staff member's site, and a coordinator's covered sites decide
        # what they see (several lists ask): load both once for the whole request.
        related = ["site", "covered_sites"] if actor.staff.is_coordinator else ["site"]
        prefetch_related_objects([actor.staff], *related)
        request.actor = actor
        request.staff = actor.staff
        return view(request, *args, **kwargs)

    return wrapper
