"""The one place that turns personal data into what is stored: ciphertext, lookup hash, mask."""

from functools import cache

from django.conf import settings

from . import masking
from .crypto import PersonalDataCipher


@cache
def cipher() -> PersonalDataCipher:
    return PersonalDataCipher(settings.PERSONAL_DATA_KEY)


MASKERS = {
    "resident_id": masking.mask_resident_id,
    "credit_code": masking.mask_credit_code,
    "mobile": masking.mask_mobile,
    "address": masking.mask_address,
}


def protect(kind: str, value: str) -> tuple[str, str, str]:
    """(ciphertext, lookup hash, masked) for a normalized value; three blanks for none."""
    if not value:
        return "", "", ""
    return cipher().encrypt(value), cipher().lookup_hash(kind, value), MASKERS[kind](value)


def lookup(kind: str, value: str) -> str:
    return cipher().lookup_hash(kind, value)


def reveal(token: str) -> str:
    return cipher().decrypt(token) if token else ""
