"""Scheduled jobs of the preparedness area (huey)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import jobs


@db_periodic_task(crontab(minute="30", hour="8"))
def plan_review_reminders() -> int:
    """Every morning: the owner of a plan whose yearly review is due is told, once per plan
    and year (``jobs.review_reminders``)."""
    return jobs.review_reminders()
