"""The WebSockets of remote help (Django Channels; routed in ``routing.py``).

``SessionConsumer`` — one socket per party of a live session, ``ws/remote/sessions/<id>/``.
Only the two parties join (``services.may_join``: the asker and the expert who answered);
anyone else, or anyone at all once the session has ended, is closed with code 4403 (4410
once ended) before a word is said. What a page sends, as JSON ``{"kind": …}``:

- ``ready``: the page is here (the other page then starts the call, see session.js);
- ``signal``: WebRTC's offer, answer or ICE candidate (``description`` / ``candidate``),
  relayed to the other party as it is and never stored;
- ``pointer``: the expert pointing on a shared screen (``x``, ``y`` from 0 to 1 of the
  picture, ``down``), relayed, never stored;
- ``screen``: a screen share started or stopped (``on``, ``stream``: which incoming stream
  is the screen), relayed; ``media``: which of camera, microphone and screen this side
  uses (``audio``, ``video``, ``screen``), relayed and written on the record;
- ``chat``: a message (``text``), stored through ``services.session_message`` and sent to
  both, so each side shows what the record holds;
- ``end``: either side ends the session (``services.session_end``; ``outcome`` counts only
  from the expert); both pages are told and both sockets close.

Photos travel over HTTP (``session_views.session_photo_upload``), which stores them and
tells both pages through ``live.session_event``. Every message to a page carries ``from``
(``asker`` or ``expert``) and ``name``.

``QueueConsumer`` — ``ws/remote/queue/``: an active staff member's live queue page; it
joins the groups of ``live.queue_groups_for`` and passes on ``changed`` whenever
``live.queue_changed`` fires, and the page reloads its list (it polls as well).
"""

from __future__ import annotations

import json
import logging

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from bangban.cases.access import actor_for_user

from . import live, services
from .models import HelpSession, Outcome
from .parties import party_for
from .services import RemoteRefused

log = logging.getLogger(__name__)

REFUSED = 4403  # not a party of this session, or not signed in
ENDED = 4410  # the session is over
MAX_FRAME = 64 * 1024  # an SDP offer with every candidate is a few kilobytes
MAX_CHAT = 2000
RELAYED = {"ready", "signal", "pointer", "screen"}


def party_role(actor, session: HelpSession) -> str:
    """``expert`` for the staff member who answered, ``asker`` for the other party."""
    staff = getattr(actor, "staff", None)
    return "expert" if staff is not None and staff.pk == session.expert_id else "asker"


def party_name(actor) -> str:
    name = getattr(actor, "name", "")
    return name or f"群众（{getattr(actor, 'mobile_masked', '')}）"


def _clamp(value) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return min(max(number, 0.0), 1.0)


class SessionConsumer(AsyncWebsocketConsumer):
    session_id: int
    group: str
    role: str
    name: str

    async def connect(self):
        self.session_id = int(self.scope["url_route"]["kwargs"]["session_id"])
        self.group = live.session_group(self.session_id)
        found = await self._join()
        await self.accept()  # accepted first, so that the page learns why it is refused
        if isinstance(found, int):
            await self.close(code=found)
            return
        self.role, self.name = found
        await self.channel_layer.group_add(self.group, self.channel_name)

    @database_sync_to_async
    def _join(self) -> tuple[str, str] | int:
        actor = party_for(self.scope.get("user"), self.scope.get("session"))
        session = HelpSession.objects.select_related("request").filter(pk=self.session_id).first()
        if actor is None or session is None or not services.may_join(actor, session):
            return REFUSED
        if session.ended_at is not None:
            return ENDED
        self.actor = actor
        return party_role(actor, session), party_name(actor)

    async def disconnect(self, code):
        if hasattr(self, "role"):
            await self.channel_layer.group_discard(self.group, self.channel_name)
            await self._to_group({"kind": "left"}, others_only=True)

    async def receive(self, text_data=None, bytes_data=None):
        if not hasattr(self, "role"):
            return
        if text_data is None or len(text_data) > MAX_FRAME:
            await self._error("消息过大或格式不对")
            return
        try:
            message = json.loads(text_data)
            kind = message["kind"]
        except (ValueError, TypeError, KeyError):
            await self._error("消息格式不对")
            return
        if kind in RELAYED:
            await self._to_group(self._relayed(kind, message), others_only=True)
        elif kind == "media":
            used = {k: bool(message.get(k)) for k in ("audio", "video", "screen")}
            await self._media_used(used)
            await self._to_group({"kind": "media", **used}, others_only=True)
        elif kind == "chat":
            text = str(message.get("text", "")).strip()
            if not text:
                return
            if len(text) > MAX_CHAT:
                await self._error(f"一条消息最多 {MAX_CHAT} 字")
                return
            try:
                stored = await self._chat(text)
            except RemoteRefused as refused:
                await self._error(refused.message)
                if refused.code == "ended":
                    await self.close(code=ENDED)
                return
            await self._to_group(stored, others_only=False)
        elif kind == "end":
            outcome = str(message.get("outcome") or Outcome.ANSWERED)
            if self.role != "expert" or outcome not in Outcome.values:
                outcome = Outcome.ANSWERED
            try:
                await self._end(outcome)
            except RemoteRefused as refused:
                await self._error(refused.message)
                return
            await self._to_group({"kind": "ended", "outcome": outcome}, others_only=False)
        else:
            await self._error("不认识的消息")

    def _relayed(self, kind: str, message: dict) -> dict:
        """Only the fields each kind has: nothing else a page sent goes to the other."""
        if kind == "signal":
            return {
                "kind": "signal",
                "description": message.get("description"),
                "candidate": message.get("candidate"),
            }
        if kind == "pointer":
            return {
                "kind": "pointer",
                "x": _clamp(message.get("x")),
                "y": _clamp(message.get("y")),
                "down": bool(message.get("down")),
            }
        if kind == "screen":
            return {
                "kind": "screen",
                "on": bool(message.get("on")),
                "stream": message.get("stream"),
            }
        return {"kind": kind}

    @database_sync_to_async
    def _chat(self, text: str) -> dict:
        session = HelpSession.objects.select_related("request").get(pk=self.session_id)
        stored = services.session_message(session, sender_actor=self.actor, text=text)
        return {"kind": "chat", "id": stored.pk, "text": stored.text, "at": stored.at.isoformat()}

    @database_sync_to_async
    def _media_used(self, used: dict) -> None:
        services.session_media(HelpSession(pk=self.session_id), **used)

    @database_sync_to_async
    def _end(self, outcome: str) -> None:
        session = HelpSession.objects.select_related("request").get(pk=self.session_id)
        if session.ended_at is None:
            services.session_end(session, by_actor=self.actor, outcome=outcome)

    async def _to_group(self, payload: dict, *, others_only: bool) -> None:
        await self.channel_layer.group_send(
            self.group,
            {
                "type": "session.relay",
                "sender": self.channel_name if others_only else "",
                "payload": {**payload, "from": self.role, "name": self.name},
            },
        )

    async def _error(self, text: str) -> None:
        await self.send(text_data=json.dumps({"kind": "error", "message": text}))

    # --- from the channel layer ---

    async def session_relay(self, event):
        if event["sender"] == self.channel_name:
            return
        await self.send(text_data=json.dumps(event["payload"], ensure_ascii=False))
        if event["payload"]["kind"] == "ended":
            await self.close(code=ENDED)

    async def session_event(self, event):
        """From a view or a service (``live.session_event``): a photo, the end."""
        await self.send(text_data=json.dumps(event["event"], ensure_ascii=False))
        if event["event"].get("kind") == "ended":
            await self.close(code=ENDED)


class QueueConsumer(AsyncWebsocketConsumer):
    groups_joined: list[str]

    async def connect(self):
        self.groups_joined = []
        found = await self._groups()
        await self.accept()
        if found is None:
            await self.close(code=REFUSED)
            return
        for group in found:
            await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined = found

    @database_sync_to_async
    def _groups(self) -> list[str] | None:
        actor = actor_for_user(self.scope["user"])
        if actor is None:
            return None
        return live.queue_groups_for(actor.staff)

    async def disconnect(self, code):
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        """The page only listens."""

    async def queue_changed(self, event):
        await self.send(text_data=json.dumps({"kind": "changed", "site": event["site"]}))
