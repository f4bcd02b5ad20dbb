"""Working days as numbers in a table, so working-day spans are computed by the database.

The metrics need working-day spans over many cases at once (handling time, "responded
within one working day"). Counting them in Python would mean a loop over cases; instead
``WorkdayOrdinal`` numbers every day of the covered years with the count of working days
up to and including it, and a span is the difference of two ordinals looked up by index.

The table starts on 1 January 2016 and reaches the end of next year, so an ordinal never
changes when the table grows. It is rebuilt from ``current_calendar()`` (the package plus
the administrators' holiday entries) whenever those entries change; the fingerprint is the
one ``bangban.workdays.services`` uses, plus the package version. Years before 2004 and
after the package's last year follow the weekend rule and the entries. Only the figures
job builds it (``facts``); pages look days up in it and never write.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import chinese_calendar
from django.db import transaction
from django.db.models import DateTimeField, IntegerField, OuterRef, Subquery
from django.utils import timezone

from bangban.workdays.services import calendar_fingerprint, current_calendar

from ..models import WorkdayOrdinal, WorkdayOrdinalState

MARGIN_YEARS = 1  # built around the years asked for, so nearby due dates resolve too


def _fingerprint() -> str:
    version = getattr(chinese_calendar, "__version__", "")
    return f"{version}|{calendar_fingerprint()}"[:200]


EPOCH_YEAR = 2016  # ordinals count from here, so they never shift when the table grows


def ensure_ordinals(first: date, last: date) -> None:
    """Make sure the table covers ``first`` … ``last`` (and next year) as of the calendar now."""
    today = timezone.localdate()
    want_last = max(last.year, today.year) + MARGIN_YEARS
    fingerprint = _fingerprint()
    state = WorkdayOrdinalState.objects.first()
    if state is not None and state.fingerprint == fingerprint and state.last_year >= want_last:
        return
    with transaction.atomic():
        state = WorkdayOrdinalState.objects.select_for_update().first()
        if state is not None:
            if state.fingerprint == fingerprint and state.last_year >= want_last:
                return  # another process rebuilt it meanwhile
            want_last = max(want_last, state.last_year)
        _rebuild(EPOCH_YEAR, want_last)
        if state is None:
            state = WorkdayOrdinalState(first_year=EPOCH_YEAR, last_year=want_last)
        state.first_year, state.last_year, state.fingerprint = EPOCH_YEAR, want_last, fingerprint
        state.save()


def is_current(today: date) -> bool:
    """The table is built from the calendar in force and reaches next year (what
    ``ensure_ordinals`` would leave as it is for the days up to ``today``)."""
    state = WorkdayOrdinalState.objects.first()
    return (
        state is not None
        and state.fingerprint == _fingerprint()
        and state.last_year >= today.year + MARGIN_YEARS
    )


def table_fingerprint() -> str:
    """The calendar the table was last built from: what is derived from the table (the
    per-case facts, the daily roll-up) must be recomputed when this changes."""
    return WorkdayOrdinalState.objects.values_list("fingerprint", flat=True).first() or ""


def _rebuild(first_year: int, last_year: int) -> None:
    calendar = current_calendar()
    zone = timezone.get_current_timezone()
    rows, ordinal = [], 0
    day, end = date(first_year, 1, 1), date(last_year, 12, 31)
    starts = timezone.make_aware(datetime.combine(day, time.min), zone)
    while day <= end:
        if calendar.is_workday(day):
            ordinal += 1
        after = day + timedelta(days=1)
        ends = timezone.make_aware(datetime.combine(after, time.min), zone)
        rows.append(WorkdayOrdinal(day=day, ordinal=ordinal, starts_at=starts, ends_at=ends))
        day, starts = after, ends
    WorkdayOrdinal.objects.all().delete()
    WorkdayOrdinal.objects.bulk_create(rows, batch_size=1000)


def ordinal_of(outer_field: str) -> Subquery:
    """The ordinal of the date in ``outer_field`` of the outer query (NULL if uncovered)."""
    return Subquery(
        WorkdayOrdinal.objects.filter(day=OuterRef(outer_field)).values("ordinal")[:1],
        output_field=IntegerField(),
    )


def ordinal_at(outer_field: str) -> Subquery:
    """The ordinal of the local day holding the instant in ``outer_field`` (a datetime).

    A range lookup on ``starts_at`` (indexed) rather than converting each value to a local
    date, which SQLite would do in Python row by row.
    """
    return Subquery(
        WorkdayOrdinal.objects.filter(starts_at__lte=OuterRef(outer_field))
        .order_by("-starts_at")
        .values("ordinal")[:1],
        output_field=IntegerField(),
    )


def end_of(outer_field: str) -> Subquery:
    """The instant the local day in ``outer_field`` (a date) ends: "by the end of the due day"."""
    return Subquery(
        WorkdayOrdinal.objects.filter(day=OuterRef(outer_field)).values("ends_at")[:1],
        output_field=DateTimeField(),
    )


def ordinal_on(day: date) -> int | None:
    return WorkdayOrdinal.objects.filter(day=day).values_list("ordinal", flat=True).first()
