"""Reads about messages: what a case sent, a staff member's notices and unread count."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Message, Notice


def messages_for_case(case) -> QuerySet[Message]:
    """Every message a case caused, oldest first, with its state (for the case page).

    One query with the recipient; show ``message.state_line`` or the fields themselves.
    """
    return (
        Message.objects.filter(case=case)
        .select_related("client", "staff", "event")
        .order_by("created_at", "id")
    )


def notices_for(staff) -> QuerySet[Notice]:
    return Notice.objects.filter(staff=staff).select_related("case").order_by("-created_at", "-id")


def unread_count(staff) -> int:
    return Notice.objects.filter(staff=staff, read_at__isnull=True).count()
