"""Scheduled jobs of appointments and home visits (huey)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import messages


@db_periodic_task(crontab(minute="*/10", hour="8-20"))
def visit_messages() -> int:
    """Every ten minutes by day: confirmations not yet sent, and the reminders of
    tomorrow's appointments and home visits, each once (``messages.messages_due``)."""
    return messages.messages_due()
