"""SM2 signatures (GB/T 32918, 国密) of audit checkpoints, through ``gmssl``.

The private key signs checkpoints (``settings.AUDIT_SIGNING_KEY``, 64 hex digits); the
public key alone (``settings.AUDIT_PUBLIC_KEY``, 128 hex digits, x‖y) verifies them, so
the archived checkpoint files can be checked on a machine that holds no secret.
``bangban audit keygen`` makes a key pair.

gmssl draws its signing nonce from ``random`` (not a cryptographic generator), and a
predictable nonce gives the private key away; the nonce is therefore drawn here with
``secrets`` and passed in. Its verifier does not check that r and s lie in [1, n-1];
that is checked here too. Signatures use SM3 with the default user id (Z value).
"""

from __future__ import annotations

import re
import secrets

from gmssl import sm2

_TABLE = sm2.default_ecc_table
_N = int(_TABLE["n"], 16)
_PRIVATE = re.compile(r"^[0-9a-fA-F]{64}$")
_PUBLIC = re.compile(r"^(04)?[0-9a-fA-F]{128}$")
_SIGNATURE = re.compile(r"^[0-9a-fA-F]{128}$")


class SigningKeyError(ValueError):
    pass


def _private(private_key: str) -> str:
    private_key = private_key.strip()
    if not _PRIVATE.match(private_key) or not 1 <= int(private_key, 16) < _N - 1:
        raise SigningKeyError("SM2 私钥应为 64 位十六进制数（bangban audit keygen 生成）")
    return private_key.lower()


def _public(public_key: str) -> str:
    public_key = public_key.strip()
    if not _PUBLIC.match(public_key):
        raise SigningKeyError("SM2 公钥应为 128 位十六进制数（bangban audit keygen 生成）")
    return public_key[-128:].lower()


def _crypt(private_key: str, public_key: str) -> sm2.CryptSM2:
    """gmssl's signer/verifier for a key pair. Its constructor strips a leading "04" with
    ``lstrip("04")``, which also eats any 0s and 4s after it, so a public key whose hex
    happens to start with "04" (one in 256) would be cut short: it is set afterwards."""
    crypt = sm2.CryptSM2(private_key=private_key, public_key="")
    crypt.public_key = public_key
    return crypt


def public_key_of(private_key: str) -> str:
    d = int(_private(private_key), 16)
    return sm2.CryptSM2(private_key="", public_key="")._kg(d, _TABLE["g"])


def generate_keypair() -> tuple[str, str]:
    """A new (private key, public key) pair, both hex."""
    private_key = f"{secrets.randbelow(_N - 2) + 1:064x}"
    return private_key, public_key_of(private_key)


def sign(private_key: str, data: bytes) -> str:
    """SM2 signature (r‖s, 128 hex digits) of ``data`` with SM3 and the default user id."""
    private_key = _private(private_key)
    signer = _crypt(private_key, public_key_of(private_key))
    while True:
        nonce = f"{secrets.randbelow(_N - 1) + 1:064x}"
        signature = signer.sign_with_sm3(data, nonce)
        if signature:  # None in the negligible cases r = 0, r + k = n, s = 0
            return signature


def verify(public_key: str, data: bytes, signature: str) -> bool:
    """True when ``signature`` is a valid SM2 signature of ``data`` under ``public_key``."""
    if not isinstance(signature, str) or not _SIGNATURE.match(signature):
        return False
    r, s = int(signature[:64], 16), int(signature[64:], 16)
    if not (1 <= r < _N and 1 <= s < _N):
        return False
    try:
        verifier = _crypt("", _public(public_key))
        return bool(verifier.verify_with_sm3(signature.lower(), data))
    except (SigningKeyError, ValueError):
        return False
