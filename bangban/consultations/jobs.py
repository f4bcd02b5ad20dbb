"""The consultations' scheduled work, as plain functions of the day (``tasks.py`` schedules
them).

Whoever owes a consultation its answer is told through the core's messaging port
(``cases.messaging.notify``: the notifications area writes the messages to its outbox), so
this area does not import the notifications area. Safe to run twice, or on two machines at
once: each message's ``dedupe`` names the consultation, the kind and the day, and a second
run writes nothing.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from bangban.cases import messaging
from bangban.staff.models import StaffMember
from bangban.workdays.services import current_calendar

from .models import AWAITING_REPLY, Consultation, ConsultationStatus

CHUNK = 200


def replies_due(today: date | None = None) -> int:
    """Tell whoever owes a consultation its answer: on the due day, and daily once late.

    seed 000 §10.1.1.2: a question that cannot be answered at once is answered within one
    working day. The first-contact person is told, and the liaisons of the department it
    was escalated to. Working days only: nobody reads a warning on a day off, and the one
    sent on the next working day says the same. Returns messages written.
    """
    today = today or timezone.localdate()
    if not current_calendar().is_workday(today):
        return 0
    liaisons: dict[int, list[StaffMember]] = {}
    written = 0
    for consultation in _waiting(today):
        overdue = consultation.reply_due_on < today
        people = [consultation.handled_by]
        department = consultation.department_id
        if consultation.status == ConsultationStatus.ESCALATED and department:
            if department not in liaisons:
                liaisons[department] = list(
                    StaffMember.objects.active().filter(is_liaison=True, department_id=department)
                )
            people += liaisons[department]
        kind = "overdue" if overdue else "due"
        written += messaging.notify(
            template="staff.consultation_due",
            recipients=list({person.pk: person for person in people}.values()),
            context={
                "client_name": consultation.client_name,
                "content": consultation.content[:40],
                "reply_due_on": consultation.reply_due_on,
                "handled_by": consultation.handled_by.name,
                "overdue": overdue,
            },
            dedupe=f"consultation:{kind}:{consultation.pk}:{today.isoformat()}",
            ref=f"consultation:{consultation.pk}",
        )
    return written


def _waiting(today: date):
    """The consultations awaiting a reply due by ``today``, a chunk at a time in key order."""
    waiting = Consultation.objects.filter(
        status__in=AWAITING_REPLY, reply_due_on__isnull=False, reply_due_on__lte=today
    ).select_related("handled_by", "department")
    last = 0
    while chunk := list(waiting.filter(pk__gt=last).order_by("pk")[:CHUNK]):
        yield from chunk
        last = chunk[-1].pk
