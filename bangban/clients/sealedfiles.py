"""Personal files encrypted at rest with the personal-data key: the one home of the pattern.

A file carrying a client's personal data (a kept material in the vault, a remote-help photo,
a case material's electronic file, a signature image) is stored as the client record's
personal fields are (``clients.pii``: SM4-GCM or AES-GCM under ``PERSONAL_DATA_KEY``): its
bytes base64'd and encrypted under a context string naming the kind of file, so a token
copied into another field does not decrypt there. What lies on the disk is the ASCII token,
in a file whose name ends in ``.enc``; ``read`` gives the plain bytes back under the current
key or, mid-rotation, the old one. A file stored before encryption (no ``.enc``) is read as
it is.
"""

from __future__ import annotations

import base64

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from . import pii
from .crypto import DecryptionError

SUFFIX = ".enc"


def sealed(data: bytes, context: str) -> ContentFile:
    """The encrypted file to store for the plain bytes ``data`` (name it with ``SUFFIX``)."""
    token = pii.cipher().encrypt(base64.b64encode(data).decode("ascii"), context=context)
    return ContentFile(token.encode("ascii"))


def unseal(raw: bytes, context: str) -> bytes:
    """The plain bytes of a stored token (under the current key or, mid-rotation, the old)."""
    token = raw.decode("ascii")
    try:
        text = pii.cipher().decrypt(token, context=context)
    except DecryptionError:
        old = pii.old_cipher()
        if old is None:
            raise
        text = old.decrypt(token, context=context)
    return base64.b64decode(text)


def read(field_file_or_name, context: str) -> bytes:
    """The plain bytes of a stored file: a ``FieldFile`` or a name in the default storage.

    Raises ``FileNotFoundError`` when the file is gone.
    """
    if isinstance(field_file_or_name, str):
        name = field_file_or_name
        with default_storage.open(name, "rb") as stored:
            raw = stored.read()
    else:
        name = field_file_or_name.name
        with field_file_or_name.open("rb") as stored:
            raw = stored.read()
    if not name.endswith(SUFFIX):
        return raw
    return unseal(raw, context)


def sealed_name(name: str) -> str:
    """``materials/…/scan.pdf`` → ``materials/…/scan.pdf.enc``: the name to store under."""
    return name if name.endswith(SUFFIX) else name + SUFFIX


def plain_name(name: str) -> str:
    """``materials/7/scan.pdf.enc`` → ``scan.pdf``: the name a download is offered under."""
    return name.rsplit("/", 1)[-1].removesuffix(SUFFIX)
