"""The delivery job: POST what the outbox holds to each partner, signed, until it is received.

``deliver_due()`` runs every minute and right after a commit that queued something
(``tasks.py``). Any number of copies may run at once, on any number of machines — the same
steps as the notifications outbox (``notifications/delivery.py``):

1. **reclaim** a delivery left ``sending`` longer than ``PARTNERS_CLAIM_TIMEOUT`` (its
   worker died): back to ``queued``, or the dead letter once it has had every attempt;
2. **claim** a batch of due deliveries with one conditional UPDATE (``state = queued``)
   and this batch's random token: what another worker claimed first no longer matches;
3. **send** each outside any transaction: ``POST endpoint_url`` with the JSON payload and
   the signature headers (``signing.sign``; ``X-Bangban-Delivery`` is the same on every
   attempt, so the receiver drops repeats); every attempt is logged (``DeliveryAttempt``:
   status, body excerpt, error, time);
4. **record**, conditional on the token: ``delivered`` on any 2xx; otherwise ``queued``
   again after an exponential back-off (``PARTNERS_RETRY_SECONDS`` × 2^(attempts−1), at
   most ``PARTNERS_RETRY_MAX_SECONDS``), or ``failed`` (the dead letter, shown in the admin,
   which can replay it) after ``PARTNERS_MAX_ATTEMPTS``.

A worker dying between 3 and 4 means one more POST with the same delivery id: at least
once to the receiver, exactly once after its dedupe.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from . import signing
from .models import Delivery, DeliveryAttempt, DeliveryState

logger = logging.getLogger(__name__)

BATCH_SIZE = 50
EXCERPT = 500


@dataclass
class Report:
    reclaimed: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    lost: int = 0  # reclaimed by another worker while this one was busy


class Undeliverable(Exception):
    """Sending cannot succeed however often it is tried (no address, no key): fail at once."""


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def max_attempts() -> int:
    return _setting("PARTNERS_MAX_ATTEMPTS", 10)


def backoff(attempts: int) -> timedelta:
    """Wait before attempt ``attempts + 1``: 1, 2, 4, 8 … minutes by default, capped."""
    base = _setting("PARTNERS_RETRY_SECONDS", 60)
    cap = _setting("PARTNERS_RETRY_MAX_SECONDS", 3600)
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), cap))


def deliver_due(*, limit: int | None = None) -> Report:
    """Send every delivery that is due; return what happened."""
    report = Report(reclaimed=reclaim_stuck())
    done = 0
    while limit is None or done < limit:
        size = BATCH_SIZE if limit is None else min(BATCH_SIZE, limit - done)
        batch = claim(size)
        if not batch:
            break
        for delivery in batch:
            outcome = _deliver(delivery)
            setattr(report, outcome, getattr(report, outcome) + 1)
        done += len(batch)
    return report


def reclaim_stuck() -> int:
    now = timezone.now()
    stale = Delivery.objects.filter(
        state=DeliveryState.SENDING,
        claimed_at__lt=now - timedelta(seconds=_setting("PARTNERS_CLAIM_TIMEOUT", 300)),
    )
    failed = stale.filter(attempts__gte=max_attempts()).update(
        state=DeliveryState.FAILED,
        claim_token="",
        last_error=f"投递{max_attempts()}次均中断（投递进程退出或超时），已停止重试",
    )
    requeued = stale.update(
        state=DeliveryState.QUEUED,
        claim_token="",
        next_attempt_at=now,
        last_error="上次投递中断（投递进程退出或超时），已重新排队",
    )
    if failed or requeued:
        logger.warning("收回%d条中断的对外投递，其中%d条已停止重试", failed + requeued, failed)
    return failed + requeued


def claim(size: int = BATCH_SIZE) -> list[Delivery]:
    """Take up to ``size`` due deliveries for this worker alone (conditional UPDATE)."""
    now = timezone.now()
    due = Delivery.objects.filter(state=DeliveryState.QUEUED, next_attempt_at__lte=now)
    ids = list(due.order_by("next_attempt_at", "id").values_list("pk", flat=True)[:size])
    if not ids:
        return []
    token = uuid.uuid4().hex
    due.filter(pk__in=ids).update(
        state=DeliveryState.SENDING,
        claim_token=token,
        claimed_at=now,
        attempts=F("attempts") + 1,
    )
    return list(
        Delivery.objects.filter(pk__in=ids, claim_token=token, state=DeliveryState.SENDING)
        .select_related("partner")
        .order_by("next_attempt_at", "id")
    )


def replay(deliveries) -> int:
    """Queue dead letters (or any finished delivery) again, with a fresh set of attempts."""
    return deliveries.exclude(state=DeliveryState.SENDING).update(
        state=DeliveryState.QUEUED,
        attempts=0,
        next_attempt_at=timezone.now(),
        claim_token="",
        last_error="",
    )


def _mine(delivery: Delivery):
    return Delivery.objects.filter(
        pk=delivery.pk, claim_token=delivery.claim_token, state=DeliveryState.SENDING
    )


def _deliver(delivery: Delivery) -> str:
    if not _mine(delivery).update(claimed_at=timezone.now()):
        return "lost"
    started = time.monotonic()
    status, excerpt = None, ""
    try:
        status, excerpt = post(delivery)
        error = "" if 200 <= status < 300 else f"接收方返回 HTTP {status}"
        final = False
    except Undeliverable as problem:
        error, final = str(problem), True
    except Exception as problem:  # network, DNS, timeout: try again later
        error, final = (str(problem) or problem.__class__.__name__), False
    DeliveryAttempt.objects.create(
        delivery=delivery,
        at=timezone.now(),
        status_code=status,
        body_excerpt=excerpt[:EXCERPT],
        error=error[:EXCERPT],
        duration_ms=int((time.monotonic() - started) * 1000),
    )
    if not error:
        return _record_delivered(delivery)
    logger.warning("对外投递%s失败：%s", delivery.uid, error)
    return _record_failure(delivery, error, final=final)


def body_of(delivery: Delivery) -> bytes:
    return json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()


def post(delivery: Delivery) -> tuple[int, str]:
    """POST the delivery once; (HTTP status, the start of the response body)."""
    partner = delivery.partner
    if not partner.endpoint_url:
        raise Undeliverable("对接系统未填写接收地址")
    if not partner.secret_cipher:
        raise Undeliverable("对接系统尚未生成密钥")
    body = body_of(delivery)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Bangban-Webhook/1",
        "X-Bangban-Topic": delivery.topic,
        **signing.sign(
            partner=partner.code, secret=partner.secret, body=body, delivery=delivery.uid
        ),
    }
    request = urllib.request.Request(
        partner.endpoint_url, data=body, headers=headers, method="POST"
    )
    timeout = _setting("PARTNERS_TIMEOUT", 10)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read(EXCERPT).decode("utf-8", "replace")
    except urllib.error.HTTPError as answer:
        return answer.code, answer.read(EXCERPT).decode("utf-8", "replace")


def _record_delivered(delivery: Delivery) -> str:
    updated = _mine(delivery).update(
        state=DeliveryState.DELIVERED,
        delivered_at=timezone.now(),
        last_error="",
        claim_token="",
    )
    if not updated:
        logger.warning("对外投递%s已被其他投递进程收回，本次结果不再记录", delivery.uid)
    return "delivered"


def _record_failure(delivery: Delivery, reason: str, *, final: bool) -> str:
    attempts = delivery.attempts
    if final or attempts >= max_attempts():
        _mine(delivery).update(
            state=DeliveryState.FAILED,
            claim_token="",
            last_error=f"第{attempts}次投递失败，已停止重试：{reason}"[:1000],
        )
        return "failed"
    _mine(delivery).update(
        state=DeliveryState.QUEUED,
        claim_token="",
        next_attempt_at=timezone.now() + backoff(attempts),
        last_error=f"第{attempts}次投递失败：{reason}"[:1000],
    )
    return "retrying"
