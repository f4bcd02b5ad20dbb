"""Reads about messages: what a case sent, a staff member's notices and unread count."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from bangban.sqlonce import BuiltOnce

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


def _unread(staff_id: int) -> QuerySet:
    return (
        Notice.objects.filter(staff_id=staff_id, read_at__isnull=True)
        .order_by()
        .values("staff_id")
        .annotate(n=Count("pk"))
        .values_list("n")
    )


# on every staff page (the header's badge): built once per process (``sqlonce``)
_UNREAD = BuiltOnce(_unread, 1)


def unread_count(staff) -> int:
    found = _UNREAD.rows(staff.pk)
    return found[0][0] if found else 0


def messages_for_corrections(client, correction_ids) -> dict[int, Message]:
    """The SMS that told ``client`` of each of these corrections, by correction id.

    One query, on the client's messages (``ref`` has no index of its own)."""
    refs = {f"client_correction:{pk}": pk for pk in correction_ids}
    if not refs:
        return {}
    found = Message.objects.filter(client=client, ref__in=list(refs)).select_related("client")
    return {refs[m.ref]: m for m in found}
