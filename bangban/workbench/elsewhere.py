"""What other areas put in front of staff on the workbench: read, never written here.

Appointments and home visits come from visits (``bangban.visits``), return visits from
oversight (``bangban.oversight.access.visible_return_visits``), messages and notices from
notifications (``bangban.notifications.selectors``), printed forms from documents. Each
read is one capped query; the imports are made when called so that the workbench does
not tie its own import order to theirs.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

LIMIT = 30


def appointments_today(staff, today):
    """Window appointments (预约) booked at this agent's site today, by time."""
    from bangban.visits.models import Appointment, AppointmentStatus

    return list(
        Appointment.objects.filter(
            slot__site_id=staff.site_id, slot__day=today, status=AppointmentStatus.BOOKED
        )
        .select_related("slot", "case")
        .order_by("slot__start", "id")[:LIMIT]
    )


def my_home_visits(staff, today):
    """Home visits (上门服务) scheduled for this agent from today on, soonest first."""
    from bangban.visits.models import HomeVisitRequest, HomeVisitStatus

    start = timezone.make_aware(datetime.combine(today, time.min))
    return list(
        HomeVisitRequest.objects.filter(
            agent=staff, status=HomeVisitStatus.SCHEDULED, scheduled_for__gte=start
        ).order_by("scheduled_for", "id")[:LIMIT]
    )


def home_visits_to_schedule(staff):
    """Home-visit requests at the sites a coordinator covers that nobody has scheduled yet."""
    from bangban.visits.models import HomeVisitStatus
    from bangban.visits.services import home_visits_for

    return list(
        home_visits_for(staff)
        .filter(status=HomeVisitStatus.REQUESTED)
        .order_by("created_at", "id")[:LIMIT]
    )


def return_visits_due(staff, today):
    """Return visits (回访) planned and not yet made, soonest due first."""
    from bangban.oversight.access import visible_return_visits

    return list(
        visible_return_visits(staff)
        .filter(visited_at__isnull=True, due_on__lte=today + timedelta(days=7))
        .select_related("case")
        .order_by("due_on", "id")[:LIMIT]
    )


def case_messages(case):
    """The messages (SMS, notices) this case caused, with their state."""
    from bangban.notifications.selectors import messages_for_case

    return list(messages_for_case(case)[:LIMIT])


def correction_messages(client, correction_ids) -> dict:
    """The SMS that told the client of each correction of its mobile or address, by id."""
    from bangban.notifications.selectors import messages_for_corrections

    return messages_for_corrections(client, correction_ids)


def unread_notices(staff) -> int:
    from bangban.notifications.selectors import unread_count

    return unread_count(staff)
