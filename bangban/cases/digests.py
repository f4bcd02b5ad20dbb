"""Keyed digests recorded in the hash chain in place of personal values.

The chain can never be changed, so an event never records a personal value (a delivery
address, an application's ID number): it records ``hmac-sm3:<hex>`` (``hmac-sha256:`` under
the ``legacy`` suite), an HMAC of the value under a random key of the case, and the case row
keeps the value encrypted with that key (itself encrypted). Destroying both (crypto-shredding)
leaves the chain intact and its digests unlinkable to any value. One home for the algorithm,
used by ``cases.delivery`` and ``cases.application_sealing``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings

from bangban.clients import pii
from bangban.clients.crypto import hmac_sm3


def current_algorithm() -> str:
    """The digest algorithm of the configured suite: ``hmac-sm3`` or ``hmac-sha256``."""
    return "hmac-sm3" if settings.CRYPTO_SUITE == "sm" else "hmac-sha256"


def new_key() -> tuple[bytes, str]:
    """(a new random digest key, its token to store)."""
    key = secrets.token_bytes(32)
    return key, pii.encrypt(key.hex())


def opened_key(token: str) -> bytes:
    return bytes.fromhex(pii.reveal(token))


def digest(key: bytes, field: str, value: str, algorithm: str) -> str:
    """``<algorithm>:<hex>`` of ``value`` under ``key``, bound to the field's name."""
    message = field.encode("utf-8") + b"\x00" + value.encode("utf-8")
    if algorithm == "hmac-sm3":
        return "hmac-sm3:" + hmac_sm3(key, message).hex()
    return "hmac-sha256:" + hmac.new(key, message, hashlib.sha256).hexdigest()


def is_digest(value: object) -> bool:
    return isinstance(value, str) and value.startswith("hmac-")


def matches(key: bytes, field: str, value: str, recorded: str) -> bool:
    """Whether ``recorded`` (a digest from the chain) is the digest of ``value``."""
    algorithm = recorded.split(":", 1)[0]
    return hmac.compare_digest(recorded, digest(key, field, value, algorithm))
