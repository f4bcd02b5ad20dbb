"""How the documents area plugs into the case core (``bangban.cases.events``).

An event that issues a form (acceptance slip, one-time notice, …) needs the form's number
in its own details before it is sealed, so documents *provides* the core's form issuer
rather than reacting afterwards. Hooked up in ``DocumentsConfig.ready()``; the form is
issued inside the transition's transaction.
"""

from __future__ import annotations

from bangban.cases import events

from .services import document_issue


def issue_form(*, case, kind: str, actor, unsigned: bool = False, extra=None) -> str:
    return document_issue(case=case, kind=kind, actor=actor, unsigned=unsigned, extra=extra).number


def subscribe() -> None:
    events.provide_form_issuer(issue_form)
