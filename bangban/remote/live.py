"""Pushes to the open pages of remote help, through the channel layer (Django Channels).

- ``queue_changed(site_id)``: the live queue of ``site_id`` changed (a request rings there,
  was answered, escalated, cancelled or became a call-back). The services call it for the
  site a request rings (``ring_site``), and for the asker's own site when it rings the
  coordinators covering it. Sent after the transaction commits, so a page that reloads on
  it reads the change; a rolled-back change sends nothing.
- ``session_event(session_id, event)``: something for both parties of a live session (a
  photo arrived, the session ended), from a view or a service rather than the socket.

Who listens: ``consumers.QueueConsumer`` (on-duty staff, ``queue_groups_for``) and
``consumers.SessionConsumer``. The queue page polls as well (htmx, every few seconds): in
embedded mode the channel layer is the web process's memory, so what the job worker
changes (an escalation) reaches the page by the poll; with Redis (scale profile) it is
pushed from any process. A push that cannot be delivered (Redis down) is logged and
dropped: nothing depends on it but the page's freshness.
"""

from __future__ import annotations

import asyncio
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from bangban.network.models import Site

log = logging.getLogger(__name__)

QUEUE_GROUP = "remote.queue.{}"
SESSION_GROUP = "remote.session.{}"


def queue_group(site_id: int) -> str:
    return QUEUE_GROUP.format(int(site_id))


def session_group(session_id: int) -> str:
    return SESSION_GROUP.format(int(session_id))


def queue_groups_for(staff) -> list[str]:
    """The queues a staff member's queue page listens to: its own site's, and those of every
    site it covers as a coordinator (escalated requests ring the coordinators covering the
    asker's site)."""
    ids = {staff.site_id}
    paths = staff.covered_paths()
    if paths:
        ids.update(Site.objects.under(paths).values_list("pk", flat=True))
    return [queue_group(pk) for pk in sorted(ids)]


def _send(group: str, message: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass  # the usual case: a sync view or job, no event loop in this thread
    else:  # sync code run inside an event loop's thread (a browser test's): cannot wait here
        log.debug("remote: not pushed to %s from inside an event loop", group)
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:  # a push is a courtesy: the page polls too
        log.warning("remote: could not push to %s", group, exc_info=True)


def queue_changed(site_id: int) -> None:
    """Tell the live queue of ``site_id`` to refresh, once the current transaction commits."""
    group = queue_group(site_id)
    transaction.on_commit(lambda: _send(group, {"type": "queue.changed", "site": int(site_id)}))


def session_event(session_id: int, event: dict) -> None:
    """Send ``event`` (JSON-able, with its ``kind``) to both parties of a session, after
    commit. The consumers pass it to their pages as it is."""
    group = session_group(session_id)
    transaction.on_commit(lambda: _send(group, {"type": "session.event", "event": event}))
