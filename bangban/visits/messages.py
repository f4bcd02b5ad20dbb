"""The SMS of appointments and home visits: a confirmation when booked or scheduled, and a
reminder the day before, written to the notifications outbox through the core's port
(``cases.messaging.notify``): sent after the commit, retried, and listed where staff see the
outbox. The texts are the catalogue's templates, which the administrator may edit
(``client.appointment_confirmed`` / ``client.appointment_reminder``,
``client.home_visit_confirmed`` / ``client.home_visit_reminder``).

The recipient is the registered client (the case's, or the one with the same mobile), else the
number the person gave (``messaging.Mobile``). Nothing goes twice: each message first claims
its stamp on the row (``confirmation_sent_at`` / ``reminder_sent_at``) with one conditional
UPDATE, so two workers or a second run find it taken; the outbox's key names the stamp (and,
for a visit, the time it was scheduled for, so a new time is confirmed again).

A reminder goes the day before, for requests made before that day (one made the day before
has just been confirmed).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Model
from django.utils import timezone

from bangban.cases.messaging import Mobile, notify
from bangban.clients.models import Client

from .models import (
    Appointment,
    AppointmentStatus,
    HomeVisitRequest,
    HomeVisitStatus,
)


def _claim(model: type[Model], pk: int, stamp: str, now) -> bool:
    return bool(
        model._default_manager.filter(pk=pk, **{f"{stamp}__isnull": True}).update(**{stamp: now})
    )


def recipient_of(row) -> Client | Mobile:
    """Who a request's messages go to: the case's client, a client registered under the same
    mobile, else the number the person gave."""
    if row.case_id:
        return row.case.client
    client = Client.objects.filter(mobile_hash=row.mobile_hash).order_by("pk").first()
    return client or Mobile(row.mobile_cipher, row.mobile_masked)


def _send(model, row, stamp: str, *, template: str, context: dict, key: str = "") -> bool:
    """Claim ``stamp`` and write the message to the outbox; True when this call did."""
    if not _claim(model, row.pk, stamp, timezone.now()):
        return False
    notify(
        template=template,
        recipients=[recipient_of(row)],
        context=context,
        dedupe=f"visits:{model.__name__.lower()}:{row.pk}:{stamp}{key}",
        ref=row.number,
    )
    return True


def _slot_time(appointment: Appointment) -> str:
    slot = appointment.slot
    return f"{slot.day.month}月{slot.day.day}日 {slot.start:%H:%M}-{slot.end:%H:%M}"


def _appointment_context(appointment: Appointment) -> dict:
    return {
        "client_name": appointment.name,
        "site_name": appointment.slot.site.name,
        "site_address": appointment.slot.site.address,
        "title": appointment.purpose,
        "appointment_time": _slot_time(appointment),
        "number": appointment.number,
    }


def _appointment(pk: int) -> Appointment | None:
    return (
        Appointment.objects.select_related("slot__site", "case__client")
        .filter(pk=pk, status=AppointmentStatus.BOOKED)
        .first()
    )


def confirm_appointment(pk: int) -> bool:
    appointment = _appointment(pk)
    if appointment is None:
        return False
    return _send(
        Appointment,
        appointment,
        "confirmation_sent_at",
        template="client.appointment_confirmed",
        context=_appointment_context(appointment),
    )


def remind_appointment(pk: int) -> bool:
    appointment = _appointment(pk)
    if appointment is None:
        return False
    return _send(
        Appointment,
        appointment,
        "reminder_sent_at",
        template="client.appointment_reminder",
        context=_appointment_context(appointment),
    )


def _visit(pk: int) -> HomeVisitRequest | None:
    return (
        HomeVisitRequest.objects.select_related("agent", "case__client")
        .filter(pk=pk, status=HomeVisitStatus.SCHEDULED, scheduled_for__isnull=False)
        .first()
    )


def _when(visit: HomeVisitRequest) -> str:
    at: datetime = timezone.localtime(visit.scheduled_for)
    return f"{at.month}月{at.day}日 {at:%H:%M}"


def _visit_context(visit: HomeVisitRequest) -> dict:
    return {
        "number": visit.number,
        "agent_name": visit.agent.name if visit.agent else "",
        "visit_time": _when(visit),
        "reply": visit.reply,
        "needs": visit.needs[:30],
    }


def _visit_key(visit: HomeVisitRequest) -> str:
    return f":{visit.scheduled_for:%Y%m%d%H%M}" if visit.scheduled_for else ""


def confirm_visit(pk: int) -> bool:
    visit = _visit(pk)
    if visit is None or visit.agent is None:
        return False
    context = _visit_context(visit)
    del context["needs"]
    return _send(
        HomeVisitRequest,
        visit,
        "confirmation_sent_at",
        template="client.home_visit_confirmed",
        context=context,
        key=_visit_key(visit),
    )


def remind_visit(pk: int) -> bool:
    visit = _visit(pk)
    if visit is None or visit.agent is None:
        return False
    context = _visit_context(visit)
    del context["reply"]
    return _send(
        HomeVisitRequest,
        visit,
        "reminder_sent_at",
        template="client.home_visit_reminder",
        context=context,
        key=_visit_key(visit),
    )


def decline_visit(visit: HomeVisitRequest) -> int:
    """The coordinator's refusal and its reason, written with the refusal (same transaction)."""
    return notify(
        template="client.home_visit_declined",
        recipients=[recipient_of(visit)],
        context={"number": visit.number, "reply": visit.reply},
        dedupe=f"visits:homevisitrequest:{visit.pk}:declined",
        ref=visit.number,
    )


def messages_due(now=None) -> int:
    """Confirmations not yet sent (the gateway failed, or the commit hook never ran) and the
    reminders of tomorrow's appointments and visits; how many went."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    tomorrow = today + timedelta(days=1)
    start_of_today = timezone.make_aware(datetime.combine(today, datetime.min.time()))
    sent = 0
    booked = Appointment.objects.filter(status=AppointmentStatus.BOOKED, slot__day__gte=today)
    for pk in booked.filter(confirmation_sent_at__isnull=True).values_list("pk", flat=True):
        sent += confirm_appointment(pk)
    due = booked.filter(
        slot__day=tomorrow, reminder_sent_at__isnull=True, created_at__lt=start_of_today
    )
    for pk in due.values_list("pk", flat=True):
        sent += remind_appointment(pk)
    scheduled = HomeVisitRequest.objects.filter(
        status=HomeVisitStatus.SCHEDULED, scheduled_for__gte=now
    )
    for pk in scheduled.filter(confirmation_sent_at__isnull=True).values_list("pk", flat=True):
        sent += confirm_visit(pk)
    due_visits = scheduled.filter(
        scheduled_for__date=tomorrow,
        reminder_sent_at__isnull=True,
        confirmation_sent_at__lt=start_of_today,
    )
    for pk in due_visits.values_list("pk", flat=True):
        sent += remind_visit(pk)
    return sent
