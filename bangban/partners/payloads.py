"""What an outbound case event carries: the case's public facts, never raw personal data."""

from __future__ import annotations

from bangban.cases.transitions import BY_EVENT
from bangban.cases.workflow import STATE_LABELS, State
from bangban.clients.masking import mask_name

from .models import CaseTopic, Scope


def _label(event: str) -> str:
    transition = BY_EVENT.get(event)
    if transition is not None:
        return transition.label
    return "提交办件" if event == "submit" else event


def case_event_payload(case, record, topic: str, partner) -> dict:
    """The JSON body of one case event for ``partner`` (the event id is its dedupe key)."""
    payload = {
        "event_id": record.pk,
        "topic": f"case.{topic}",
        "event": topic,
        "event_label": CaseTopic(topic).label,
        "label": _label(record.event),
        "at": record.at.isoformat(),
        "case": case.number,
        "state": case.state,
        "state_label": STATE_LABELS[State(case.state)],
        "site_code": case.site.code,
        "external_number": case.external_number or "",
    }
    if partner.has_scope(Scope.CLIENT):
        client = case.client
        payload["client"] = {
            "name": mask_name(client.name),
            "id_number": client.id_number_masked,
        }
    return payload
