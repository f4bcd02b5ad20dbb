"""What the notifications area does when the core publishes (``bangban.cases.events``).

Subscribed in ``NotificationsConfig.ready()``; each handler runs inside the transaction
that wrote the change, so the outbox rows commit or roll back with it.
"""

from __future__ import annotations

from bangban.cases import events

from .corrections import client_corrected
from .outbox import enqueue_for_event


def on_case_event(message: events.CaseEventRecorded) -> None:
    """Write the messages the case event causes into the outbox (``events.py``)."""
    enqueue_for_event(message.case, message.record)


def on_client_corrected(message: events.ClientCorrected) -> None:
    """Tell the client by SMS: a new mobile at the old number (``corrections.py``)."""
    client_corrected(message.correction, old_mobile=message.old_mobile)


def subscribe() -> None:
    events.subscribe(on_case_event)
    events.subscribe(on_client_corrected, to=events.ClientCorrected)
