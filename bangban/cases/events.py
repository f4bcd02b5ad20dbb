"""Domain events: the case core publishes, the areas subscribe.

The core writes a case event (``services.case_submit`` / ``case_transition``) and then
``publish``-es it, inside the same transaction. The areas above the core (documents,
notifications, oversight, …) ``subscribe`` a handler in their ``AppConfig.ready()``; a
handler runs in that transaction, so what it writes commits or rolls back with the
event, and a handler that raises refuses the whole change. The core knows no subscriber
by name and imports nothing above itself (``.importlinter``).

Two things the core needs back *before* the event is sealed go through a port an area
provides, again at start-up and never by name:

- ``issue_form``: the number of a form an event issues (``effects._issue``), which the
  event's details name (``details["document"]``); ``bangban.documents`` provides it.
- guards an area owns are registered with ``guards.register_guard`` (the evaluation rules,
  ``bangban.oversight``).

Not to be confused with ``bangban.workbench.events`` (the workbench's event forms).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction


@dataclass(frozen=True)
class CaseEventRecorded:
    """A case event was written: ``record`` is the new ``CaseEvent`` row of ``case``."""

    case: Any  # bangban.cases.models.Case, as the write path holds it (changes applied)
    record: Any  # bangban.cases.models.CaseEvent
    actor: Any  # bangban.cases.access.Actor

    @property
    def name(self) -> str:
        return self.record.event


@dataclass(frozen=True)
class ClientCorrected:
    """A client's mobile or address was corrected (``cases.clients.client_correct``).

    ``old_mobile`` is (ciphertext, masked) of the mobile before a mobile correction."""

    correction: Any  # bangban.clients.models.ClientCorrection
    old_mobile: tuple[str, str] = ("", "")


Handler = Callable[[Any], None]
_handlers: dict[type, list[Handler]] = {}


def subscribe(handler: Handler, *, to: type = CaseEventRecorded) -> Handler:
    """Call ``handler(message)`` for every published message of type ``to``.

    Idempotent (a second ``ready()`` does not subscribe twice); usable as a decorator.
    """
    handlers = _handlers.setdefault(to, [])
    if handler not in handlers:
        handlers.append(handler)
    return handler


def unsubscribe(handler: Handler, *, to: type = CaseEventRecorded) -> None:
    if handler in _handlers.get(to, []):
        _handlers[to].remove(handler)


def subscribers(to: type = CaseEventRecorded) -> tuple[Handler, ...]:
    return tuple(_handlers.get(to, ()))


def publish(message: Any) -> None:
    """Hand ``message`` to its subscribers, in the order they subscribed.

    Only inside a transaction: what the handlers write must commit or roll back with the
    change that caused it.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("领域事件只能在事务内发布")
    for handler in _handlers.get(type(message), ()):
        handler(message)


def publish_case_event(case, record, *, actor) -> None:
    publish(CaseEventRecorded(case=case, record=record, actor=actor))


# --- the form issuer port -------------------------------------------------------------

FormIssuer = Callable[..., str]
_issuer: list[FormIssuer] = []


def provide_form_issuer(issuer: FormIssuer) -> None:
    """``issuer(case=, kind=, actor=, unsigned=, extra=) -> number`` issues one form."""
    _issuer[:] = [issuer]


def issue_form(case, kind: str, actor, *, unsigned: bool = False, extra=None) -> str:
    if not _issuer:
        raise RuntimeError("没有出具文书的应用（bangban.documents 未安装）")
    return _issuer[0](case=case, kind=kind, actor=actor, unsigned=unsigned, extra=extra)
