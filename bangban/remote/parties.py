"""Who is at the other end of a page or a socket of remote help: one place for both.

A staff member signed in (``cases.access.actor_for_user``), else a citizen who proved a
mobile on the portal: the portal keeps that proof in the visit's session under
``PORTAL_IDENTITY_KEY`` (``bangban.portal.identity.SESSION_KEY``; a test keeps the two
equal, since this area may not import the portal), read here as a ``services.Caller``.
"""

from __future__ import annotations

from dataclasses import dataclass

from bangban.cases.access import Actor, actor_for_user
from bangban.clients import pii

PORTAL_IDENTITY_KEY = "portal_identity"


@dataclass(frozen=True)
class PortalCaller:
    mobile_hash: str
    mobile_masked: str
    mobile_cipher: str

    @property
    def mobile_hashes(self) -> list[str]:
        """Every hash the proven mobile may be stored under (as the portal's identity)."""
        return [self.mobile_hash, *pii.lookups("mobile", pii.reveal(self.mobile_cipher))]


def party_for(user, session) -> Actor | PortalCaller | None:
    """The staff member (as an ``Actor``) or the portal's citizen of a request or socket
    (``user`` and ``session`` as Django and Channels' AuthMiddlewareStack give them)."""
    if user is not None:
        actor = actor_for_user(user)
        if actor is not None:
            return actor
    data = session.get(PORTAL_IDENTITY_KEY) if session is not None else None
    if not isinstance(data, dict) or not data.get("mobile_hash"):
        return None
    try:
        return PortalCaller(data["mobile_hash"], data["mobile_masked"], data["mobile_cipher"])
    except KeyError:
        return None
