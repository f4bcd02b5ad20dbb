"""What feeds the figures: every change they count leaves an ``UncountedChange``.

A case event (``CaseEventRecorded``) and an evaluation that counts differently without
one (``records.messages.EvaluationRecounted``: an upheld appeal, a return visit made) each
write a row, in the change's own transaction (a handler runs inside it), so the change and
its row commit or roll back together, as a case event and its outbox messages do. After
the commit the figures job is asked to count it now (``schedule_count``, through the task
``OversightConfig.ready()`` hands over: the tasks reach this module through the jobs, so
it does not import them back); the job's periodic run counts it anyway if the queue is down.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction

from bangban.cases import events

from ..models import UncountedChange
from ..records.messages import EvaluationRecounted

logger = logging.getLogger(__name__)

_count_soon: Callable[[], object] | None = None


def provide_count_task(task: Callable[[], object]) -> None:
    """Set the task ``schedule_count`` queues (called once, by the app's ``ready``)."""
    global _count_soon
    _count_soon = task


def schedule_count() -> None:
    """Ask the job queue to count the new changes now (after the commit that made them)."""
    try:
        if _count_soon is None:
            raise RuntimeError("oversight: no counting task provided (apps.ready)")
        _count_soon()
    except Exception:  # the queue may be down; the periodic run counts them anyway
        logger.exception("无法立即安排统计更新，将由定时任务完成")


def _uncounted(case_id: int, event_id: int | None = None) -> None:
    UncountedChange.objects.create(case_id=case_id, event_id=event_id)
    transaction.on_commit(schedule_count, robust=True)


def on_case_event(message: events.CaseEventRecorded) -> None:
    _uncounted(message.case.pk, message.record.pk)


def on_evaluation_recounted(message: EvaluationRecounted) -> None:
    _uncounted(message.case_id)


def subscribe() -> None:
    events.subscribe(on_case_event)
    events.subscribe(on_evaluation_recounted, to=EvaluationRecounted)
