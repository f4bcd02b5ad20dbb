"""Scheduled oversight jobs (huey). They only flag; people decide what to do."""

from __future__ import annotations

import logging
from datetime import date

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .facts import refresh_facts
from .rollup import refresh_rollup
from .selectors import overdue_findings, overdue_rectifications

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


@db_periodic_task(crontab(minute="*/10"))
def refresh_case_facts() -> int:
    """Every ten minutes: keep the per-case statistics and the daily roll-up current, so
    pages rarely wait for them; at 03:40 compare every case, not only the recently changed."""
    now = timezone.localtime()
    written = refresh_facts(full=now.hour == 3 and now.minute >= 40)
    refresh_rollup()  # yesterday's figures join the roll-up after midnight
    return written
