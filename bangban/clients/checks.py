"""System checks on the keys and the cryptographic suite (``manage.py check``, also with
``--deploy``, before ``runserver``, ``migrate`` and the job worker; ``wsgi.py`` runs them
before gunicorn answers anything). A key too short for its purpose is an error here, at start-up,
instead of a 500 on the first request that touches personal data.
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from .crypto import MIN_MASTER_KEY_BYTES

MIN_AUDIT_KEY_BYTES = 32  # an HMAC-SM3 / HMAC-SHA256 key no shorter than the hash
MIN_SECRET_KEY_CHARS = 50  # Django's own threshold (security.W009)


def _length(value) -> int:
    return len(value.encode("utf-8")) if isinstance(value, str) else len(value or b"")


@checks.register(checks.Tags.security)
def key_checks(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors = []
    for name, hint in (
        ("PERSONAL_DATA_KEY", "个人信息加密主密钥"),
        ("PERSONAL_DATA_KEY_OLD", "密钥轮换期间的旧个人信息加密密钥"),
    ):
        value = getattr(settings, name, "")
        if (value or name == "PERSONAL_DATA_KEY") and _length(value) < MIN_MASTER_KEY_BYTES:
            errors.append(
                checks.Error(
                    f"BANGBAN_{name}（{hint}）过短：至少需要{MIN_MASTER_KEY_BYTES}个字节，"
                    f"当前为{_length(value)}个字节",
                    hint='用 python -c "import secrets; print(secrets.token_urlsafe(32))" 生成',
                    id=f"bangban.E00{1 if name == 'PERSONAL_DATA_KEY' else 2}",
                )
            )
    if getattr(settings, "PRODUCTION", False):
        if _length(settings.AUDIT_KEY) < MIN_AUDIT_KEY_BYTES:
            errors.append(
                checks.Error(
                    f"BANGBAN_AUDIT_KEY（哈希链密钥）过短：生产模式至少需要{MIN_AUDIT_KEY_BYTES}个字节",
                    id="bangban.E003",
                )
            )
        if len(settings.SECRET_KEY) < MIN_SECRET_KEY_CHARS:
            errors.append(
                checks.Error(
                    f"BANGBAN_SECRET_KEY 过短：生产模式至少需要{MIN_SECRET_KEY_CHARS}个字符",
                    id="bangban.E004",
                )
            )
    if getattr(settings, "CRYPTO_SUITE", "sm") == "sm":
        missing = _missing_sm_algorithms()
        if missing:
            errors.append(
                checks.Error(
                    f"BANGBAN_CRYPTO_SUITE=sm，但本机的 OpenSSL 不支持{missing}",
                    hint="安装带国密算法的 OpenSSL 3（默认提供者含 SM3、SM4）",
                    id="bangban.E005",
                )
            )
    return errors


def _missing_sm_algorithms() -> str:
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    try:
        hashes.Hash(hashes.SM3())
    except UnsupportedAlgorithm:
        return " SM3"
    try:
        Cipher(algorithms.SM4(bytes(16)), modes.GCM(bytes(12))).encryptor()
    except UnsupportedAlgorithm:
        return " SM4-GCM"
    return ""


def refuse_to_start_with_bad_keys() -> None:
    """For servers that do not run the system checks themselves (gunicorn via ``wsgi.py``)."""
    errors = [e for e in key_checks() if e.is_serious()]
    if errors:
        raise ImproperlyConfigured("\n".join(f"{e.id}: {e.msg}" for e in errors))
