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

from bangban.sqlonce import BuiltOnce

LIMIT = 30


def appointments_today(staff, today):
    """Window appointments (预约) booked at this agent's site today, by time."""
    from bangban.visits.models import Appointment, AppointmentStatus

    return (
        Appointment.objects.filter(
            slot__site_id=staff.site_id, slot__day=today, status=AppointmentStatus.BOOKED
        )
        .select_related("slot", "case")
        .order_by("slot__start", "id")
    )


def my_home_visits(staff, today):
    """Home visits (上门服务) scheduled for this agent from today on, soonest first."""
    from bangban.visits.models import HomeVisitRequest, HomeVisitStatus

    start = timezone.make_aware(datetime.combine(today, time.min))
    return HomeVisitRequest.objects.filter(
        agent=staff, status=HomeVisitStatus.SCHEDULED, scheduled_for__gte=start
    ).order_by("scheduled_for", "id")


def home_visits_to_schedule(staff):
    """Home-visit requests at the sites a coordinator covers that nobody has scheduled yet."""
    from bangban.visits.models import HomeVisitStatus
    from bangban.visits.services import home_visits_for

    return (
        home_visits_for(staff).filter(status=HomeVisitStatus.REQUESTED).order_by("created_at", "id")
    )


def return_visits_due(staff, today):
    """Return visits (回访) planned and not yet made, soonest due first."""
    from bangban.oversight.access import visible_return_visits

    return (
        visible_return_visits(staff)
        .filter(visited_at__isnull=True, due_on__lte=today + timedelta(days=7))
        .select_related("case")
        .order_by("due_on", "id")
    )


def commitments_due(staff, today):
    """告知承诺 whose later check is due by today, on the cases this coordinator may see."""
    from bangban.cases.access import Actor
    from bangban.vault.services import commitments_due as due

    return due(Actor.of_staff(staff), today)


def my_rectifications(staff):
    """Bad-review rectifications (差评整改) this person owns and has not closed, soonest due
    first: the agent who handled the case is told on their home (seed 003 第十四条)."""
    from bangban.oversight.records.selectors import rectifications_due

    return rectifications_due(staff).filter(owner=staff)


def my_complaints(staff):
    """Complaints (投诉) assigned to this person and not yet answered, soonest due first."""
    from bangban.oversight.access import visible_complaints
    from bangban.oversight.models import ComplaintStage

    return (
        visible_complaints(staff)
        .filter(assigned_to=staff)
        .exclude(stage__in=[ComplaintStage.REPLIED, ComplaintStage.ARCHIVED])
        .select_related("case", "site")
        .order_by("due_on", "id")
    )


def my_return_visits(staff, today):
    """Required return visits (差评必访) verifying a bad review this person owns, not yet made."""
    from bangban.oversight.access import visible_return_visits

    return (
        visible_return_visits(staff)
        .filter(visited_at__isnull=True, rectification__owner=staff)
        .select_related("case")
        .order_by("due_on", "id")
    )


def first_rows(staff, lists: dict) -> dict[str, list]:
    """The first LIMIT rows of each of ``lists`` (name → queryset). Which of them have any
    row at all is asked first, in one query (an EXISTS for each): on most days most of an
    agent's loops are empty, and an empty list then costs nothing more."""
    from django.db.models import Exists

    from bangban.staff.models import StaffMember

    found = (
        StaffMember.objects.filter(pk=staff.pk)  # one row to hang the EXISTS on: the viewer
        .annotate(**{f"has_{name}": Exists(rows) for name, rows in lists.items()})
        .values(*[f"has_{name}" for name in lists])
        .first()
    ) or {}
    return {
        name: list(rows[:LIMIT]) if found.get(f"has_{name}") else [] for name, rows in lists.items()
    }


def oversight_headline(staff, today) -> dict:
    """The supervisor's headline counts of the records it oversees: open and overdue
    rectifications, complaints and inspection findings (one aggregate query each)."""
    from django.db.models import Count, Q

    from bangban.oversight.access import (
        visible_complaints,
        visible_inspections,
        visible_rectifications,
    )
    from bangban.oversight.models import OPEN_RECTIFICATION, ComplaintStage, InspectionFinding

    rectifications = (
        visible_rectifications(staff)
        .filter(status__in=OPEN_RECTIFICATION)
        .aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
    )
    complaints = (
        visible_complaints(staff)
        .exclude(stage__in=[ComplaintStage.REPLIED, ComplaintStage.ARCHIVED])
        .aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
    )
    findings = InspectionFinding.objects.filter(
        inspection__in=visible_inspections(staff).values("pk"),
        compliant=False,
        rectified_on__isnull=True,
    ).aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(deadline_on__lt=today)))
    return {"rectifications": rectifications, "complaints": complaints, "findings": findings}


def open_inspections(staff, today):
    """Inspections with findings not yet rectified, oldest first, each with ``open_findings``
    and ``overdue_findings`` counted."""
    from django.db.models import Count, Q

    from bangban.oversight.access import visible_inspections

    unrectified = Q(findings__compliant=False, findings__rectified_on__isnull=True)
    return list(
        visible_inspections(staff)
        .annotate(
            open_findings=Count("findings", filter=unrectified),
            overdue_findings=Count(
                "findings", filter=unrectified & Q(findings__deadline_on__lt=today)
            ),
        )
        .filter(open_findings__gt=0)
        .select_related("site", "inspector")
        .order_by("inspected_on", "id")[:LIMIT]
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


SIDE_NAMES = (
    "uploads",
    "last_upload",
    "messages",
    "confirmations",
    "corrections",
    "remote",
    "form_fields",
)


def _side_query(case_pk: int):
    from django.db.models import Count, Exists, OuterRef, Subquery

    from bangban.cases.models import Case, Confirmation, MaterialUpload
    from bangban.catalogue.models import FormField
    from bangban.clients.models import ClientCorrection
    from bangban.notifications.models import Message
    from bangban.remote.models import HelpSession

    uploads = MaterialUpload.objects.filter(material__case_id=OuterRef("pk")).order_by()
    return (
        Case.objects.filter(pk=case_pk)
        .annotate(
            side_uploads=Subquery(
                uploads.values("material__case_id").annotate(n=Count("pk")).values("n")[:1]
            ),
            side_last_upload=Subquery(uploads.order_by("-pk").values("pk")[:1]),
            side_messages=Exists(Message.objects.filter(case_id=OuterRef("pk"))),
            side_confirmations=Exists(Confirmation.objects.filter(case_id=OuterRef("pk"))),
            side_corrections=Exists(
                ClientCorrection.objects.filter(client_id=OuterRef("client_id"))
            ),
            side_remote=Exists(HelpSession.objects.filter(case_id=OuterRef("pk"))),
            side_form_fields=Exists(
                FormField.objects.filter(version__caseitem__case_id=OuterRef("pk"))
            ),
        )
        .values(*(f"side_{name}" for name in SIDE_NAMES))
    )


# its subqueries cost more to build than to run: built once per process (``sqlonce``)
_SIDE = BuiltOnce(_side_query, 1)


def case_side(case) -> dict:
    """What the case page's fresh blocks have to show, in one query: the files uploaded
    for its materials (count and newest id: part of the cached parts' key) and whether it
    has any message, signed confirmation, correction of its client or remote-help session,
    and whether its items' forms ask anything (一表申请).
    A block with nothing to show then costs no query of its own, and most cases have no
    correction and no remote help."""
    (row,) = _SIDE.rows(case.pk)
    uploads, last_upload, *flags = row
    found = {"uploads": uploads, "last_upload": last_upload}
    found.update((name, bool(flag)) for name, flag in zip(SIDE_NAMES[2:], flags, strict=True))
    return found


def remote_sessions(case) -> list:
    """The case's remote-help sessions (the remote area's panel: one query)."""
    from bangban.remote.templatetags.remote_tags import remote_panel

    return remote_panel(case=case)
