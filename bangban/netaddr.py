"""The caller's network address, for rate limits and one-time codes.

``REMOTE_ADDR`` is the address that opened the connection: behind nginx that is nginx
itself, so every caller would share one address and one set of limits. The deployment then
names, in ``settings.CLIENT_IP_HEADER`` (``BANGBAN_CLIENT_IP_HEADER``), the header its own
reverse proxy writes: ``X-Real-IP`` (nginx ``proxy_set_header X-Real-IP $remote_addr``) or
``X-Forwarded-For`` (``$proxy_add_x_forwarded_for``). A client can send either header
itself, so:

- with no header configured (the default) neither is ever read;
- of a list, only the right-most entry counts: that is the one the trusted proxy appended
  (with ``X-Forwarded-For``, what the client sent stands to its left);
- a value that is not an IP address is ignored and ``REMOTE_ADDR`` used instead.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def meta_key(header: str) -> str:
    """``X-Real-IP`` → ``HTTP_X_REAL_IP``; a name already in ``request.META`` form is kept."""
    header = header.strip()
    if header.upper().startswith("HTTP_"):
        return header.upper()
    return "HTTP_" + header.upper().replace("-", "_")


def client_ip(request) -> str:
    """The caller's address: ``REMOTE_ADDR``, or the trusted proxy's header when configured."""
    remote = request.META.get("REMOTE_ADDR", "")
    header = settings.CLIENT_IP_HEADER
    if not header:
        return remote
    value = request.META.get(meta_key(header), "")
    candidate = value.rsplit(",", 1)[-1].strip()
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
