"""The promised-limit clock of an accepted case: its pauses and its deadline.

``effects`` opens and closes the pauses an event causes; ``services.case_transition``
then recomputes the clock (``recompute_clock``) for the events whose row has a ``clock`` effect.
Imports run one way: ``services`` → ``effects`` → this module. ``case_deadline`` is also
importable from ``services``, where the pages, the API and the documents read it.
"""

from __future__ import annotations

from datetime import date, timedelta

from bangban.workdays.rules import DayOverride, Pause, WorkCalendar, deadline
from bangban.workdays.services import current_calendar

from . import clock, surge
from .models import Case, CasePause


def case_deadline(case: Case, today: date | None = None):
    """The deadline of an accepted case with its explanation (None before acceptance)."""
    if not case.accepted_on or case.promised_days is None:
        return None
    pauses = [
        Pause(p.start, p.end, p.get_kind_display() + (f"：{p.reason}" if p.reason else ""))
        for p in case.pauses.all()
    ]
    return deadline(case.accepted_on, case.promised_days, pauses, _calendar_for(case), today=today)


def _calendar_for(case: Case) -> WorkCalendar:
    """The working-day calendar, plus, for a case its site accepted during a surge whose
    extended hours the county allowed to count (``surge.Surge.hours_count``), the surge's
    rest days as working days. Only such cases: the others' deadlines never move."""
    calendar = current_calendar()
    surges = surge.counted_days(case.site_id, case.accepted_on)
    if not surges:
        return calendar
    extra: dict[date, DayOverride] = {}
    for first, last in surges:
        day = first
        while day <= last:
            if not calendar.is_workday(day):
                extra[day] = DayOverride(True, "高峰期延长服务")
            day += timedelta(days=1)
    return calendar.with_workdays(extra) if extra else calendar


def recompute_clock(case: Case) -> None:
    """The due date and the start of the pause under way, from the case's pauses."""
    if case.accepted_on and case.promised_days is not None:
        case.due_on = case_deadline(case).due_on
    open_pause = case.pauses.filter(end__isnull=True).first() if case.accepted_on else None
    case.paused_since = open_pause.start if open_pause else None


def open_pause(case: Case, kind: str, reason: str = "") -> None:
    if case.accepted_on and not case.pauses.filter(end__isnull=True).exists():
        CasePause.objects.create(case=case, kind=kind, start=clock.today(), reason=reason)


def close_pause(case: Case) -> None:
    """The clock runs again from the day it resumes: the pause ends the day before.

    A pause opened and closed on the same day stopped no working day, so it is dropped.
    """
    today = clock.today()
    for pause in case.pauses.filter(end__isnull=True):
        if pause.start >= today:
            pause.delete()
        else:
            pause.end = today - timedelta(days=1)
            pause.save(update_fields=["end"])
