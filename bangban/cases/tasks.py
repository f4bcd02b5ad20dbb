"""Scheduled jobs on cases (huey, ``huey.contrib.djhuey``).

Jobs change cases only through ``case_transition`` with the system actor, like any other
writer; the logic lives in plain functions that tests call directly. Each run checks the
working-day calendar once (``@in_calendar_scope``), not once per case.
"""

from __future__ import annotations

import logging
from datetime import date

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from bangban.workdays.services import in_calendar_scope

from .access import SYSTEM
from .models import Case
from .services import case_transition
from .workflow import State, TransitionRefused

logger = logging.getLogger(__name__)

CHUNK_SIZE = 200


def lapse_due_cases(today: date | None = None) -> int:
    """Terminate every suspended case whose resumption period has passed; return how many.

    seed 000 §10.2.5: a suspended proxy case not resumed within the resumption period is
    terminated (续办期限届满). One query (state = suspended, resumption_due_on < today; the
    ``state`` prefix of the (state, due_on) index narrows it to suspended cases) is read
    in chunks by primary key, so the writes in between never disturb an open cursor. Each
    case then goes through ``case_transition`` (event ``lapse``, actor 系统), which locks
    it and re-checks state and deadline against the current date: a case resumed or
    terminated meanwhile is refused, logged and skipped, and the job carries on.

    Idempotent, also on two machines at once: a lapsed case is no longer suspended, so a
    second run does not select it, and a run that selected it concurrently is refused
    with ``wrong_state`` once it gets the row lock — logged quietly, as already done.
    The deadline itself is calendar arithmetic done once, at suspension
    (``add_workdays`` on the working-day calendar); the job and the guard both compare
    dates. The client's termination SMS and the handler's notice follow from the event
    (``bangban.notifications``), in the same transaction.
    """
    today = today or timezone.localdate()
    due = Case.objects.filter(state=State.SUSPENDED, resumption_due_on__lt=today).order_by("pk")
    lapsed, last_pk = 0, 0
    while chunk := list(due.filter(pk__gt=last_pk)[:CHUNK_SIZE]):
        for case in chunk:
            try:
                case_transition(case=case, event="lapse", actor=SYSTEM)
            except TransitionRefused as refused:  # includes CaseConflict
                if refused.code == "wrong_state":  # another run got there first
                    logger.info("办件%s已不在中止状态，无需自动终止", case.number)
                else:
                    logger.warning("办件%s未能自动终止：%s", case.number, refused.message)
                continue
            lapsed += 1
            logger.info("办件%s续办期限届满，已自动终止", case.number)
        last_pk = chunk[-1].pk
    return lapsed


@db_periodic_task(crontab(minute="*/30"))
@in_calendar_scope
def lapse_suspended_cases() -> int:
    """Every half hour: terminate suspended cases whose resumption period has lapsed."""
    return lapse_due_cases()


@db_periodic_task(crontab(hour="1", minute="17"))
def make_audit_checkpoint() -> int:
    """Every night: record every case's head (``bangban audit checkpoint``), so that a case
    deleted as a whole, or a timeline cut short with its case row rewound, is named by the
    next ``audit verify``. Returns the checkpoint's id. Exporting it to the archive stays
    the operator's (``--export``): the file must live where the database's owner cannot
    rewrite it."""
    from .checkpoints import make_checkpoint

    checkpoint = make_checkpoint()
    logger.info("已生成审计检查点 #%s（%s 个办件）", checkpoint.pk, checkpoint.case_count)
    return checkpoint.pk
