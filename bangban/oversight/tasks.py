"""Scheduled oversight jobs (huey). The records' job only flags, people decide what to do;
the figures' job counts (``figures/jobs.py``).

The work is in plain functions that tests call; the tasks only schedule it.
"""

from __future__ import annotations

import logging
from datetime import date

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .figures import jobs
from .records.selectors import overdue_findings, overdue_rectifications

logger = logging.getLogger(__name__)


def flag_overdue(today: date | None = None) -> dict[str, int]:
    """Mark overdue rectifications and inspection findings (once each); return how many.

    A conditional UPDATE (… WHERE flagged_at IS NULL), so running it twice, or on two
    machines at once, flags each row once.
    """
    now = timezone.now()
    counts = {
        "rectifications": overdue_rectifications(today)
        .filter(flagged_at__isnull=True)
        .update(flagged_at=now),
        "findings": overdue_findings(today).filter(flagged_at__isnull=True).update(flagged_at=now),
    }
    if any(counts.values()):
        logger.info("逾期整改已标记：差评整改%(rectifications)d件，检查整改%(findings)d项", counts)
    return counts


@db_periodic_task(crontab(minute="15", hour="*"))
def flag_overdue_rectifications() -> dict[str, int]:
    """Every hour: flag rectifications and inspection findings past their deadline."""
    return flag_overdue()


@db_task()
def count_soon() -> None:
    """Queued by ``figures.subscribers.schedule_count`` (handed this task in
    ``apps.ready``) after a commit that left changes uncounted: count them now.

    Returns nothing on purpose: huey keeps a non-None result until someone reads it, and
    nobody reads this one (one per commit would pile up in the result store).
    """
    jobs.count_new_events()


@db_periodic_task(crontab(minute="*"))
def count_case_events() -> int:
    """Every minute: whatever the queued runs missed (the queue was down, a calendar
    entry changed), and yesterday joins the roll-up after midnight."""
    return jobs.count_new_events()


@db_periodic_task(crontab(minute="40", hour="3"))
def compare_case_facts() -> int:
    """At 03:40: every case's per-case statistics compared with its events."""
    return jobs.compare_every_case()
