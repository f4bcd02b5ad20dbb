"""The calendar in force, built from what administrators entered.

``current_calendar()`` is called by pages, jobs and the case write path. Building a
calendar reads every override, so the built calendar is kept in the process and rebuilt
only when the tables change. How a process learns that they changed depends on the cache:

- **Shared cache (Redis, the scale profile).** A version token in the Django cache,
  replaced whenever a year or an override is saved or deleted (signals, after the
  transaction commits, so no process can read the token before the data). A request
  compares the token with the one its calendar was built under: one cache read, no query.
  Writes that send no signal (a queryset ``update()``, ``bulk_create``, SQL typed by hand)
  are caught by the fingerprint below, re-read at least every ``RECHECK_SECONDS``.
- **Per-process cache (LocMem, embedded).** A token bumped by the admin's worker would
  never reach the other workers, so every check reads the fingerprint from the database
  (the entered years, the number of overrides and their latest ``updated_at``): one query.

Change overrides through ``save()`` or the admin: a queryset ``update()`` skips both the
signal and ``auto_now`` and would leave the fingerprint unchanged.

One page asks for the calendar several times (the base template's warnings, the view, the
deadline of each case). Inside ``calendar_scope()`` (opened for each request by
``workdays.middleware``, for each run of a scheduled job by ``@in_calendar_scope``, and by
a command around one unit of work) the check is made once and the calendar is reused
until the scope ends; a save or delete of an override or a year in this same scope drops
it, so the request that changes the calendar sees its own change. Outside a scope every
call checks, as tests calling a job's plain function expect: a calendar is never carried
from one request or run to the next without a check.
"""

import functools
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from typing import NamedTuple, ParamSpec, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from .models import CalendarYear, HolidayOverride
from .rules import WorkCalendar, unknown_deadline_warning, unknown_year_warning

P = ParamSpec("P")
R = TypeVar("R")

# The version token in the shared cache: replaced (never incremented, so a token lost with
# the cache can never come back equal to an old one) after every committed change.
VERSION_KEY = "workdays:calendar-version"
# A token-valid calendar is still checked against the database this often, for writes that
# send no signal; an administrator's save is seen at once through the token.
RECHECK_SECONDS = 60.0

# Caches each process holds to itself: a bump would not reach the other workers.
_PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


class _Built(NamedTuple):
    token: str | None  # the version token it was checked under (None: per-process cache)
    fingerprint: tuple
    checked_at: float  # time.monotonic() of the last database check
    calendar: WorkCalendar


# Replaced whole, so a reader never sees half an update.
_cached: _Built | None = None

# Set when this thread saved or deleted a year or an override inside a transaction not yet
# ended: a calendar built now may hold rows that will be rolled back, so it is kept without
# a token (the next check reads the fingerprint, which a rollback changes back).
_uncommitted: ContextVar[bool] = ContextVar("bangban_calendar_uncommitted", default=False)


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
    if connection.in_atomic_block:
        _uncommitted.set(True)
    # after the commit: a process reading the new token then reads the new rows
    transaction.on_commit(_bump_version)


def _bump_version() -> None:
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, None)
    except Exception:  # the cache is down: readers fall back to the database check
        pass


def _shared_cache() -> bool:
    """Whether every process sees the default cache (so a version bump reaches them all)."""
    return settings.CACHES["default"]["BACKEND"] not in _PER_PROCESS_CACHES


def _version_token() -> str | None:
    """The current version token (set now if the cache lost it); None: check the database."""
    if not _shared_cache():
        return None
    try:
        token = cache.get(VERSION_KEY)
        if token is None:
            cache.add(VERSION_KEY, uuid.uuid4().hex, None)
            token = cache.get(VERSION_KEY)
    except Exception:  # the cache is down: every check goes to the database
        return None
    return token


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
    # The token is read before the tables: a change committed after this read bumps the
    # token again, so a calendar built from older rows is never kept under a newer token.
    if _uncommitted.get() and not connection.in_atomic_block:
        _uncommitted.set(False)  # that transaction has ended, committed or rolled back
    token = None if _uncommitted.get() else _version_token()
    cached = _cached
    now = time.monotonic()
    if (
        token is not None
        and cached is not None
        and cached.token == token
        and now - cached.checked_at < RECHECK_SECONDS
    ):
        return cached.calendar
    fingerprint = calendar_fingerprint()
    if cached is not None and cached.fingerprint == fingerprint:
        _cached = cached._replace(token=token, checked_at=now)
        return cached.calendar
    calendar = WorkCalendar(
        overrides={row.date: row.as_rule() for row in HolidayOverride.objects.all()},
        entered_years=fingerprint[0],
    )
    _cached = _Built(token, fingerprint, now, calendar)
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
    """What changes whenever the calendar's tables change: the entered years (ascending),
    the number of overrides and their latest ``updated_at``, in one query. Anything derived
    from the calendar (this cache, oversight's working-day table) is current while its
    fingerprint is."""
    quote = connection.ops.quote_name
    years, overrides = CalendarYear._meta.db_table, HolidayOverride._meta.db_table
    # One statement: the years' rows, then one row (year NULL) with the overrides' count
    # and latest change. Raw SQL, so a request pays no query building for it.
    sql = (
        f"SELECT {quote('year')}, NULL, NULL FROM {quote(years)} UNION ALL "
        f"SELECT NULL, COUNT(*), MAX({quote('updated_at')}) FROM {quote(overrides)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    entered = tuple(sorted(row[0] for row in rows if row[0] is not None))
    count, latest = next((row[1], row[2]) for row in rows if row[0] is None)
    return entered, count, latest
