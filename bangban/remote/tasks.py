"""Scheduled jobs of remote help (huey)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import help_escalate_due


@db_periodic_task(crontab(minute="*"))
def escalate_unanswered_help() -> int:
    """Every minute: a request nobody answered within its target moves one step up its
    ladder (the next site above, then the coordinators); ``services.help_escalate_due``."""
    return help_escalate_due()
