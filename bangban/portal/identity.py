"""Who is using the portal: the one seam between the portal and how people prove who they are.

On this demo platform a person proves a mobile number with a one-time SMS code
(``otp.py``). In production a 统一身份认证 (the province's unified identity service) login
replaces it: its callback view builds a ``PortalIdentity`` from the verified assertion
(name, ID number and mobile) and calls ``sign_in``; nothing else in the portal changes,
because every page asks only ``current_identity(request)`` and ``clients_of(identity)``.

The session keeps the mobile encrypted, its lookup hash and its mask — never the number
in clear — and expires after ``SESSION_SECONDS``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import wraps

from django.db.models import QuerySet
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from bangban.clients import pii
from bangban.clients.models import Client

SESSION_KEY = "portal_identity"
SESSION_SECONDS = 2 * 3600


@dataclass(frozen=True)
class PortalIdentity:
    method: str  # "sms" (demo: mobile + one-time code) or "unified" (统一身份认证)
    mobile_hash: str
    mobile_masked: str
    mobile_cipher: str
    id_number_hash: str = ""  # given by a unified login; empty for an SMS sign-in

    @classmethod
    def of_mobile(cls, mobile: str, method: str = "sms") -> PortalIdentity:
        cipher, lookup, masked = pii.protect("mobile", mobile)
        return cls(method, lookup, masked, cipher)

    @property
    def mobile(self) -> str:
        """The number in clear, for registering a client or booking; never shown whole."""
        return pii.reveal(self.mobile_cipher)

    @property
    def mobile_hashes(self) -> list[str]:
        """Every hash the proven mobile may be stored under (``pii.lookups``): finds clients
        written under the other suite or the old key until ``pii_rekey`` has run."""
        return [self.mobile_hash, *pii.lookups("mobile", self.mobile)]


def sign_in(request, identity: PortalIdentity) -> None:
    request.session.cycle_key()  # a new session id: no fixation from before the sign-in
    request.session[SESSION_KEY] = asdict(identity)
    request.session.set_expiry(SESSION_SECONDS)


def sign_out(request) -> None:
    """Forget everything of this visit: on a shared phone or a kiosk the next person starts clean."""
    request.session.flush()


def current_identity(request) -> PortalIdentity | None:
    data = request.session.get(SESSION_KEY)
    if not data:
        return None
    try:
        return PortalIdentity(**data)
    except TypeError:  # a session written by an older version
        return None


def clients_of(identity: PortalIdentity) -> QuerySet[Client]:
    """The clients this person may act as: those registered with the proven mobile.

    With a unified login the ID number is proven too, and it decides.
    """
    if identity.id_number_hash:
        return Client.objects.filter(id_number_hash=identity.id_number_hash)
    return Client.objects.filter(mobile_hash__in=identity.mobile_hashes)


def identity_required(view):
    """Send a person who has not signed in to the sign-in page, then back here."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        identity = current_identity(request)
        if identity is None:
            return redirect(
                reverse("portal:login") + "?" + urlencode({"next": request.get_full_path()})
            )
        request.identity = identity
        return view(request, *args, **kwargs)

    return wrapped
