"""The one place that turns personal data into what is stored: ciphertext, lookup hash, mask.

The suite (``settings.CRYPTO_SUITE``: ``sm`` or ``legacy``) and the key
(``settings.PERSONAL_DATA_KEY``) decide how new values are written. Reading is wider, so that
switching the suite or rotating the key never makes data unreadable or unfindable before
``bangban pii_rekey`` has moved it:

* :func:`reveal` reads tokens of either suite (the prefix says which), under the current key
  or, during a rotation, ``settings.PERSONAL_DATA_KEY_OLD``;
* :func:`lookups` gives every blind-index hash a value may be stored under (current key and
  suite first, then the other suite, then the old key); match with ``<field>__in=``.
  :func:`lookup` gives only the current one: what to write.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings

from . import masking
from .crypto import SUITES, DecryptionError, PersonalDataCipher, suite_of_token


@cache
def _cipher(key: str, suite: str) -> PersonalDataCipher:
    return PersonalDataCipher(key, suite)


def cipher() -> PersonalDataCipher:
    """The cipher new values are written with (current key and suite)."""
    return _cipher(settings.PERSONAL_DATA_KEY, settings.CRYPTO_SUITE)


def old_cipher() -> PersonalDataCipher | None:
    """The previous key's cipher during a rotation (``BANGBAN_PERSONAL_DATA_KEY_OLD``), else None."""
    old = getattr(settings, "PERSONAL_DATA_KEY_OLD", "")
    if not old or old == settings.PERSONAL_DATA_KEY:
        return None
    return _cipher(old, settings.CRYPTO_SUITE)


MASKERS = {
    "resident_id": masking.mask_resident_id,
    "credit_code": masking.mask_credit_code,
    "mobile": masking.mask_mobile,
    "address": masking.mask_address,
    "name": masking.mask_name,
}


def protect(kind: str, value: str) -> tuple[str, str, str]:
    """(ciphertext, lookup hash, masked) for a normalized value; three blanks for none."""
    if not value:
        return "", "", ""
    return cipher().encrypt(value), cipher().lookup_hash(kind, value), MASKERS[kind](value)


def encrypt(value: str) -> str:
    """Only the ciphertext of a value ("" for none)."""
    return cipher().encrypt(value) if value else ""


def lookup(kind: str, value: str) -> str:
    """The blind-index hash to store for a normalized value (current key and suite)."""
    return cipher().lookup_hash(kind, value)


def lookups(kind: str, value: str) -> list[str]:
    """Every hash a normalized value may be stored under until ``pii_rekey`` has run: the
    current one first. Use as ``Client.objects.filter(mobile_hash__in=lookups("mobile", v))``."""
    ciphers = [c for c in (cipher(), old_cipher()) if c is not None]
    found: list[str] = []
    for c in ciphers:
        for suite in (c.suite, *(s for s in SUITES if s != c.suite)):
            value_hash = c.lookup_hash(kind, value, suite=suite)
            if value_hash not in found:
                found.append(value_hash)
    return found


def reveal(token: str) -> str:
    """The plaintext of a stored token ("" for none), whichever suite or key made it."""
    if not token:
        return ""
    try:
        return cipher().decrypt(token)
    except DecryptionError:
        old = old_cipher()
        if old is None:
            raise
        return old.decrypt(token)


def is_current(token: str) -> bool:
    """Whether a token is already what ``pii_rekey`` would write: current suite and key."""
    if not token or suite_of_token(token) != settings.CRYPTO_SUITE:
        return False
    try:
        cipher().decrypt(token)
    except DecryptionError:
        return False
    return True
