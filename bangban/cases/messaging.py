"""Ports through which the areas send messages without importing the notifications area.

The notifications area owns the SMS gateway (``notifications/sms.py``) and the outbox
(``notifications/outbox.py``); ``NotificationsConfig.ready()`` provides both here, at start-up,
as ``bangban.documents`` provides the form issuer (``events.provide_form_issuer``). So the
documents area (confirmation codes), the visits area (booking texts) and the consultations
area (replies due) can send without importing their sibling, and the core knows no provider
by name.

- ``send_sms(phone, text)``: one SMS now, past the outbox, for what must go at once and
  whose failure the caller shows (a one-time code, a booking confirmation). ``SmsError``
  when the gateway refuses or cannot be reached.
- ``notify(template=, recipients=, context=, dedupe=, ref=)``: messages of one template of
  the notifications catalogue written to the outbox, delivered after the commit and retried;
  the number of new messages (``dedupe`` names the cause, so a second call writes none).
  Dates in ``context`` are written the way every message writes them. A recipient is a
  ``clients.Client``, a ``staff.StaffMember``, or a ``Mobile``: a person known only by the
  mobile number they gave (a consultation's contact, a caller with no client record).

Nothing provided is a mistake of the installation, said loudly (``RuntimeError``), never a
message silently dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


class SmsError(Exception):
    """The SMS gateway refused the message or could not be reached."""


@dataclass(frozen=True)
class Mobile:
    """A recipient known only by a mobile number: its ciphertext (``clients.pii``) and its
    masked form. The outbox keeps the ciphertext until the message is sent."""

    cipher: str
    masked: str


SmsSender = Callable[[str, str], str]
Notifier = Callable[..., int]
_sender: list[SmsSender] = []
_notifier: list[Notifier] = []


def provide_sms_sender(sender: SmsSender) -> None:
    """``sender(phone, text) -> the gateway's message id``, raising ``SmsError``."""
    _sender[:] = [sender]


def provide_notifier(notifier: Notifier) -> None:
    """``notifier(*, template, recipients, context, dedupe, ref) -> new messages``."""
    _notifier[:] = [notifier]


def send_sms(phone: str, text: str) -> str:
    if not _sender:
        raise RuntimeError("没有发送短信的应用（bangban.notifications 未安装）")
    return _sender[0](phone, text)


def notify(
    *, template: str, recipients: Iterable[Any], context: dict[str, Any], dedupe: str, ref: str = ""
) -> int:
    if not _notifier:
        raise RuntimeError("没有发送消息的应用（bangban.notifications 未安装）")
    return _notifier[0](
        template=template, recipients=recipients, context=context, dedupe=dedupe, ref=ref
    )
