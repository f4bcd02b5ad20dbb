"""Reads for pages, the workbench and jobs: what is overdue, what is due next.

The workbench (coordinator's home) can call ``return_visits_due(staff)`` and
``rectifications_due(staff)``; the overdue job calls ``overdue_rectifications`` and
``overdue_findings``. Each is one indexed query.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import QuerySet
from django.utils import timezone

from ..access import visible_rectifications, visible_return_visits
from ..models import OPEN_RECTIFICATION, InspectionFinding, Rectification, ReturnVisit


def overdue_rectifications(today: date | None = None) -> QuerySet[Rectification]:
    """Open rectifications whose current step (verify, decide, rectify, review) is past due."""
    today = today or timezone.localdate()
    return Rectification.objects.filter(status__in=OPEN_RECTIFICATION, due_on__lt=today)


def overdue_findings(today: date | None = None) -> QuerySet[InspectionFinding]:
    """Inspection findings not rectified by their deadline."""
    today = today or timezone.localdate()
    return InspectionFinding.objects.filter(
        compliant=False, rectified_on__isnull=True, deadline_on__lt=today
    )


def rectifications_due(staff) -> QuerySet[Rectification]:
    """Open rectifications this person owns or manages, soonest due first."""
    return (
        visible_rectifications(staff)
        .filter(status__in=OPEN_RECTIFICATION)
        .select_related("case", "site", "owner")
        .order_by("due_on", "id")
    )


def return_visits_due(staff) -> QuerySet[ReturnVisit]:
    """Return visits not yet made at the sites this person sees, soonest due first."""
    return (
        visible_return_visits(staff)
        .filter(visited_at__isnull=True)
        .select_related("case", "site", "rectification")
        .order_by("due_on", "id")
    )


def evaluations_for_client(case) -> list[dict]:
    """What the client may see of their evaluations of ``case`` (portal): the rating, and
    for a bad review the reply — the rectification's state, what was done or explained —
    and whether the client is now asked to rate the fix (``rectification_client_rate``)."""
    from ..models import Evaluation, RectificationStatus

    rows = []
    for e in Evaluation.objects.filter(case=case).select_related("rectification"):
        r = getattr(e, "rectification", None) if e.is_bad else None
        reply = ""
        if r is not None:
            reply = r.rectification_result or (r.measures if r.outcome else "")
        rows.append(
            {
                "evaluation": e,
                "level_label": e.get_level_display(),
                "rectification": r,
                "status_label": r.get_status_display() if r else "",
                "reply": reply,
                "awaiting_client_rating": bool(
                    r and r.status == RectificationStatus.AWAITING_RATING
                ),
            }
        )
    return rows


def last_return_visit(case) -> tuple[str, datetime] | None:
    """Who made the case's latest return visit that reached someone, and when (回访人,
    回访日期 on the printed evaluation form)."""
    made = (
        ReturnVisit.objects.filter(case=case, visited_at__isnull=False, visitor__isnull=False)
        .select_related("visitor")
        .order_by("-visited_at", "-id")
        .first()
    )
    return (made.visitor.name, made.visited_at) if made else None
