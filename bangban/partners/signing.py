"""Signing webhooks both ways: HMAC-SHA256 over ``timestamp + "." + body`` with the partner's key.

Headers (outbound and inbound alike):

- ``X-Bangban-Partner``: the partner's code;
- ``X-Bangban-Timestamp``: Unix seconds when signed;
- ``X-Bangban-Signature``: ``sha256=`` + the lowercase hex HMAC;
- ``X-Bangban-Delivery`` (outbound): the delivery's id, the same on every retry, for the
  receiver to drop repeats.

A request is refused when the signature does not match, when its timestamp is more than
``WINDOW`` away from now (either way), or when the same signature was already accepted
(a replay inside the window; the store of seen signatures is the caller's, see
``inbound.py``). Pure functions: no database, no settings.
"""

from __future__ import annotations

import hashlib
import hmac
import time

WINDOW = 300  # seconds: 5 minutes either side of now

PARTNER_HEADER = "X-Bangban-Partner"
TIMESTAMP_HEADER = "X-Bangban-Timestamp"
SIGNATURE_HEADER = "X-Bangban-Signature"
DELIVERY_HEADER = "X-Bangban-Delivery"
PREFIX = "sha256="


class SignatureRefused(Exception):
    """The request is not from the partner, or not now. ``code`` for logs, message in Chinese."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def signature(secret: str, timestamp: str | int, body: bytes) -> str:
    """The lowercase hex HMAC-SHA256 of ``timestamp.body`` under ``secret``."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(
    *, partner: str, secret: str, body: bytes, delivery: str = "", now: float | None = None
) -> dict[str, str]:
    """The headers that sign ``body`` for ``partner`` now."""
    timestamp = str(int(time.time() if now is None else now))
    headers = {
        PARTNER_HEADER: partner,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: PREFIX + signature(secret, timestamp, body),
    }
    if delivery:
        headers[DELIVERY_HEADER] = delivery
    return headers


def verify(
    *,
    secret: str,
    timestamp: str | None,
    signed: str | None,
    body: bytes,
    now: float | None = None,
    window: int = WINDOW,
) -> str:
    """Check a signed request; return its signature (hex) for the replay store.

    Raises ``SignatureRefused``: ``missing``, ``bad_timestamp``, ``expired`` or
    ``bad_signature``. The signature is compared in constant time, after the timestamp, so
    an old request is refused as expired whatever it carries.
    """
    if not timestamp or not signed:
        raise SignatureRefused(
            "missing", "缺少签名请求头（X-Bangban-Timestamp、X-Bangban-Signature）"
        )
    if not timestamp.isdigit() or len(timestamp) > 12:
        raise SignatureRefused("bad_timestamp", "X-Bangban-Timestamp 须为 Unix 时间戳（秒）")
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > window:
        raise SignatureRefused(
            "expired", f"请求时间戳已过期（与服务器时间相差超过{window // 60}分钟），请重新签名"
        )
    given = signed.strip().lower().removeprefix(PREFIX)
    expected = signature(secret, timestamp, body)
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise SignatureRefused("bad_signature", "签名校验失败")
    return expected
