"""A kept material's file, encrypted at rest with the personal-data key.

The bytes are encrypted with the same cipher and key as the client record's personal fields
(``clients.pii``: SM4-GCM or AES-GCM under ``PERSONAL_DATA_KEY``), bound to the context
``vault-file`` so a token copied into another field does not decrypt there. What lies on the
disk is the text token; nothing under ``MEDIA_ROOT`` is served directly (``bangban.downloads``).
The sealing itself is ``bangban.clients.sealedfiles``.
"""

from __future__ import annotations

import secrets

from django.core.files.storage import default_storage

from bangban.clients import sealedfiles

CONTEXT = "vault-file"
FOLDER = "vault"


def store(*, client_id: int, data: bytes, extension: str) -> str:
    """Encrypt ``data`` and store it under a name of our making; return the name."""
    name = f"{FOLDER}/{client_id}/{secrets.token_hex(12)}.{extension}{sealedfiles.SUFFIX}"
    return default_storage.save(name, sealedfiles.sealed(data, CONTEXT))


def read(name: str) -> bytes:
    """The plaintext bytes of a stored file (under the current key or, mid-rotation, the old)."""
    return sealedfiles.read(name, CONTEXT)


def delete(name: str) -> None:
    if name:
        default_storage.delete(name)


def plain_name(name: str) -> str:
    """``vault/7/ab12….pdf.enc`` → ``ab12….pdf``: the name a download is offered under."""
    return sealedfiles.plain_name(name)
