"""Case events to the partners that subscribed (``bangban.cases.events``).

Subscribed in ``PartnersConfig.ready()``; runs inside the transaction that wrote the event,
so the deliveries commit or roll back with it. A partner receives an event when it holds
the ``events`` scope, subscribed to its topic (``models.CaseTopic``) and covers the case's
site; the payload carries no personal data unless it holds the ``client`` scope, and then
only masked (``payloads.py``).
"""

from __future__ import annotations

from bangban.cases import events

from .models import EVENT_TOPICS, Scope
from .outbox import enqueue_delivery
from .payloads import case_event_payload


def on_case_event(message: events.CaseEventRecorded) -> None:
    topic = EVENT_TOPICS.get(message.name)
    if topic is None:
        return
    from .models import Partner

    case, record = message.case, message.record
    for partner in Partner.objects.with_scope(Scope.EVENTS, site=case.site):
        if topic not in (partner.events or []):
            continue
        enqueue_delivery(
            partner,
            topic=f"case.{topic}",
            dedupe_key=f"case-event:{record.pk}",
            payload=case_event_payload(case, record, topic, partner),
        )


def subscribe() -> None:
    events.subscribe(on_case_event)
