"""Cursor pagination, the one way every list of the API pages.

A page is asked for with ``?limit=`` (1–100) and, after the first, ``?cursor=`` (the
``next_cursor`` of the page before); ``next_cursor`` is null on the last page. A cursor is
opaque to the caller: URL-safe base64 of the list's name and the ordering key of the last
row seen, so a page never repeats or skips a row that was added or removed meanwhile (no
offsets). A cursor that does not decode, or belongs to another list, answers 400 with a
Chinese message naming ``cursor``, never 500.

A cursor is only a position: the rows after it are still those the caller may see (every
list starts from the access functions), so a cursor made up by hand shows nothing more.
"""

from __future__ import annotations

import base64
import binascii
import json

from django.db.models import QuerySet
from ninja import Field, Schema

from bangban.apiauth.errors import ApiInvalid

MAX_LIMIT = 100
BAD_CURSOR = "分页游标无效：请使用上一页返回的 next_cursor 原样传回，或去掉 cursor 从第一页开始"


class CursorQuery(Schema):
    """The paging part of a list's query string."""

    cursor: str | None = Field(
        None, max_length=200, description="上一页返回的 next_cursor；第一页不传"
    )
    limit: int = Field(20, ge=1, le=MAX_LIMIT, description="每页条数，1–100，默认 20")


class CursorPage(Schema):
    next_cursor: str | None = Field(
        description="下一页请求 ?cursor= 的值；为空（null）表示已是最后一页"
    )


def encode_cursor(name: str, key: int | str) -> str:
    raw = json.dumps([name, key], ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(name: str, cursor: str | None, kind: type = int) -> int | str | None:
    """The ordering key in ``cursor`` (None for no cursor); 400 for anything else."""
    if cursor is None or cursor == "":
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        found, key = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, TypeError, UnicodeError, binascii.Error):
        raise ApiInvalid({"cursor": BAD_CURSOR}) from None
    valid = isinstance(key, kind) and not isinstance(key, bool)
    if found != name or not valid or (kind is int and not 0 < key < 2**63):
        raise ApiInvalid({"cursor": BAD_CURSOR})
    return key


def paginate(
    rows: QuerySet, *, name: str, cursor: str | None, limit: int, order: str = "-id"
) -> tuple[list, str | None]:
    """One page of ``rows`` ordered by ``order`` (one unique field, ``-`` for descending):
    the rows after the cursor's key, at most ``limit`` of them, and the next cursor.

    One query for the page (``limit + 1`` rows tell whether there is another)."""
    field = order.lstrip("-")
    descending = order.startswith("-")
    kind = int if field in {"id", "pk", "newest"} else str
    key = decode_cursor(name, cursor, kind)
    if key is not None:
        rows = rows.filter(**{f"{field}__{'lt' if descending else 'gt'}": key})
    limit = max(1, min(int(limit), MAX_LIMIT))
    page = list(rows.order_by(order)[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    last = page[-1] if page else None
    if not more or last is None:
        return page, None
    value = last[field] if isinstance(last, dict) else getattr(last, field)
    return page, encode_cursor(name, value)
