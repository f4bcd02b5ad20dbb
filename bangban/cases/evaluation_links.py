"""The personal evaluation link: a signed token naming one case, sent in the invitation SMS.

The client taps the link and rates; nothing to type (no case number, no phone). The token
is ``django.core.signing``'s timestamped signature of the case's id under its own salt
(an HMAC over ``SECRET_KEY``, compared in constant time by ``Signer.unsign``), so it

- names one case only, and cannot be altered to name another;
- expires ``LINK_DAYS`` days after it was written;
- lets its bearer do one thing: rate that case once (the portal's evaluate page; the case
  page itself still asks for the number and phone).

Written by the notifications area (``client.evaluation_invite``), read by the portal
(``portal:evaluate-link``); both import it from here, the core, so neither imports the other.
"""

from __future__ import annotations

from datetime import timedelta

from django.core import signing

SALT = "bangban.cases.evaluation-link"
LINK_DAYS = 30


def token_for(case) -> str:
    """The token of ``case``'s personal evaluation link."""
    return signing.TimestampSigner(salt=SALT).sign(str(case.pk))


def case_id_of(token: str) -> int | None:
    """The case id the token names, or None if it is forged, altered or expired."""
    try:
        value = signing.TimestampSigner(salt=SALT).unsign(token, max_age=timedelta(days=LINK_DAYS))
    except signing.BadSignature:  # includes SignatureExpired
        return None
    return int(value) if value.isdigit() else None
