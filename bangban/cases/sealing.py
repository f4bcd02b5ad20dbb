"""The audit's suite and keys, read from settings (``hashchain`` itself knows no Django).

- ``audit_scheme()``: how new events and checkpoints are sealed, from
  ``settings.CRYPTO_SUITE`` ("sm": HMAC-SM3, the default; "legacy": HMAC-SHA256).
- ``audit_key()``: the current key (``BANGBAN_AUDIT_KEY``), kept outside the database.
- ``audit_keys()``: the key ring by key id: the current key and, during a rotation only,
  the previous one (``BANGBAN_AUDIT_KEY_OLD``), so chains sealed under either verify.
- ``legacy_zones()``: the offsets an event written before seals existed may have been
  hashed with (UTC, and the site's own zone).
- SM2: ``signing_key()`` and ``public_key()`` for checkpoints (``bangban.cases.signing``).
"""

from __future__ import annotations

from datetime import UTC, tzinfo
from zoneinfo import ZoneInfo

from django.conf import settings

from . import signing
from .hashchain import SUITE_SCHEMES, key_id, make_seal


def audit_key() -> bytes:
    """The key of the timeline hash chain (kept outside the database, see settings.AUDIT_KEY)."""
    return settings.AUDIT_KEY.encode()


def audit_scheme() -> str:
    return SUITE_SCHEMES[getattr(settings, "CRYPTO_SUITE", "sm")]


def current_seal() -> str:
    return make_seal(audit_scheme(), audit_key())


def audit_keys() -> dict[str, bytes]:
    keys = [audit_key()]
    old = getattr(settings, "AUDIT_KEY_OLD", "")
    if old:
        keys.append(old.encode())
    return {key_id(key): key for key in keys}


def legacy_zones() -> tuple[tzinfo, ...]:
    return (UTC, ZoneInfo(settings.TIME_ZONE))


def signing_key() -> str:
    """The SM2 private key that signs checkpoints, or "" when none is configured."""
    return getattr(settings, "AUDIT_SIGNING_KEY", "").strip()


def public_key() -> str:
    """The SM2 public key that verifies checkpoints: configured, or derived from the
    private key; "" when neither is set."""
    configured = getattr(settings, "AUDIT_PUBLIC_KEY", "").strip()
    if configured:
        return configured
    private = signing_key()
    return signing.public_key_of(private) if private else ""
