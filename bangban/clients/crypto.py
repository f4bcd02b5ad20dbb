"""Field-level protection of personal data: 身份证号码, 统一社会信用代码, 手机号码, 住址.

Plain Python (no Django, no settings import): the master secret is passed in, so the caller
decides where it comes from (``settings.PERSONAL_DATA_KEY``) and tests can use their own.

How a personal-data field is stored and used:

* **Encrypted value** — :meth:`PersonalDataCipher.encrypt` gives a text token
  ``"v1:" + urlsafe-base64(nonce ‖ ciphertext ‖ tag)`` using AES-256-GCM with a fresh random
  12-byte nonce per call. A stolen database dump or backup shows no ID numbers or phones, and
  any change to a token (or decrypting with the wrong key) is detected, never silently
  returning wrong data. The ``v1`` prefix lets a later scheme coexist with old tokens.
* **Blind index for search** — because every encryption of the same value differs, encrypted
  columns cannot be searched. :meth:`PersonalDataCipher.lookup_hash` gives a keyed
  HMAC-SHA256 of the *normalised* value, stored in its own indexed column: "find the client
  with ID number X" becomes an exact match on ``lookup_hash("resident_id", X)``. Without the key
  the hash cannot be reversed by trying all ~10⁹ plausible phone numbers or ID numbers, which a
  plain SHA-256 would allow in minutes. The ``kind`` is part of the input, so the same digits
  hashed as a phone number and as something else give unrelated hashes.
* **Masked display** — screens and printouts show :mod:`bangban.clients.masking` output.
  Showing the full value (查看完整信息) is a deliberate action that the application records in
  the audit log; that happens elsewhere, not in this module.

Two independent 256-bit keys are derived from the master secret with HKDF-SHA256 and distinct
``info`` labels, one for encryption and one for lookup hashes, so neither use can weaken the
other and the master secret itself is never used directly as a key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["DecryptionError", "PersonalDataCipher", "generate_master_key"]

TOKEN_VERSION = "v1"
MIN_MASTER_KEY_BYTES = 32
_NONCE_BYTES = 12
_TAG_BYTES = 16
_ENCRYPTION_INFO = b"bangban/personal-data/encryption/v1"
_LOOKUP_INFO = b"bangban/personal-data/lookup/v1"
_TOKEN_RE = re.compile(r"^(?P<version>v[0-9]+):(?P<body>[A-Za-z0-9_-]+)$")
_KIND_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class DecryptionError(ValueError):
    """A stored token could not be decrypted: malformed, altered, or made with another key."""


def generate_master_key() -> str:
    """A new random master secret (32 bytes, urlsafe base64) for ``BANGBAN_PERSONAL_DATA_KEY``."""
    return secrets.token_urlsafe(32)


def _derive(master: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)


class PersonalDataCipher:
    """Encrypts personal data and computes blind-index lookup hashes from one master secret.

    ``key`` is the master secret: bytes, or a string (used as its UTF-8 bytes), of at least
    32 bytes — for example the output of :func:`generate_master_key` or ``secrets.token_urlsafe``.
    Changing it makes existing tokens undecryptable and existing lookup hashes unfindable.
    """

    def __init__(self, key: bytes | str) -> None:
        if isinstance(key, str):
            key = key.encode("utf-8")
        if not isinstance(key, bytes):
            raise TypeError("the master key must be bytes or str")
        if len(key) < MIN_MASTER_KEY_BYTES:
            raise ValueError(
                f"个人信息加密主密钥过短：至少需要{MIN_MASTER_KEY_BYTES}个字节，当前为{len(key)}个字节"
            )
        self._aead = AESGCM(_derive(key, _ENCRYPTION_INFO))
        self._lookup_key = _derive(key, _LOOKUP_INFO)

    def __repr__(self) -> str:  # never show key material
        return f"<{type(self).__name__}>"

    def encrypt(self, plaintext: str, *, context: str = "") -> str:
        """Encrypt ``plaintext`` into a ``"v1:…"`` text token; each call gives a different token.

        ``context`` (optional, e.g. ``"resident_id"``) is authenticated but not stored: the token
        then decrypts only with the same ``context``, so a token copied into another kind of
        field is refused instead of being shown as, say, a phone number.
        """
        if not isinstance(plaintext, str):
            raise TypeError("plaintext must be str")
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext.encode("utf-8"), self._aad(context))
        body = base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode("ascii")
        return f"{TOKEN_VERSION}:{body}"

    def decrypt(self, token: str, *, context: str = "") -> str:
        """Return the plaintext of a token made by :meth:`encrypt` with the same key and context.

        Raises :class:`DecryptionError` if the token is malformed, was altered, or was made
        with another key or context.
        """
        if not isinstance(token, str):
            raise TypeError("token must be str")
        match = _TOKEN_RE.match(token)
        if not match:
            raise DecryptionError("个人信息密文格式不正确，无法解密")
        if match["version"] != TOKEN_VERSION:
            raise DecryptionError(f"不支持的个人信息密文版本：{match['version']}")
        body = match["body"]
        try:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except (binascii.Error, ValueError):
            raise DecryptionError("个人信息密文格式不正确，无法解密") from None
        if len(raw) < _NONCE_BYTES + _TAG_BYTES:
            raise DecryptionError("个人信息密文不完整，无法解密")
        nonce, sealed = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
        try:
            plaintext = self._aead.decrypt(nonce, sealed, self._aad(context))
        except InvalidTag:
            raise DecryptionError("个人信息密文已被篡改或密钥不匹配，无法解密") from None
        return plaintext.decode("utf-8")

    def lookup_hash(self, kind: str, normalized_value: str) -> str:
        """Keyed blind index (64 hex characters) of an already normalised value.

        ``kind`` names what the value is (``"resident_id"``, ``"credit_code"``, ``"mobile"`` …;
        lower-case letters, digits and underscores). Normalise first — e.g. with
        ``normalize_resident_id`` or ``validate_mobile`` — so that ``"138 1234 5678"`` and
        ``"+8613812345678"`` find the same client.
        """
        if not isinstance(kind, str) or not _KIND_RE.match(kind):
            raise ValueError("kind must be a lower-case identifier such as 'mobile'")
        if not isinstance(normalized_value, str):
            raise TypeError("normalized_value must be str")
        # kind cannot contain NUL, so the separator makes (kind, value) pairs unambiguous.
        message = kind.encode("ascii") + b"\x00" + normalized_value.encode("utf-8")
        return hmac.new(self._lookup_key, message, hashlib.sha256).hexdigest()

    @staticmethod
    def _aad(context: str) -> bytes:
        return f"bangban/{TOKEN_VERSION}/{context}".encode()
