"""The calendar in force, built from what administrators entered.

``current_calendar()`` is called by pages, jobs and the case write path. Building a
calendar reads every override, so the built calendar is kept in the process and rebuilt
only when the tables change. Whether they changed is told by a cheap fingerprint read from
the database (the entered years, the number of overrides and their latest ``updated_at``)
rather than by a counter bumped from signals: the default cache is per-process LocMem,
where a bump made by the admin's worker would never reach the other workers.

Change overrides through ``save()`` or the admin: a queryset ``update()`` skips
``auto_now`` and would leave the fingerprint unchanged.

The fingerprint costs two queries, and one page asks for the calendar several times (the
base template's warnings, the view, the deadline of each case). Inside
``calendar_scope()`` (opened for each request by ``workdays.middleware``, for each run of
a scheduled job by ``@in_calendar_scope``, and by a command around one unit of work) the
fingerprint is checked once and the calendar is reused until the scope ends; a save or
delete of an override or a year in this same scope drops it, so the request that changes
the calendar sees its own change. Outside a scope every call checks, as tests calling a
job's plain function expect: a calendar is never carried from one request or run to the next.
"""

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from typing import ParamSpec, TypeVar

from django.db.models import Count, Max
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from .models import CalendarYear, HolidayOverride
from .rules import WorkCalendar, unknown_deadline_warning, unknown_year_warning

P = ParamSpec("P")
R = TypeVar("R")

# (fingerprint, calendar); replaced whole, so a reader never sees half an update.
_cached: tuple[tuple, WorkCalendar] | None = None


class _Scope:
    """The calendar checked once in this scope, or None until it is first asked for."""

    __slots__ = ("calendar",)

    def __init__(self) -> None:
        self.calendar: WorkCalendar | None = None


# A ContextVar rather than a thread-local, so concurrent requests served by one thread
# (ASGI) each have their own scope; a new thread starts outside any scope.
_scope: ContextVar[_Scope | None] = ContextVar("bangban_calendar_scope", default=None)


@contextmanager
def calendar_scope() -> Iterator[None]:
    """Check the calendar's tables at most once inside this block (a request, a loader).

    Nested scopes share the outermost one.
    """
    if _scope.get() is not None:
        yield
        return
    token = _scope.set(_Scope())
    try:
        yield
    finally:
        _scope.reset(token)


def in_calendar_scope(function: Callable[P, R]) -> Callable[P, R]:
    """Run each call of ``function`` (a job) in its own ``calendar_scope()``.

    A run over many cases checks the calendar once, and the next run checks again, so a
    holiday entered between two runs is seen by the second. Put it under the huey
    decorator, so that the scope covers the run (and ``call_local``) and the task keeps
    its name.
    """

    @functools.wraps(function)
    def scoped(*args: P.args, **kwargs: P.kwargs) -> R:
        with calendar_scope():
            return function(*args, **kwargs)

    return scoped


@receiver([post_save, post_delete], sender=HolidayOverride)
@receiver([post_save, post_delete], sender=CalendarYear)
def _forget_scoped_calendar(**kwargs) -> None:
    scope = _scope.get()
    if scope is not None:
        scope.calendar = None


def current_calendar() -> WorkCalendar:
    """The working-day calendar: overrides, then the package, then the weekend rule."""
    scope = _scope.get()
    if scope is None:
        return _checked_calendar()
    if scope.calendar is None:
        scope.calendar = _checked_calendar()
    return scope.calendar


def _checked_calendar() -> WorkCalendar:
    """The process's calendar if the tables have not changed since it was built, else a new one."""
    global _cached
    fingerprint = calendar_fingerprint()
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


def deadline_warnings(*days: date | None) -> list[str]:
    """One sentence per year, among the years of ``days`` (a resumption deadline, a due
    date…; None skipped), whose holidays are not entered: such a deadline was counted by the
    weekend rule and may move once they are (e.g. a deadline falling on 1 January)."""
    calendar = current_calendar()
    years = sorted({day.year for day in days if day is not None})
    return [unknown_deadline_warning(year) for year in years if not calendar.is_known_year(year)]


def calendar_fingerprint() -> tuple:
    """What changes whenever the calendar's tables change (entered years, overrides): two
    queries. Anything derived from the calendar (this cache, oversight's working-day table)
    is current while its fingerprint is."""
    years = tuple(CalendarYear.objects.order_by("year").values_list("year", flat=True))
    overrides = HolidayOverride.objects.aggregate(count=Count("pk"), latest=Max("updated_at"))
    return years, overrides["count"], overrides["latest"]
