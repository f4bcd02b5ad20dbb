"""Writes a person makes about notifications: read notices, preferences, a manual retry."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from . import outbox
from .models import DeliveryMode, Message, MessageState, Notice, StaffPreference


def notice_mark_read(*, staff, notice_id: int | None = None) -> int:
    """Mark one of this person's notices read (or all of them); returns how many changed."""
    unread = Notice.objects.filter(staff=staff, read_at__isnull=True)
    if notice_id is not None:
        unread = unread.filter(pk=notice_id)
    return unread.update(read_at=timezone.now())


def preference_set(*, staff, mode: str, by_email: bool, by_sms: bool) -> StaffPreference:
    if mode not in DeliveryMode.values:
        raise ValueError("发送方式无效")
    preference, _ = StaffPreference.objects.update_or_create(
        staff=staff, defaults={"mode": mode, "by_email": by_email, "by_sms": by_sms}
    )
    return preference


@transaction.atomic
def message_retry(*, message_ids) -> int:
    """Put failed messages back in the queue with a fresh count (an operator's decision)."""
    count = Message.objects.filter(pk__in=list(message_ids), state=MessageState.FAILED).update(
        state=MessageState.QUEUED, attempts=0, next_attempt_at=timezone.now(), claim_token=""
    )
    if count:
        transaction.on_commit(outbox.schedule_delivery, robust=True)
    return count
