"""The yearly review reminder of emergency plans (``tasks.py`` schedules it).

A plan's owner is told, through the core's messaging port (``cases.messaging.notify``), when
its yearly review falls due within ``NOTICE_DAYS`` or has passed: once per plan and year
(``dedupe`` names the plan and the year of the review due), however often the job runs.
"""

from __future__ import annotations

from datetime import date, timedelta

from bangban.cases import clock, messaging

from .models import EmergencyPlan

NOTICE_DAYS = 30


def review_reminders(today: date | None = None) -> int:
    """Tell each plan's owner its review is due; returns the messages written."""
    today = today or clock.today()
    written = 0
    due = EmergencyPlan.objects.filter(
        next_review_due__lte=today + timedelta(days=NOTICE_DAYS), owner__is_active=True
    ).select_related("site", "owner")
    for plan in due.iterator(chunk_size=200):
        written += messaging.notify(
            template="staff.plan_review_due",
            recipients=[plan.owner],
            context={
                "site": plan.site.name,
                "title": plan.title,
                "due_on": plan.next_review_due,
                "overdue": plan.next_review_due < today,
            },
            dedupe=f"plan-review:{plan.pk}:{plan.next_review_due.year}",
            ref=f"plan:{plan.pk}",
        )
    return written
