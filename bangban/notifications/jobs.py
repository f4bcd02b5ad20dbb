"""The scheduled jobs' work, as plain functions of the day (``tasks.py`` schedules them).

Every job is safe to run twice, or on two machines at the same moment:

- jobs that only write messages (deadline scans, the calendar warning) give each message a
  ``dedupe_key`` naming the case, the kind and the day (the week for the calendar
  warning): a second run inserts nothing;
- jobs that change something else as well (a ``remind`` event on the case, a digest, a
  roll-up) first insert a ``JobMark`` unique per (job, object) in the same transaction:
  whoever inserts second gets an IntegrityError, rolls back and skips.

Jobs that speak to staff run on working days only (``current_calendar``): nobody reads a
warning on the first day of National Day, and the one sent on the first working day after
it says the same thing. Days left and days late are counted in working days.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta
from itertools import groupby

from django.db import IntegrityError, transaction
from django.utils import timezone

from bangban.cases.access import SYSTEM
from bangban.cases.models import Case
from bangban.cases.selectors import deadline_status
from bangban.cases.services import case_transition
from bangban.cases.workflow import CLOCK_RUNNING_STATES, State, TransitionRefused
from bangban.staff.models import StaffMember
from bangban.workdays.services import current_calendar

from . import outbox
from .events import handlers
from .models import JobMark, Message, MessageState, RecipientKind

logger = logging.getLogger(__name__)

CHUNK = 200
SUPPLEMENT_REMIND_WORKDAYS = 1  # remind on the working day before the supplement deadline
RESUMPTION_REMIND_WORKDAYS = 2  # … and within two working days of the resumption deadline


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _chunks(queryset):
    """Rows in primary-key order, a chunk at a time (writes in between are harmless)."""
    last = 0
    while chunk := list(queryset.filter(pk__gt=last).order_by("pk")[:CHUNK]):
        yield from chunk
        last = chunk[-1].pk


def _once(job: str, key: str, day: date, effect: Callable[[], object]) -> bool:
    """Run ``effect`` in one transaction with the JobMark (job, key); False if already done."""
    try:
        with transaction.atomic():
            JobMark.objects.create(job=job, key=key[:120], day=day)
            effect()
    except IntegrityError:
        return False
    return True


def coordinators_for(site) -> list[StaffMember]:
    """Active coordinators covering ``site`` (a covered site or any site above it)."""
    return list(StaffMember.objects.active().covering(site))


# --- deadlines ---------------------------------------------------------------------------


def scan_deadlines(today: date | None = None) -> int:
    """Warn the handlers of cases close to their due date; tell them and the coordinators
    of overdue cases. Once per case, kind and working day. Returns messages written."""
    today = _today(today)
    calendar = current_calendar()
    if not calendar.is_workday(today):
        return 0
    coordinators: dict[int, list[StaffMember]] = {}
    written = 0
    running = Case.objects.filter(state__in=CLOCK_RUNNING_STATES, due_on__isnull=False)
    for case in _chunks(running.select_related("site", "client", "agent")):
        status, left = deadline_status(case, today, calendar)
        if status == "warning":
            template, people = "staff.deadline_warning", handlers(case)
            context = {"due_on": outbox.day_text(case.due_on), "days_left": left}
        elif status == "overdue":
            if case.site_id not in coordinators:
                coordinators[case.site_id] = coordinators_for(case.site)
            template = "staff.overdue"
            people = _unique(handlers(case) + coordinators[case.site_id])
            context = {"due_on": outbox.day_text(case.due_on), "days_late": -left}
        else:
            continue
        written += outbox.enqueue(
            template=template,
            recipients=people,
            context=context,
            dedupe=f"scan:{status}:{case.pk}:{today.isoformat()}",
            case=case,
        )
    return written


def _unique(people: list) -> list:
    seen, out = set(), []
    for person in people:
        if person.pk not in seen:
            seen.add(person.pk)
            out.append(person)
    return out


# --- reminders to clients (through the workflow's ``remind`` event) -----------------------


def remind_clients(today: date | None = None) -> int:
    """Remind clients of supplements and resumption deadlines; return reminders made.

    Supplement: once on the last working day before the deadline (or the deadline itself
    if that was missed; not on the day the one-time notice was issued) and once after it
    passed. Resumption: once within two working days
    of the deadline. Each reminder is a ``remind`` event on the case (so it shows on the
    timeline, and the seed's "after reminders" has its record), written through
    ``case_transition`` with the system actor; its SMS follows from the event.
    """
    today = _today(today)
    calendar = current_calendar()
    if not calendar.is_workday(today):
        return 0
    made = 0
    soon = calendar.add_workdays(today, SUPPLEMENT_REMIND_WORKDAYS)
    waiting = Case.objects.filter(
        state=State.AWAITING_SUPPLEMENT,
        supplement_due_on__isnull=False,
        supplement_due_on__lte=soon,
    )
    for case in _chunks(waiting):
        due = case.supplement_due_on
        kind = "overdue" if today > due else "due_soon"
        if kind == "due_soon" and _notice_issued_on(case, today):
            continue  # the one-time notice itself went out today
        made += _remind(case, "supplement_reminder", f"{case.pk}:{due}:{kind}", today, kind=kind)
    horizon = calendar.add_workdays(today, RESUMPTION_REMIND_WORKDAYS)
    suspended = Case.objects.filter(
        state=State.SUSPENDED, resumption_due_on__gte=today, resumption_due_on__lte=horizon
    )
    for case in _chunks(suspended):
        due = case.resumption_due_on
        left = calendar.workdays_between(today, due)
        made += _remind(
            case,
            "resumption_reminder",
            f"{case.pk}:{due}",
            today,
            kind="resumption",
            days_left=left,
        )
    return made


def _notice_issued_on(case: Case, day: date) -> bool:
    latest = case.notices.order_by("-issued_at", "-id").values_list("issued_at", flat=True).first()
    return latest is not None and timezone.localdate(latest) == day


def _remind(case: Case, job: str, key: str, today: date, **details) -> int:
    try:
        done = _once(
            job,
            key,
            today,
            lambda: case_transition(case=case, event="remind", actor=SYSTEM, **details),
        )
    except TransitionRefused as refused:  # the case moved on meanwhile
        logger.info("办件%s无需催告：%s", case.number, refused.message)
        return 0
    return int(done)


# --- the holiday calendar ----------------------------------------------------------------


def calendar_warning(today: date | None = None) -> int:
    """Tell administrators, once a week, that a needed year's holidays are not entered.

    This year always matters; next year matters from December, when deadlines set now
    start to reach into it (the State Council usually publishes in October or November).
    """
    today = _today(today)
    calendar = current_calendar()
    if not calendar.is_workday(today):
        return 0
    missing = [today.year] if not calendar.is_known_year(today.year) else []
    if today.month == 12 and not calendar.is_known_year(today.year + 1):
        missing.append(today.year + 1)
    if not missing:
        return 0
    week = today.isocalendar()
    admins = StaffMember.objects.active().filter(is_administrator=True)
    years = "、".join(str(y) for y in missing)
    return outbox.enqueue(
        template="staff.calendar_missing",
        recipients=list(admins),
        context={"years": years},
        dedupe=f"calendar:{'-'.join(map(str, missing))}:{week.year}-W{week.week:02d}",
    )


# --- digests -----------------------------------------------------------------------------


def send_digests(today: date | None = None) -> int:
    """Bundle each staff member's held messages into one digest per channel.

    One digest per person, channel and working day: its dedupe key names the day, so a
    second run that day (or a concurrent one) writes nothing, and what arrives later waits
    for the next morning. The held rows move to ``bundled`` (pointing at their digest) in
    the same transaction that writes it, conditional on still being held. Returns digests
    written.
    """
    today = _today(today)
    if not current_calendar().is_workday(today):
        return 0
    held = (
        Message.objects.filter(state=MessageState.HELD)
        .order_by("staff_id", "channel", "id")
        .values("pk", "staff_id", "channel", "subject", "body", "created_at")
    )
    made = 0
    for (staff_id, channel), rows in groupby(held, key=lambda r: (r["staff_id"], r["channel"])):
        made += _digest(staff_id, channel, list(rows), today)
    return made


def _digest(staff_id: int, channel: str, rows: list[dict], today: date) -> int:
    staff = StaffMember.objects.get(pk=staff_id)
    first_day = timezone.localdate(min(r["created_at"] for r in rows))
    rendered = outbox.render(
        "staff.digest",
        {
            "staff_name": staff.name,
            "day": outbox.day_text(first_day),
            "count": len(rows),
            "items": [r["subject"] or r["body"][:60] for r in rows],
        },
    )
    if rendered is None:  # the digest template is switched off: send them one by one
        Message.objects.filter(pk__in=[r["pk"] for r in rows], state=MessageState.HELD).update(
            state=MessageState.QUEUED, next_attempt_at=timezone.now()
        )
        return 0
    try:
        with transaction.atomic():
            digest = Message.objects.create(
                recipient_kind=RecipientKind.STAFF,
                staff=staff,
                channel=channel,
                address_masked=Message.objects.get(pk=rows[0]["pk"]).address_masked,
                template_key="staff.digest",
                subject=rendered.subject[:200],
                body=rendered.body,
                dedupe_key=f"digest:s{staff_id}:{channel}:{today.isoformat()}",
                state=MessageState.QUEUED,
                next_attempt_at=timezone.now(),
            )
            bundled = Message.objects.filter(
                pk__in=[r["pk"] for r in rows], state=MessageState.HELD
            ).update(state=MessageState.BUNDLED, digest=digest)
            if not bundled:
                raise IntegrityError("nothing left to bundle")
            transaction.on_commit(outbox.schedule_delivery, robust=True)
    except IntegrityError:
        return 0
    return 1


# --- daily roll-ups (filled in by the oversight work) ------------------------------------

ROLLUPS: list[Callable[[date], object]] = []


def register_rollup(function: Callable[[date], object]) -> Callable[[date], object]:
    """Register ``function(day)`` to run once per day for the day before."""
    ROLLUPS.append(function)
    return function


def daily_rollups(today: date | None = None) -> int:
    """Run each registered roll-up once for yesterday. No metric is defined here yet."""
    day = _today(today) - timedelta(days=1)
    ran = 0
    for function in ROLLUPS:
        name = f"{function.__module__}.{function.__qualname__}"
        ran += _once("rollup", f"{name}:{day.isoformat()}", day, lambda f=function: f(day))
    return ran
