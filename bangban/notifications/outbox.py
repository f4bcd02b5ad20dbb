"""Writing messages into the outbox: ``enqueue`` (any feature), ``enqueue_for_event``, and
``notify``, which the other areas reach through the core's port (``cases.messaging.notify``).

``enqueue`` must be called inside the transaction of the change that causes the messages
(it opens a savepoint of its own, never a separate transaction): either the change and its
messages are both committed or neither is. It

1. takes the template's current text (``MessageTemplate``, else the catalogue default)
   and renders subject and body over a context of plain values;
2. decides each recipient's channels: a client gets SMS unless they opted out or have no
   mobile (then a ``skipped`` row says why); a staff member always gets an in-platform
   notice, plus e-mail and/or SMS as they prefer, at once (``queued``) or in the daily
   digest (``held``);
3. leaves out the keys already written and inserts the rest with ``INSERT … ON CONFLICT
   DO NOTHING`` on the unique ``dedupe_key``, so a second call for the same event (or a
   job run twice, even at the same moment) adds nothing; writes each notice's ``Notice``
   row at once;
4. after commit, asks the job queue to deliver now (the minute job would anyway), with
   the task ``apps.ready`` provided (``provide_delivery``).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.template import TemplateSyntaxError

from bangban.cases import clock
from bangban.cases.messaging import Mobile
from bangban.cases.workflow import SERVICE_TYPE_LABELS
from bangban.clients.masking import mask_mobile
from bangban.staff.models import StaffMember

from . import catalog, rendering
from .dates import day_text
from .models import (
    DeliveryMode,
    Message,
    MessageChannel,
    MessageState,
    MessageTemplate,
    Notice,
    RecipientKind,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def enqueue(
    *,
    template: str,
    recipients: Iterable,
    context: dict,
    dedupe: str,
    case=None,
    event=None,
    ref: str = "",
    sms_to: tuple[str, str] | None = None,
) -> int:
    """Write the messages of one template for these recipients; return how many new rows.

    ``recipients`` are ``clients.Client`` and ``staff.StaffMember`` objects (inactive
    staff are left out), and ``messaging.Mobile`` numbers of people with no client row
    (an SMS to that number; the ciphertext is kept until it is sent). ``dedupe`` names the cause once and for all — ``event:<id>`` for a
    case event, ``<job>:<object>:<day>`` for a daily job — and is completed with the
    template, recipient and channel into the unique ``dedupe_key``.

    ``sms_to`` = (ciphertext, masked) sends the clients' SMS to that number instead of
    their registered mobile (the old number, told that it was corrected); an empty
    ciphertext means there is no such number, and the SMS is skipped, never redirected.
    """
    spec = catalog.spec(template)
    rendered = _render(
        spec, {**(case_context(case) if case and spec.case_variables else {}), **context}
    )
    if rendered is None:
        return 0
    now = clock.now()
    rows = []
    clients, staff_ids, mobiles = [], [], []
    for person in recipients:
        if isinstance(person, StaffMember):
            staff_ids.append(person.pk)
        elif isinstance(person, Mobile):
            mobiles.append(person)
        else:
            clients.append(person)
    common = dict(
        template_key=template,
        subject=rendered.subject[:200],
        body=rendered.body,
        case=case,
        event=event,
        ref=ref[:60],
    )
    for client in clients:
        rows.append(_client_row(client, dedupe, now, common, sms_to))
    for mobile in mobiles:
        rows.append(_mobile_row(mobile, dedupe, now, common))
    for staff in _staff_with_preferences(staff_ids):
        rows.extend(_staff_rows(staff, dedupe, now, common))
    written = Message.objects.filter(dedupe_key__in=[r.dedupe_key for r in rows])
    done = set(written.values_list("dedupe_key", flat=True))
    rows = [r for r in rows if r.dedupe_key not in done]
    if not rows:
        return 0
    with transaction.atomic():
        # A concurrent writer may insert the same keys between the check and here: the
        # unique key decides, and DO NOTHING keeps this transaction usable.
        Message.objects.bulk_create(rows, ignore_conflicts=True)
        clock.restamp(Message.objects.filter(dedupe_key__in=[r.dedupe_key for r in rows]))
        _write_notices([r.dedupe_key for r in rows if r.channel == MessageChannel.NOTICE])
    if any(r.state == MessageState.QUEUED for r in rows):
        transaction.on_commit(schedule_delivery, robust=True)
    return len(rows)


def notify(
    *, template: str, recipients: Iterable, context: dict, dedupe: str, ref: str = ""
) -> int:
    """``enqueue`` for the other areas (``cases.messaging.notify``): they hand dates as
    dates, and each is written the way every message writes it (``day_text``)."""
    written = {
        key: day_text(value)
        if isinstance(value, date) and not isinstance(value, datetime)
        else value
        for key, value in context.items()
    }
    return enqueue(
        template=template, recipients=recipients, context=written, dedupe=dedupe, ref=ref
    )


def enqueue_for_event(case, event) -> int:
    """The messages a case event causes (see ``events.py``); called by the write path."""
    from .events import messages_for_event

    written = 0
    for planned in messages_for_event(case, event):
        written += enqueue(
            template=planned.template,
            recipients=planned.recipients,
            context=planned.context,
            dedupe=f"event:{event.pk}",
            case=case,
            event=event,
        )
    return written


# The job queue's "deliver now" task (``tasks.deliver_soon``), handed over by
# ``NotificationsConfig.ready()``: the tasks reach this module through the jobs, so it
# does not import them back.
_deliver_soon: Callable[[], object] | None = None


def provide_delivery(task: Callable[[], object]) -> None:
    """Set the task ``schedule_delivery`` queues (called once, by the app's ``ready``)."""
    global _deliver_soon
    _deliver_soon = task


def schedule_delivery() -> None:
    """Ask the job queue to run the delivery worker now (after the commit that wrote)."""
    try:
        if _deliver_soon is None:
            raise RuntimeError("notifications: no delivery task provided (apps.ready)")
        _deliver_soon()
    except Exception:  # the queue may be down; the minute job delivers anyway
        logger.exception("无法立即安排消息发送，将由定时任务发送")


def case_context(case) -> dict:
    site = case.site
    return {
        "client_name": case.client.name,
        "case_number": case.number,
        "title": case.title,
        "service_type": SERVICE_TYPE_LABELS.get(case.service_type, ""),
        "site_name": site.name,
        "site_phone": site.phone,
        "site_address": site.address,
        "opening_hours": site.opening_hours,
    }


# --- rendering -------------------------------------------------------------------------


def template_text(key: str) -> tuple[str, str, bool]:
    """(subject, body, active) as administrators last saved them, else the default."""
    row = MessageTemplate.objects.filter(key=key).values_list("subject", "body", "is_active")
    found = row.first()
    if found is None:
        default = catalog.spec(key)
        return default.subject, default.body, True
    return found


def render(template: str, context: dict) -> Rendered | None:
    """Subject and body of ``template`` over ``context``; None if it is switched off."""
    return _render(catalog.spec(template), context)


def _render(spec: catalog.TemplateSpec, context: dict) -> Rendered | None:
    subject, body, active = template_text(spec.key)
    if not active:
        return None
    try:
        return Rendered(rendering.render(subject, context), rendering.render(body, context))
    except (TemplateSyntaxError, ValueError, TypeError, AttributeError):
        # Saved templates are validated, so this is a row edited around the admin. The
        # case change must not fail for a message: fall back to the default text.
        logger.exception("消息模板%s无法渲染，改用默认模板", spec.key)
        return Rendered(
            rendering.render(spec.subject, context), rendering.render(spec.body, context)
        )


# --- recipients and channels -------------------------------------------------------------


def _key(dedupe: str, template: str, who: str, channel: str) -> str:
    return f"{dedupe}:{template}:{who}:{channel}"[:200]


def _client_row(client, dedupe: str, now, common: dict, sms_to=None) -> Message:
    # to_cipher stays empty for the registered mobile: the worker reads it when it sends
    cipher, masked = sms_to or (client.mobile_cipher, client.mobile_masked)
    row = Message(
        recipient_kind=RecipientKind.CLIENT,
        client=client,
        channel=MessageChannel.SMS,
        address_masked=masked,
        to_cipher=cipher if sms_to else "",
        dedupe_key=_key(dedupe, common["template_key"], f"c{client.pk}", MessageChannel.SMS),
        state=MessageState.QUEUED,
        next_attempt_at=now,
        **common,
    )
    if not cipher:
        row.state, row.next_attempt_at, row.last_error = (
            MessageState.SKIPPED,
            None,
            "未登记手机号码",
        )
    elif not getattr(client, "sms_opt_in", True):
        row.state, row.next_attempt_at, row.to_cipher = MessageState.SKIPPED, None, ""
        row.last_error = "服务对象选择不接收短信"
    return row


def _mobile_row(mobile: Mobile, dedupe: str, now, common: dict) -> Message:
    """An SMS to a number given for this cause only (no client row behind it)."""
    who = "m" + hashlib.sha256(mobile.cipher.encode()).hexdigest()[:16]
    row = Message(
        recipient_kind=RecipientKind.MOBILE,
        channel=MessageChannel.SMS,
        address_masked=mobile.masked,
        to_cipher=mobile.cipher,
        dedupe_key=_key(dedupe, common["template_key"], who, MessageChannel.SMS),
        state=MessageState.QUEUED,
        next_attempt_at=now,
        **common,
    )
    if not mobile.cipher:
        row.state, row.next_attempt_at, row.last_error = (
            MessageState.SKIPPED,
            None,
            "没有手机号码",
        )
    return row


def _staff_with_preferences(ids: list[int]) -> list[StaffMember]:
    if not ids:
        return []
    found = StaffMember.objects.filter(pk__in=set(ids), is_active=True).select_related(
        "user", "notification_preference"
    )
    return sorted(found, key=lambda s: s.pk)


def _mask_email(address: str) -> str:
    name, _, domain = address.partition("@")
    return f"{name[:1]}***@{domain}" if domain else ""


def _staff_rows(staff: StaffMember, dedupe: str, now, common: dict) -> list[Message]:
    preference = getattr(staff, "notification_preference", None)
    by_email = preference.by_email if preference else True
    by_sms = preference.by_sms if preference else False
    digest = preference is not None and preference.mode == DeliveryMode.DIGEST
    template = common["template_key"]

    def row(channel, state, address="", at=None):
        return Message(
            recipient_kind=RecipientKind.STAFF,
            staff=staff,
            channel=channel,
            address_masked=address,
            dedupe_key=_key(dedupe, template, f"s{staff.pk}", channel),
            state=state,
            next_attempt_at=at,
            sent_at=now if state == MessageState.SENT else None,
            **common,
        )

    # The digest is itself a staff message: it is never held for another digest.
    later = MessageState.HELD if digest and template != "staff.digest" else MessageState.QUEUED
    at = now if later == MessageState.QUEUED else None
    rows = []
    if template != "staff.digest":
        rows.append(row(MessageChannel.NOTICE, MessageState.SENT))
    if by_email and staff.user.email:
        rows.append(row(MessageChannel.EMAIL, later, _mask_email(staff.user.email), at))
    if by_sms and staff.phone:
        rows.append(row(MessageChannel.SMS, later, mask_mobile(staff.phone) or "***", at))
    return rows


def _write_notices(keys: list[str]) -> None:
    """The Notice of each notice message that has none yet (a re-run finds them all made)."""
    if not keys:
        return
    pending = Message.objects.filter(dedupe_key__in=keys, notice__isnull=True)
    Notice.objects.bulk_create(
        [
            Notice(
                staff_id=m.staff_id,
                message=m,
                case_id=m.case_id,
                title=m.subject or m.get_template_key_display(),
                body=m.body,
                created_at=m.created_at,
            )
            for m in pending
        ],
        ignore_conflicts=True,
    )
