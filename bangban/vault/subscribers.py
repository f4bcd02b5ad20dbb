"""How the vault plugs into the case core: it subscribes to the case events.

In the event's own transaction (``bangban.cases.events``): a ``pre_review`` keeps what was
received (with the client's consent) and records what was ticked from the vault, refusing
the whole event if a ticked material may not be used; a ``supplement`` keeps what the
client brought; a ``confirm`` of a 告知承诺书 records its material as level D.
"""

from __future__ import annotations

from bangban.cases import events
from bangban.cases.workflow import TransitionRefused

from . import services


def on_case_event(message: events.CaseEventRecorded) -> None:
    details = message.record.details or {}
    if message.name == "confirm":
        if details.get("form") == "commitment" and not details.get("material_id"):
            raise TransitionRefused("请选择告知承诺的材料")
        if details.get("material_id"):
            if details.get("form") != "commitment":
                raise TransitionRefused("只有告知承诺书可以指定材料")
            services.record_commitment(
                case=message.case, material_id=int(details["material_id"]), actor=message.actor
            )
        return
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
