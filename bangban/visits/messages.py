"""The SMS of appointments and home visits: a confirmation when booked or scheduled, and a
reminder the day before (through the core's messaging port, ``cases.messaging``).

Nothing goes twice: each message first claims its stamp on the row
(``confirmation_sent_at`` / ``reminder_sent_at``) with one conditional UPDATE, so two workers
or a second run find it taken. When the person is a registered client (the case's, or the
one with the same mobile), the message goes through the outbox (``notify``, templates
``client.appointment_confirmed`` / ``client.appointment_reminder``), which retries it and
shows it to staff; otherwise it goes at once (``send_sms``) and a failure gives the stamp
back, so the next run of ``tasks.visit_messages`` tries again.

A reminder goes the day before, for requests made before that day (one made the day before
has just been confirmed).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Model
from django.utils import timezone

from bangban.cases.messaging import SmsError, notify, send_sms
from bangban.clients import pii
from bangban.clients.models import Client

from .models import (
    Appointment,
    AppointmentStatus,
    HomeVisitRequest,
    HomeVisitStatus,
)

SIGN = "【帮办代办】"


def _claim(model: type[Model], pk: int, stamp: str, now) -> bool:
    return bool(
        model._default_manager.filter(pk=pk, **{f"{stamp}__isnull": True}).update(**{stamp: now})
    )


def _give_back(model: type[Model], pk: int, stamp: str) -> None:
    model._default_manager.filter(pk=pk).update(**{stamp: None})


def _client_of(row) -> Client | None:
    if row.case_id:
        return row.case.client
    return Client.objects.filter(mobile_hash=row.mobile_hash).order_by("pk").first()


def _send(model, row, stamp: str, text: str, *, template: str = "", context=None) -> bool:
    """Claim ``stamp`` and send; True when this call sent (or queued) the message."""
    now = timezone.now()
    if not _claim(model, row.pk, stamp, now):
        return False
    client = _client_of(row) if template else None
    if client is not None:
        notify(
            template=template,
            recipients=[client],
            context=context or {},
            dedupe=f"visits:{model.__name__.lower()}:{row.pk}:{stamp}",
            ref=row.number,
        )
        return True
    try:
        send_sms(pii.reveal(row.mobile_cipher), text)
    except SmsError:
        _give_back(model, row.pk, stamp)
        return False
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
    context = _appointment_context(appointment)
    address = f"（{context['site_address']}）" if context["site_address"] else ""
    text = (
        f"{SIGN}{appointment.name}，您已预约{context['appointment_time']}到"
        f"{context['site_name']}{address}办理“{appointment.purpose}”，请按时前往。"
        f"预约编号{appointment.number}。"
    )
    return _send(
        Appointment,
        appointment,
        "confirmation_sent_at",
        text,
        template="client.appointment_confirmed",
        context=context,
    )


def remind_appointment(pk: int) -> bool:
    appointment = _appointment(pk)
    if appointment is None:
        return False
    context = _appointment_context(appointment)
    text = (
        f"{SIGN}{appointment.name}，提醒您：您预约了{context['appointment_time']}到"
        f"{context['site_name']}办理“{appointment.purpose}”，请携带相关材料按时前往。"
    )
    return _send(
        Appointment,
        appointment,
        "reminder_sent_at",
        text,
        template="client.appointment_reminder",
        context=context,
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


def confirm_visit(pk: int) -> bool:
    visit = _visit(pk)
    if visit is None or visit.agent is None:
        return False
    text = (
        f"{SIGN}您的上门服务申请（{visit.number}）已安排：帮办代办员{visit.agent.name}将于"
        f"{_when(visit)}上门。{visit.reply}"
    )
    return _send(HomeVisitRequest, visit, "confirmation_sent_at", text)


def remind_visit(pk: int) -> bool:
    visit = _visit(pk)
    if visit is None or visit.agent is None:
        return False
    text = (
        f"{SIGN}提醒您：帮办代办员{visit.agent.name}将于{_when(visit)}上门办理"
        f"“{visit.needs[:30]}”，请备好相关材料。如需改期请致电服务点。"
    )
    return _send(HomeVisitRequest, visit, "reminder_sent_at", text)


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
