"""Reads about consultations: what awaits a reply, what is overdue, what was timely.

Queries lead with the model's indexes: (status, reply_due_on) for due and overdue lists,
(department, status) for a liaison's list, (site, -created_at) for a site's register.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from bangban.network.models import under_q

from .models import AWAITING_REPLY, Consultation, ConsultationStatus


def _staff_q(staff) -> Q:
    """The consultations a staff member answers for: first contact, department, coverage."""
    rules = Q(handled_by=staff)
    if staff.is_liaison and staff.department_id:
        rules |= Q(department_id=staff.department_id, status=ConsultationStatus.ESCALATED)
    if staff.is_coordinator:
        rules |= under_q(staff.covered_paths(), "site")
    return rules


def visible_consultations(staff) -> QuerySet[Consultation]:
    """The consultation register a staff member may read.

    Agents read their site's register; coordinators the sites they cover; supervisors and
    administrators their site and everything below it; liaisons what was escalated to
    their department; everyone what they handled themselves.
    """
    consultations = Consultation.objects.all()
    if staff is None or not staff.is_active:
        return consultations.none()
    rules = Q(handled_by=staff)
    if staff.is_agent:
        rules |= Q(site_id=staff.site_id)
    if staff.is_coordinator:
        rules |= under_q(staff.covered_paths(), "site")
    if staff.is_supervisor or staff.is_administrator:
        rules |= under_q(staff.site.path, "site")
    if staff.is_liaison and staff.department_id:
        rules |= Q(department_id=staff.department_id)
    return consultations.filter(rules)


def replies_due(*, staff=None, site_paths=None) -> QuerySet[Consultation]:
    """Consultations still awaiting an answer, soonest due first.

    For a staff member: those they were asked first, those escalated to their department
    (liaisons) and those at the sites they cover (coordinators). For ``site_paths``:
    those recorded at these sites or below. Give one or the other.
    """
    if (staff is None) == (site_paths is None):
        raise TypeError("replies_due() takes staff or site_paths, not both or neither")
    waiting = Consultation.objects.filter(status__in=AWAITING_REPLY)
    if staff is not None:
        waiting = waiting.filter(_staff_q(staff)) if staff.is_active else waiting.none()
    else:
        waiting = waiting.filter(under_q(site_paths, "site"))
    return waiting.select_related("site", "handled_by", "department").order_by(
        "reply_due_on", "created_at", "id"
    )


def overdue_consultations(today: date | None = None) -> QuerySet[Consultation]:
    """Consultations not answered although their reply was due before ``today``.

    Escalated ones, and pending ones nobody answered or escalated in time either.
    """
    today = today or timezone.localdate()
    return (
        Consultation.objects.filter(status__in=AWAITING_REPLY, reply_due_on__lt=today)
        .select_related("site", "handled_by", "department")
        .order_by("reply_due_on", "id")
    )


def is_timely(consultation: Consultation, today: date | None = None) -> bool | None:
    """Whether the consultation was handled in time (咨询及时处理).

    True when answered on the spot or replied by the end of its due day; False when
    replied late or still unanswered after the due day; None while it awaits a reply that
    is not yet due (it counts neither way in a timeliness rate).
    """
    if consultation.status == ConsultationStatus.ANSWERED:
        return True
    due = consultation.reply_due_on
    if consultation.status == ConsultationStatus.REPLIED:
        if due is None or consultation.replied_at is None:
            return True
        return timezone.localdate(consultation.replied_at) <= due
    today = today or timezone.localdate()
    if due is not None and today > due:
        return False
    return None


def asked_by(mobile_hashes: list[str]) -> QuerySet[Consultation]:
    """The consultations left with this mobile (any of its lookup hashes), newest first: what
    a citizen who proved the mobile on the portal sees as their own questions."""
    if not mobile_hashes:
        return Consultation.objects.none()
    return (
        Consultation.objects.filter(contact_hash__in=mobile_hashes)
        .select_related("site", "item")
        .order_by("-created_at", "-id")
    )
