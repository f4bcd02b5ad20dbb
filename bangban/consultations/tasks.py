"""Scheduled jobs on consultations (huey)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from bangban.workdays.services import in_calendar_scope

from . import jobs
from .selectors import overdue_consultations

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="0", hour="8-18"))
def flag_overdue_consultations() -> int:
    """Every working hour: log how many consultations are past their reply deadline."""
    count = overdue_consultations().count()
    if count:
        logger.warning("%d条咨询已超过答复期限仍未答复", count)
    return count


@db_periodic_task(crontab(minute="15", hour="8-18"))
@in_calendar_scope
def consultation_replies_due() -> int:
    """Hourly in working hours: whoever owes a consultation its answer is told, on the due
    day and daily once late, once per consultation and day (``jobs.replies_due``)."""
    return jobs.replies_due()
