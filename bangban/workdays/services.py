"""The calendar in force, built from what administrators entered.

``current_calendar()`` is called by pages, jobs and the case write path. Building a
calendar reads every override, so the built calendar is kept in the process and rebuilt
only when the tables change. Whether they changed is told by a cheap fingerprint read from
the database (the entered years, the number of overrides and their latest ``updated_at``)
rather than by a counter bumped from signals: the default cache is per-process LocMem,
where a bump made by the admin's worker would never reach the other workers.

Change overrides through ``save()`` or the admin: a queryset ``update()`` skips
``auto_now`` and would leave the fingerprint unchanged.
"""

from datetime import date

from django.db.models import Count, Max
from django.utils import timezone

from .models import CalendarYear, HolidayOverride
from .rules import WorkCalendar, unknown_year_warning

# (fingerprint, calendar); replaced whole, so a reader never sees half an update.
_cached: tuple[tuple, WorkCalendar] | None = None


def current_calendar() -> WorkCalendar:
    """The working-day calendar: overrides, then the package, then the weekend rule."""
    global _cached
    fingerprint = _fingerprint()
    cached = _cached
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    calendar = WorkCalendar(
        overrides={row.date: row.as_rule() for row in HolidayOverride.objects.all()},
        entered_years=fingerprint[0],
    )
    _cached = (fingerprint, calendar)
    return calendar


def calendar_warnings(today: date | None = None) -> list[str]:
    """One sentence per year (this one or next) whose official schedule is not yet known."""
    today = today or timezone.localdate()
    calendar = current_calendar()
    return [unknown_year_warning(year) for year in calendar.warning_years(today)]


def _fingerprint() -> tuple:
    years = tuple(CalendarYear.objects.order_by("year").values_list("year", flat=True))
    overrides = HolidayOverride.objects.aggregate(count=Count("pk"), latest=Max("updated_at"))
    return years, overrides["count"], overrides["latest"]
