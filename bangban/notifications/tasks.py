"""Huey tasks of the notifications area (SQLite queue embedded, Redis at scale).

``make run`` starts ``manage.py run_huey`` beside the web server (embedded mode); at scale
``manage.py run_huey`` runs as its own service against ``BANGBAN_REDIS_URL``, and more
than one may run: every job here is safe to run twice or on two machines at once (see
``jobs.py`` and ``delivery.py``). The work itself is in plain functions that tests call.
Each run checks the working-day calendar once (``@in_calendar_scope``), not once per case.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from bangban.workdays.services import in_calendar_scope

from . import jobs
from .delivery import deliver_due_messages

WORKING_HOURS = "8-18"


@db_task()
@in_calendar_scope
def deliver_soon() -> None:
    """Queued by ``outbox.schedule_delivery`` (handed this task in ``apps.ready``) after
    the commit that wrote messages: send them now.

    Returns nothing on purpose: huey keeps a task's non-None result until someone reads
    it, and nobody reads this one (one per commit would pile up in the result store).
    """
    deliver_due_messages()


@db_periodic_task(crontab(minute="*"))
@in_calendar_scope
def deliver_messages() -> dict:
    """Every minute: send what is due (retries after back-off, reclaimed stuck messages)."""
    return vars(deliver_due_messages())


@db_periodic_task(crontab(minute="5", hour=WORKING_HOURS))
@in_calendar_scope
def scan_deadlines() -> int:
    """Hourly in working hours (so a machine down at eight still sends them): deadline
    warnings and overdue notices, once per case and kind per working day."""
    return jobs.scan_deadlines()


@db_periodic_task(crontab(minute="10", hour="9-17"))
@in_calendar_scope
def remind_clients() -> int:
    """Supplement and resumption reminders to clients, once per deadline and kind."""
    return jobs.remind_clients()


@db_periodic_task(crontab(minute="20", hour="9"))
@in_calendar_scope
def calendar_warning() -> int:
    """Administrators told, once a week, when a needed year's holidays are not entered."""
    return jobs.calendar_warning()


@db_periodic_task(crontab(minute="30", hour="8-10"))
@in_calendar_scope
def send_digests() -> int:
    """Morning digests for staff who chose them (three chances; each bundles once)."""
    return jobs.send_digests()


@db_periodic_task(crontab(minute="40", hour="1"))
@in_calendar_scope
def daily_rollups() -> int:
    """Yesterday's roll-ups (registered by the oversight work), each once per day."""
    return jobs.daily_rollups()
