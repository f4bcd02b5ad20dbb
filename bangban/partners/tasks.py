"""Huey tasks of the partners area: the outbound webhooks' delivery job (``delivery.py``).

Safe to run twice or on two machines at once (conditional claims). The work is in plain
functions that tests call.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .delivery import deliver_due


@db_task()
def deliver_soon() -> None:
    """Queued by ``outbox.enqueue_delivery`` after the commit that wrote a delivery.

    Returns nothing on purpose: huey would keep a non-None result nobody reads."""
    deliver_due()


@db_periodic_task(crontab(minute="*"))
def deliver_webhooks() -> dict:
    """Every minute: send what is due (retries after back-off, reclaimed stuck deliveries)."""
    return vars(deliver_due())
