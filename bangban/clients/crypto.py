"""Field-level protection of personal data: 身份证号码, 统一社会信用代码, 手机号码, 住址.

Plain Python (no Django, no settings import): the master secret and the suite are passed in,
so the caller decides where they come from (``settings.PERSONAL_DATA_KEY``,
``settings.CRYPTO_SUITE``) and tests can use their own.

Two cryptographic suites, chosen by ``suite``:

=========  ==========================  ============================  =====================
suite      encryption (token prefix)   blind index                   key derivation
=========  ==========================  ============================  =====================
``sm``     SM4-GCM (``v2:``)           HMAC-SM3                      HKDF-SM3
``legacy`` AES-256-GCM (``v1:``)       HMAC-SHA256                   HKDF-SHA256
=========  ==========================  ============================  =====================

``sm`` is the national suite (国密, GB/T 32907 SM4 and GB/T 32905 SM3) that a 等保 level-3
system is assessed against (商用密码应用安全性评估, GB/T 39786-2021); ``legacy`` is what earlier
versions wrote. Whatever the suite, :meth:`PersonalDataCipher.decrypt` reads both kinds of
token — it dispatches on the prefix — so old data stays readable; ``bangban pii_rekey`` moves
it to the current suite.

How a personal-data field is stored and used:

* **Encrypted value** — :meth:`PersonalDataCipher.encrypt` gives a text token
  ``"v2:" + urlsafe-base64(nonce ‖ ciphertext ‖ tag)`` (``"v1:"`` under ``legacy``), an AEAD
  with a fresh random 12-byte nonce per call and a 16-byte tag. A stolen database dump or
  backup shows no ID numbers or phones, and any change to a token (or decrypting with the
  wrong key) is detected, never silently returning wrong data.
* **Blind index for search** — because every encryption of the same value differs, encrypted
  columns cannot be searched. :meth:`PersonalDataCipher.lookup_hash` gives a keyed HMAC of the
  *normalised* value, stored in its own indexed column: "find the client with ID number X"
  becomes an exact match on ``lookup_hash("resident_id", X)``. Without the key the hash cannot
  be reversed by trying all ~10⁹ plausible phone numbers or ID numbers, which a plain hash
  would allow in minutes. The ``kind`` is part of the input, so the same digits hashed as a
  phone number and as something else give unrelated hashes. Both suites give 64 hex digits.
* **Masked display** — screens and printouts show :mod:`bangban.clients.masking` output.
  Showing the full value (查看完整信息) is a deliberate action that the application records in
  the audit log; that happens elsewhere, not in this module.

Independent keys are derived from the master secret with HKDF and distinct ``info`` labels —
per suite, one for encryption and one for lookup hashes — so neither use can weaken the other
and the master secret itself is never used directly as a key. The ``sm`` suite derives with
HKDF over HMAC-SM3 rather than SHA-256 so that every primitive between the master secret and
the stored data is a national one (the assessment looks at key derivation too); the security
argument is the same (HMAC-SM3 is a PRF with a 256-bit output). SM4 takes a 128-bit key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = [
    "SUITES",
    "DecryptionError",
    "PersonalDataCipher",
    "generate_master_key",
    "hmac_sm3",
    "sm3_hex",
    "suite_of_token",
]

SM = "sm"
LEGACY = "legacy"
SUITES = (SM, LEGACY)
TOKEN_VERSIONS = {LEGACY: "v1", SM: "v2"}
SUITE_OF_VERSION = {v: s for s, v in TOKEN_VERSIONS.items()}
TOKEN_VERSION = TOKEN_VERSIONS[SM]  # what new tokens carry under the default suite
MIN_MASTER_KEY_BYTES = 32
_NONCE_BYTES = 12
_TAG_BYTES = 16
_INFO = {
    (LEGACY, "encryption"): b"bangban/personal-data/encryption/v1",
    (LEGACY, "lookup"): b"bangban/personal-data/lookup/v1",
    (SM, "encryption"): b"bangban/personal-data/encryption/v2/sm4-gcm",
    (SM, "lookup"): b"bangban/personal-data/lookup/v2/hmac-sm3",
}
_TOKEN_RE = re.compile(r"^(?P<version>v[0-9]+):(?P<body>[A-Za-z0-9_-]+)$")
_KIND_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class DecryptionError(ValueError):
    """A stored token could not be decrypted: malformed, altered, or made with another key."""


def generate_master_key() -> str:
    """A new random master secret (32 bytes, urlsafe base64) for ``BANGBAN_PERSONAL_DATA_KEY``."""
    return secrets.token_urlsafe(32)


def sm3_hex(data: bytes) -> str:
    """SM3 digest (GB/T 32905) of ``data``, 64 hex digits."""
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def hmac_sm3(key: bytes, message: bytes) -> bytes:
    """HMAC-SM3 of ``message`` under ``key`` (32 bytes)."""
    mac = crypto_hmac.HMAC(key, hashes.SM3())
    mac.update(message)
    return mac.finalize()


def suite_of_token(token: str) -> str | None:
    """The suite a token was made under (from its prefix), or None for anything else."""
    match = _TOKEN_RE.match(token) if isinstance(token, str) else None
    return SUITE_OF_VERSION.get(match["version"]) if match else None


def _derive(master: bytes, suite: str, use: str) -> bytes:
    if suite == SM:
        algorithm, length = hashes.SM3(), (32 if use == "lookup" else 16)
    else:
        algorithm, length = hashes.SHA256(), 32
    return HKDF(algorithm=algorithm, length=length, salt=None, info=_INFO[suite, use]).derive(
        master
    )


@dataclass(frozen=True)
class _Keys:
    encryption: bytes
    lookup: bytes


class PersonalDataCipher:
    """Encrypts personal data and computes blind-index lookup hashes from one master secret.

    ``key`` is the master secret: bytes, or a string (used as its UTF-8 bytes), of at least
    32 bytes — for example the output of :func:`generate_master_key` or ``secrets.token_urlsafe``.
    Changing it makes existing tokens undecryptable and existing lookup hashes unfindable
    (``bangban pii_rekey`` rotates it). ``suite`` (``"sm"`` or ``"legacy"``) decides how new
    tokens and lookup hashes are made; tokens of either suite decrypt.
    """

    def __init__(self, key: bytes | str, suite: str = SM) -> None:
        if isinstance(key, str):
            key = key.encode("utf-8")
        if not isinstance(key, bytes):
            raise TypeError("the master key must be bytes or str")
        if len(key) < MIN_MASTER_KEY_BYTES:
            raise ValueError(
                f"个人信息加密主密钥过短：至少需要{MIN_MASTER_KEY_BYTES}个字节，当前为{len(key)}个字节"
            )
        if suite not in SUITES:
            raise ValueError(f"不支持的密码算法套件：{suite!r}（应为 sm 或 legacy）")
        self.suite = suite
        self._keys = {
            s: _Keys(_derive(key, s, "encryption"), _derive(key, s, "lookup")) for s in SUITES
        }

    def __repr__(self) -> str:  # never show key material
        return f"<{type(self).__name__} suite={self.suite}>"

    @property
    def token_version(self) -> str:
        return TOKEN_VERSIONS[self.suite]

    def encrypt(self, plaintext: str, *, context: str = "") -> str:
        """Encrypt ``plaintext`` into a ``"v2:…"`` (``"v1:…"``) text token; each call differs.

        ``context`` (optional, e.g. ``"resident_id"``) is authenticated but not stored: the token
        then decrypts only with the same ``context``, so a token copied into another kind of
        field is refused instead of being shown as, say, a phone number.
        """
        if not isinstance(plaintext, str):
            raise TypeError("plaintext must be str")
        nonce = os.urandom(_NONCE_BYTES)
        data, aad = plaintext.encode("utf-8"), self._aad(self.suite, context)
        key = self._keys[self.suite].encryption
        if self.suite == SM:
            encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
            encryptor.authenticate_additional_data(aad)
            sealed = encryptor.update(data) + encryptor.finalize() + encryptor.tag
        else:
            sealed = AESGCM(key).encrypt(nonce, data, aad)
        body = base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode("ascii")
        return f"{self.token_version}:{body}"

    def decrypt(self, token: str, *, context: str = "") -> str:
        """Return the plaintext of a token made by :meth:`encrypt` with the same key and context,
        under either suite (the prefix says which).

        Raises :class:`DecryptionError` if the token is malformed, was altered, or was made
        with another key or context.
        """
        if not isinstance(token, str):
            raise TypeError("token must be str")
        match = _TOKEN_RE.match(token)
        if not match:
            raise DecryptionError("个人信息密文格式不正确，无法解密")
        suite = SUITE_OF_VERSION.get(match["version"])
        if suite is None:
            raise DecryptionError(f"不支持的个人信息密文版本：{match['version']}")
        body = match["body"]
        try:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except (binascii.Error, ValueError):
            raise DecryptionError("个人信息密文格式不正确，无法解密") from None
        if len(raw) < _NONCE_BYTES + _TAG_BYTES:
            raise DecryptionError("个人信息密文不完整，无法解密")
        nonce, sealed = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
        key, aad = self._keys[suite].encryption, self._aad(suite, context)
        try:
            if suite == SM:
                ciphertext, tag = sealed[:-_TAG_BYTES], sealed[-_TAG_BYTES:]
                decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
                decryptor.authenticate_additional_data(aad)
                plaintext = decryptor.update(ciphertext) + decryptor.finalize()
            else:
                plaintext = AESGCM(key).decrypt(nonce, sealed, aad)
        except InvalidTag:
            raise DecryptionError("个人信息密文已被篡改或密钥不匹配，无法解密") from None
        try:
            return plaintext.decode("utf-8")
        except UnicodeDecodeError:  # authenticated, so only a deliberate non-text encryption
            raise DecryptionError("个人信息密文内容不是文本，无法解密") from None

    def lookup_hash(self, kind: str, normalized_value: str, *, suite: str | None = None) -> str:
        """Keyed blind index (64 hex characters) of an already normalised value.

        ``kind`` names what the value is (``"resident_id"``, ``"credit_code"``, ``"mobile"`` …;
        lower-case letters, digits and underscores). Normalise first — e.g. with
        ``normalize_resident_id`` or ``validate_mobile`` — so that ``"138 1234 5678"`` and
        ``"+8613812345678"`` find the same client. ``suite`` (default: this cipher's) gives the
        hash the other suite would have written, to find rows not yet re-keyed.
        """
        if not isinstance(kind, str) or not _KIND_RE.match(kind):
            raise ValueError("kind must be a lower-case identifier such as 'mobile'")
        if not isinstance(normalized_value, str):
            raise TypeError("normalized_value must be str")
        suite = suite or self.suite
        if suite not in SUITES:
            raise ValueError(f"不支持的密码算法套件：{suite!r}")
        # kind cannot contain NUL, so the separator makes (kind, value) pairs unambiguous.
        message = kind.encode("ascii") + b"\x00" + normalized_value.encode("utf-8")
        key = self._keys[suite].lookup
        if suite == SM:
            return hmac_sm3(key, message).hex()
        return hmac.new(key, message, hashlib.sha256).hexdigest()

    @staticmethod
    def _aad(suite: str, context: str) -> bytes:
        return f"bangban/{TOKEN_VERSIONS[suite]}/{context}".encode()
