"""A session photo's file, encrypted at rest with the personal-data key.

A photo of a material carries the client's personal data (an ID card, a certificate), so
its bytes are kept as the vault keeps a material's file (``bangban.vault.files``): encrypted
with the client record's cipher (``clients.pii``: SM4-GCM or AES-GCM under
``PERSONAL_DATA_KEY``), bound to the context ``remote-photo`` so that a token copied into
another field does not decrypt there. What lies on the disk is the text token, its name
ending in ``.enc``; ``read`` gives the plain bytes back (under the current key or,
mid-rotation, the old one). A photo stored before encryption (no ``.enc``) is read as it is.
The sealing itself is ``bangban.clients.sealedfiles``.
"""

from __future__ import annotations

import io

from django.core.files.base import ContentFile
from django.http import Http404

from bangban.clients import sealedfiles
from bangban.downloads import private_file

CONTEXT = "remote-photo"
SUFFIX = sealedfiles.SUFFIX


def sealed(data: bytes) -> ContentFile:
    """The encrypted file to store for the plain bytes ``data``."""
    return sealedfiles.sealed(data, CONTEXT)


def read(field_file) -> bytes:
    """The plain bytes of a photo's stored file (``SessionPhoto.file``)."""
    return sealedfiles.read(field_file, CONTEXT)


def served(photo):
    """The photo as a download for someone already allowed to have it (404 if gone)."""
    try:
        data = read(photo.file)
    except FileNotFoundError:
        raise Http404("文件不存在") from None
    return private_file(io.BytesIO(data), filename=photo.name)
