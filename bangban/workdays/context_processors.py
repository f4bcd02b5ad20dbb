from django.utils.functional import SimpleLazyObject

from . import services


def calendar_warnings(request):
    """``calendar_warnings``: the "holiday schedule not yet entered" sentences, for staff.

    Lazy, so a page that does not show them costs no query. Clients never see them: the
    fix is an administrator's job, and the sentence would only worry a citizen.
    """
    user = getattr(request, "user", None)
    return {"calendar_warnings": SimpleLazyObject(lambda: _warnings_for(user))}


def _warnings_for(user) -> list[str]:
    # `staff` is the StaffMember reverse relation; checked by name so this app, which
    # every other app depends on, does not import the staff app.
    if user is None or not user.is_authenticated:
        return []
    if not (user.is_staff or hasattr(user, "staff")):
        return []
    return services.calendar_warnings()
