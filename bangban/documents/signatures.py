"""A signature image drawn on screen, encrypted at rest with the personal-data key.

``confirmations.confirm_with_signature`` stores the PNG sealed (``clients.sealedfiles``,
context ``signature``), its name ending in ``.png.enc``; the archive reads it back with
``signature_bytes`` and a form embeds it as an inline ``data:`` image (``signature_uri``),
so the plain image is never written to the disk. A signature stored before encryption (no
``.enc``) is read as it is.
"""

from __future__ import annotations

import base64

from django.core.files.base import ContentFile

from bangban.clients import sealedfiles

CONTEXT = "signature"


def stored_name(name: str) -> str:
    """``signatures/2026/….png`` → ``signatures/2026/….png.enc``."""
    return sealedfiles.sealed_name(name)


def sealed(png: bytes) -> ContentFile:
    return sealedfiles.sealed(png, CONTEXT)


def signature_bytes(field_file_or_name) -> bytes:
    """The plain PNG of a stored signature (``FileNotFoundError`` if gone)."""
    return sealedfiles.read(field_file_or_name, CONTEXT)


def signature_uri(name: str) -> str:
    """The signature as an inline ``data:`` image for a form; "" if none or gone."""
    if not name:
        return ""
    try:
        png = signature_bytes(name)
    except FileNotFoundError:
        return ""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
