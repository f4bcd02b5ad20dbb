"""Test helpers: a partner with a fresh key, and a request signed as it (tests only)."""

from __future__ import annotations

import json

from django.test import Client

from . import signing
from .models import Partner

PROGRESS_URL = "/api/partners/progress"


def make_partner(*, code: str, sites, scopes=("progress",), **fields) -> Partner:
    """A partner whose plaintext key is kept on the object as ``secret_plain``."""
    partner = Partner(
        name=fields.pop("name", f"对接系统{code}"), code=code, scopes=list(scopes), **fields
    )
    partner.secret_plain = partner.rotate_secret()  # type: ignore[attr-defined]
    partner.save()
    partner.sites.set(sites)
    return partner


def signed_post(partner: Partner, body: dict, *, path: str = PROGRESS_URL, client=None):
    """POST ``body`` to ``path`` signed as ``partner`` now; the response."""
    data = json.dumps(body, ensure_ascii=False).encode()
    headers = signing.sign(partner=partner.code, secret=partner.secret_plain, body=data)  # type: ignore[attr-defined]
    return (client or Client()).post(
        path, data=data, content_type="application/json", headers=headers
    )
