"""The delivery worker: send what the outbox holds, each message once.

``deliver_due_messages()`` is run by the job queue every minute and right after a commit
that queued something. Any number of copies may run at once, on any number of machines:

1. **reclaim**: a message left ``sending`` longer than ``OUTBOX_CLAIM_TIMEOUT`` belongs to
   a worker that died (or hung past every send timeout); a conditional UPDATE puts it back
   to ``queued`` — or ``failed`` once it has had all its attempts;
2. **claim**: one conditional UPDATE moves a batch from ``queued`` (due now) to
   ``sending`` with this batch's random token; whatever another worker claimed first no
   longer matches ``state = queued`` and is not taken twice;
3. **send** each claimed message outside any transaction, passing the gateway the
   message's idempotency key (the same on every attempt); just before, the claim's time
   is renewed, so the timeout covers one send rather than a whole batch;
4. **record** the outcome with an UPDATE conditional on the token: ``sent`` with the
   gateway's id; or, on an error, ``queued`` again after an exponential back-off
   (``OUTBOX_RETRY_SECONDS`` × 2^(attempts−1), at most ``OUTBOX_RETRY_MAX_SECONDS``); or
   ``failed`` with the reason after ``OUTBOX_MAX_ATTEMPTS``.

If the worker dies between 2 and 4 the message is sent again after the claim timeout —
at least once to the gateway, with the same key, so a gateway that honours the key sends
one SMS; the row records ``sent`` once, because only the holder of the current token can
record. E-mail has no such key: a repeat carries the same Message-ID header, which mail
systems use to drop duplicates. Notices never pass through here (see ``outbox.py``).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F
from django.utils import timezone

from bangban.clients import pii

from .models import Message, MessageChannel, MessageState, RecipientKind
from .sms import send_sms

logger = logging.getLogger(__name__)

BATCH_SIZE = 50


class Undeliverable(Exception):
    """Sending cannot succeed however often it is tried (no address): fail at once."""


class Withdrawn(Exception):
    """The recipient no longer wants this channel (opted out after it was queued)."""


@dataclass
class Report:
    reclaimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0
    lost: int = 0  # reclaimed by another worker while this one was busy


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def max_attempts() -> int:
    return _setting("OUTBOX_MAX_ATTEMPTS", 8)


def backoff(attempts: int) -> timedelta:
    """Wait before attempt ``attempts + 1``: 1, 2, 4, 8 … minutes by default, capped."""
    base = _setting("OUTBOX_RETRY_SECONDS", 60)
    cap = _setting("OUTBOX_RETRY_MAX_SECONDS", 3600)
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), cap))


def deliver_due_messages(*, limit: int | None = None) -> Report:
    """Send every message that is due; return what happened."""
    report = Report(reclaimed=reclaim_stuck())
    done = 0
    while limit is None or done < limit:
        size = BATCH_SIZE if limit is None else min(BATCH_SIZE, limit - done)
        batch = claim(size)
        if not batch:
            break
        for message in batch:
            outcome = _deliver(message)
            setattr(report, outcome, getattr(report, outcome) + 1)
        done += len(batch)
    return report


def reclaim_stuck() -> int:
    now = timezone.now()
    stale = Message.objects.filter(
        state=MessageState.SENDING,
        claimed_at__lt=now - timedelta(seconds=_setting("OUTBOX_CLAIM_TIMEOUT", 300)),
    )
    failed = stale.filter(attempts__gte=max_attempts()).update(
        state=MessageState.FAILED,
        claim_token="",
        last_error=f"发送{max_attempts()}次均中断（投递进程退出或超时），已停止重试",
    )
    requeued = stale.update(
        state=MessageState.QUEUED,
        claim_token="",
        next_attempt_at=now,
        last_error="上次发送中断（投递进程退出或超时），已重新排队",
    )
    if failed or requeued:
        logger.warning("收回%d条中断的消息，其中%d条已停止重试", failed + requeued, failed)
    return failed + requeued


def claim(size: int = BATCH_SIZE) -> list[Message]:
    """Take up to ``size`` due messages for this worker alone (conditional UPDATE)."""
    now = timezone.now()
    due = Message.objects.filter(state=MessageState.QUEUED, next_attempt_at__lte=now)
    ids = list(due.order_by("next_attempt_at", "id").values_list("pk", flat=True)[:size])
    if not ids:
        return []
    token = uuid.uuid4().hex
    due.filter(pk__in=ids).update(
        state=MessageState.SENDING,
        claim_token=token,
        claimed_at=now,
        attempts=F("attempts") + 1,
    )
    return list(
        Message.objects.filter(pk__in=ids, claim_token=token, state=MessageState.SENDING)
        .select_related("client", "staff__user")
        .order_by("next_attempt_at", "id")
    )


def _deliver(message: Message) -> str:
    # Restart the claim clock: the timeout then covers one send, however long the batch.
    if not _mine(message).update(claimed_at=timezone.now()):
        return "lost"
    try:
        provider_id = SENDERS[message.channel](message)
    except Withdrawn as error:
        _mine(message).update(
            state=MessageState.SKIPPED, claim_token="", last_error=str(error), to_cipher=""
        )
        return "skipped"
    except Undeliverable as error:
        return _record_failure(message, str(error), final=True)
    except Exception as error:  # any gateway, network or mail error: try again later
        logger.warning("消息%s发送失败：%s", message.pk, error)
        return _record_failure(message, str(error) or error.__class__.__name__, final=False)
    return _record_sent(message, provider_id)


def _mine(message: Message):
    """The row, if this worker still holds it (nobody reclaimed it meanwhile)."""
    return Message.objects.filter(
        pk=message.pk, claim_token=message.claim_token, state=MessageState.SENDING
    )


def _record_sent(message: Message, provider_id: str) -> str:
    updated = _mine(message).update(
        state=MessageState.SENT,
        sent_at=timezone.now(),
        provider_id=str(provider_id)[:100],
        last_error="",
        claim_token="",
        to_cipher="",  # a number given for this message only is not kept once it is sent
    )
    if not updated:
        logger.warning("消息%s已被其他投递进程收回，本次结果不再记录", message.pk)
    return "sent"


def _record_failure(message: Message, reason: str, *, final: bool) -> str:
    attempts = message.attempts
    reason = reason[:500]
    if final or attempts >= max_attempts():
        _mine(message).update(
            state=MessageState.FAILED,
            claim_token="",
            last_error=f"第{attempts}次发送失败，已停止重试：{reason}",
        )
        return "failed"
    _mine(message).update(
        state=MessageState.QUEUED,
        claim_token="",
        next_attempt_at=timezone.now() + backoff(attempts),
        last_error=f"第{attempts}次发送失败：{reason}",
    )
    return "retrying"


# --- channels ----------------------------------------------------------------------------


def _phone(message: Message) -> str:
    if message.recipient_kind == RecipientKind.CLIENT:
        client = message.client
        if not getattr(client, "sms_opt_in", True):
            raise Withdrawn("服务对象选择不接收短信")
        # the number given for this message (e.g. the old one, told of a correction),
        # else the client's mobile as registered now
        phone = pii.reveal(message.to_cipher or client.mobile_cipher)
    elif message.recipient_kind == RecipientKind.MOBILE:
        phone = pii.reveal(message.to_cipher) if message.to_cipher else ""
    else:
        phone = message.staff.phone
    if not phone:
        raise Undeliverable("没有可用的手机号码")
    return phone


def _send_sms(message: Message) -> str:
    return send_sms(_phone(message), message.body, idempotency_key=message.idempotency_key)


def _send_email(message: Message) -> str:
    address = message.staff.user.email if message.staff_id else ""
    if not address:
        raise Undeliverable("没有登记电子邮箱")
    domain = getattr(settings, "OUTBOX_MESSAGE_ID_DOMAIN", "bangban.local")
    message_id = f"<{message.idempotency_key}@{domain}>"
    EmailMessage(
        subject=message.subject or message.get_template_key_display(),
        body=message.body,
        to=[address],
        headers={"Message-ID": message_id},
    ).send()
    return message_id


def _notice(message: Message) -> str:
    raise Undeliverable("站内通知在写入时即已送达，不经过发送")


SENDERS = {
    MessageChannel.SMS: _send_sms,
    MessageChannel.EMAIL: _send_email,
    MessageChannel.NOTICE: _notice,
}
