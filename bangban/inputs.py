"""Numbers typed into a query string or a form, read the one careful way.

Every id, step, slot, version or page a browser sends is text. ``int(text)`` fails on
``abc``, and on ``²`` (``str.isdigit`` says yes, ``int`` says no); a number that does parse
can still be too big for the database (SQLite refuses anything past 2⁶³−1 with an
``OverflowError``, PostgreSQL a bigint past it). So views never call ``int`` on what they
are sent; they call one of these, which answer ``None`` (or the default) for anything that
is not a plain, in-range number, and the view then refuses in Chinese or ignores the filter.

``bangban.edge`` does the same for ids in the path (``<int:pk>``) and refuses NUL characters.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

# The largest id any of our tables can hold (BigAutoField; SQLite's INTEGER is the same).
MAX_ID = 2**63 - 1
# A plain decimal number: ASCII digits only, at most 19 of them (MAX_ID has 19), with an
# optional sign for ``int_or_none``. Longer text is never parsed at all.
_MAX_DIGITS = len(str(MAX_ID))
# The dates a filter or form may name. Python's own range ends at 9999-12-31, so "the day
# after" a date typed as 9999-12-31 overflowed; no record of ours is near either end.
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2999, 12, 31)


def int_or_none(value, *, low: int | None = None, high: int | None = None) -> int | None:
    """``value`` as an int when it is a plain decimal number within [low, high], else None.

    Surrounding spaces are allowed, as browsers and people add them; ``+``/``-`` signs,
    ASCII digits only (no ``²``, no full-width ``１``), at most 19 digits.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        digits = text[1:] if text[:1] in "+-" and len(text) > 1 else text
        if not digits or len(digits) > _MAX_DIGITS or not (digits.isascii() and digits.isdigit()):
            return None
        number = int(text)
    if low is not None and number < low:
        return None
    if high is not None and number > high:
        return None
    return number


def id_or_none(value) -> int | None:
    """A database id (1 … 2⁶³−1) from a query string or form, else None."""
    return int_or_none(value, low=1, high=MAX_ID)


def ids_or_none(values: Iterable) -> list[int] | None:
    """Every value as an id, or None when any one of them is not one."""
    ids = [id_or_none(v) for v in values]
    return None if any(i is None for i in ids) else ids


def bounded_int(value, default: int, *, low: int, high: int) -> int:
    """A number within [low, high]: ``default`` when unreadable, clamped when out of range.

    For steps of a multi-step form and such, where a stale or edited value should land on a
    sensible step rather than be refused.
    """
    number = int_or_none(value)
    if number is None:
        number = default
    return min(max(number, low), high)


def date_or_none(value, *, low: date = DATE_MIN, high: date = DATE_MAX) -> date | None:
    """An ISO date (``2026-03-01``) within [low, high] from a query string or form, else None."""
    text = str(value if value is not None else "").strip()
    if not text or len(text) > 32:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if low <= day <= high else None
