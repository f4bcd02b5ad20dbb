"""How the vault plugs into the case core: it subscribes to the case events.

In the event's own transaction (``bangban.cases.events``): a ``pre_review`` keeps what was
received (with the client's consent) and records what was ticked from the vault, refusing
the whole event if a ticked material may not be used; a ``supplement`` keeps what the
client brought.
"""

from __future__ import annotations

from bangban.cases import events

from . import services


def on_case_event(message: events.CaseEventRecorded) -> None:
    details = message.record.details or {}
    if message.name == "pre_review":
        checks = list(details.get("checks", []))
    elif message.name == "supplement":
        checks = [{"material_id": i, "status": "received"} for i in details.get("received", [])]
    else:
        return
    if checks:
        services.record_checks(case=message.case, checks=checks, actor=message.actor)


def subscribe() -> None:
    events.subscribe(on_case_event)
