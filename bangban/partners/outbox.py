"""Writing outbound webhooks into the outbox: ``enqueue_delivery`` (any area may call it).

Called inside the transaction of the change that causes the delivery (it opens a savepoint
of its own, never a transaction): the change and its delivery commit together or not at
all. ``INSERT … ON CONFLICT DO NOTHING`` on (partner, dedupe_key) makes a second call with
the same key, even at the same moment from another process, add nothing. After the commit
the delivery job is asked to send now (``provide_delivery``: the task ``apps.ready``
hands over); the job also runs every minute (``tasks.py``, ``delivery.py``).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from .models import Delivery, DeliveryState, Partner

logger = logging.getLogger(__name__)

_delivery_task: list[Callable[[], object]] = []


def provide_delivery(task: Callable[[], object]) -> None:
    """The task that delivers now (``tasks.deliver_soon``), handed over at start-up."""
    _delivery_task[:] = [task]


def schedule_delivery() -> None:
    """Ask the job queue to run the delivery job now; the minute job delivers anyway."""
    try:
        if not _delivery_task:
            raise RuntimeError("partners: no delivery task provided (apps.ready)")
        _delivery_task[0]()
    except Exception:  # the queue may be down
        logger.exception("无法立即安排对外投递，将由定时任务投递")


def enqueue_delivery(
    partner: Partner, *, topic: str, dedupe_key: str, payload: dict
) -> Delivery | None:
    """Write one outbound delivery to ``partner``; None if ``dedupe_key`` was already written.

    The payload is sent as JSON, signed (``signing.py``), with the delivery's ``uid`` in
    ``X-Bangban-Delivery``. ``dedupe_key`` names the cause once and for all
    (``case-event:<id>``, ``haochaping:evaluation:<id>:<revision>``).
    """
    existing = Delivery.objects.filter(partner=partner, dedupe_key=dedupe_key)
    if existing.exists():
        return None
    now = timezone.now()
    row = Delivery(
        uid=uuid.uuid4().hex,
        partner=partner,
        topic=topic[:60],
        dedupe_key=dedupe_key[:200],
        payload=payload,
        state=DeliveryState.QUEUED,
        next_attempt_at=now,
        created_at=now,
    )
    with transaction.atomic():
        Delivery.objects.bulk_create([row], ignore_conflicts=True)
    written = existing.only("pk", "uid").first()
    if written is None or written.uid != row.uid:
        return None  # another writer's row won the unique key
    row.pk = written.pk
    transaction.on_commit(schedule_delivery)
    return row
