"""How the oversight records plug into the case core (``bangban.cases.events``).

The ``evaluate`` row of the state table names the guard ``evaluation_allowed``; the
records provide it (一事一评, ``evaluations.check_evaluation``) and, once the event is
recorded, write the Evaluation (and a bad review's rectification) in the same transaction.
They also tell the core which rating scale a site's centre offers (``cases.ratings``).
Hooked up in ``OversightConfig.ready()`` (through ``bangban.oversight.subscribers``).
"""

from __future__ import annotations

from bangban.cases import events
from bangban.cases.guards import register_guard
from bangban.cases.ratings import provide_scale

from .evaluations import check_evaluation, record_evaluation
from .policy import rating_scale_key


def evaluation_allowed(ctx) -> None:
    check_evaluation(ctx.case, ctx.actor, ctx.details)


def on_case_event(message: events.CaseEventRecorded) -> None:
    if message.name == "evaluate":
        record = message.record
        record_evaluation(message.case, message.actor, record.details, event_seq=record.seq)


def subscribe() -> None:
    register_guard("evaluation_allowed", evaluation_allowed)
    provide_scale(rating_scale_key)
    events.subscribe(on_case_event)
