"""The session's and the queue's WebSockets (consumers.py), through the whole ASGI
application (bangban/asgi.py: origin check, session cookie, routing) as a browser meets it.

- Only the two parties join; anyone else, signed in or not, is closed with 4403.
- WebRTC's offer, answer and ICE and the pointer go to the other party only, never stored.
- A chat message is stored on the record and reaches both; ending reaches both, closes both
  sockets and records the duration.
- The queue socket of an on-duty agent hears every change of its site's queue.
- With the Redis channel layer (scale profile, several ASGI processes), a message sent
  by another process's layer reaches the socket (``test_redis_…``, real Redis).
"""

from __future__ import annotations

import json
from contextlib import asynccontextmanager
from urllib.parse import urlsplit, urlunsplit

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client, override_settings

from bangban.asgi import application
from bangban.remote import live, services
from bangban.remote.models import HelpSession, SessionMessage
from bangban.remote.parties import PORTAL_IDENTITY_KEY

from .conftest import staff

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://testserver")


def cookie_of(user=None, portal: dict | None = None) -> bytes:
    """The session cookie of a signed-in staff member, or of a portal visitor."""
    if user is not None:
        client = Client()
        client.force_login(user)
        return f"sessionid={client.cookies['sessionid'].value}".encode()
    store = SessionStore()
    if portal is not None:
        store[PORTAL_IDENTITY_KEY] = portal
    store.create()
    return f"sessionid={store.session_key}".encode()


@asynccontextmanager
async def socket(path: str, cookie: bytes = b"", origin=ORIGIN):
    headers = [origin, (b"cookie", cookie)] if cookie else [origin]
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    try:
        yield communicator
    finally:
        await communicator.disconnect()


async def receive(communicator, timeout: float = 3) -> dict:
    return json.loads(await communicator.receive_from(timeout=timeout))


async def closed_with(communicator) -> int:
    message = await communicator.receive_output(timeout=3)
    assert message["type"] == "websocket.close", message
    return message.get("code")


@pytest.fixture
def live_session(rota):
    """The village agent asked; the town agent (on duty above it) answered."""
    world = rota
    asked = services.help_ask(staff(world.agent_a), question="营业执照经营范围怎么填？")
    session = services.help_answer(world.town_agent, asked)
    path = f"/ws/remote/sessions/{session.pk}/"
    return world, session, path


def test_only_the_two_parties_join_and_anyone_else_is_closed_with_4403(live_session):
    world, session, path = live_session
    outsiders = [cookie_of(world.agent_b.user), cookie_of(world.county_agent.user), cookie_of()]

    async def scenario():
        for cookie in outsiders:
            async with socket(path, cookie) as outsider:
                assert await closed_with(outsider) == 4403
        async with socket(path, cookie_of(world.agent_a.user)) as asker:
            await asker.send_json_to({"kind": "ready"})
            assert await asker.receive_nothing(timeout=0.2)

    async_to_sync(scenario)()


def test_a_socket_from_another_site_s_page_is_refused(live_session):
    world, session, path = live_session

    async def scenario():
        communicator = WebsocketCommunicator(
            application,
            path,
            headers=[
                (b"origin", b"http://evil.example"),
                (b"cookie", cookie_of(world.agent_a.user)),
            ],
        )
        connected, _ = await communicator.connect()
        assert not connected

    async_to_sync(scenario)()


def test_signals_reach_the_other_party_only_and_chat_is_stored_and_reaches_both(live_session):
    world, session, path = live_session
    offer = {"type": "offer", "sdp": "v=0 …"}

    async def scenario():
        async with (
            socket(path, cookie_of(world.agent_a.user)) as asker,
            socket(path, cookie_of(world.town_agent.user)) as expert,
        ):
            await expert.send_json_to({"kind": "ready"})
            assert (await receive(asker))["kind"] == "ready"
            await asker.send_json_to({"kind": "signal", "description": offer, "extra": "x"})
            relayed = await receive(expert)
            assert relayed == {
                "kind": "signal",
                "description": offer,
                "candidate": None,
                "from": "asker",
                "name": world.agent_a.name,
            }
            assert await asker.receive_nothing(timeout=0.2)  # not echoed to the sender
            await expert.send_json_to({"kind": "pointer", "x": 0.25, "y": 7, "down": True})
            pointed = await receive(asker)
            assert (pointed["x"], pointed["y"], pointed["from"]) == (0.25, 1.0, "expert")

            await asker.send_json_to({"kind": "chat", "text": "  经营范围写餐饮服务吗？ "})
            for side in (asker, expert):
                chat = await receive(side)
                assert (chat["kind"], chat["text"], chat["from"]) == (
                    "chat",
                    "经营范围写餐饮服务吗？",
                    "asker",
                )

    async_to_sync(scenario)()
    assert list(SessionMessage.objects.values_list("text", "sender_name")) == [
        ("经营范围写餐饮服务吗？", world.agent_a.name)
    ]


def test_either_side_ends_it_both_are_told_and_the_record_has_the_duration(live_session):
    world, session, path = live_session

    async def scenario():
        async with (
            socket(path, cookie_of(world.agent_a.user)) as asker,
            socket(path, cookie_of(world.town_agent.user)) as expert,
        ):
            await asker.send_json_to({"kind": "media", "audio": True, "video": False})
            assert (await receive(expert))["kind"] == "media"
            await expert.send_json_to({"kind": "end", "outcome": "became_case"})
            for side in (asker, expert):
                assert (await receive(side))["kind"] == "ended"
                assert await closed_with(side) == 4410
        # once ended, nobody joins again
        async with socket(path, cookie_of(world.agent_a.user)) as again:
            assert await closed_with(again) == 4410

    async_to_sync(scenario)()
    session = HelpSession.objects.get(pk=session.pk)
    assert session.ended_at is not None and session.duration_seconds is not None
    assert session.outcome == "became_case" and session.used_audio and not session.used_video
    assert session.request.wait_seconds is not None


def test_a_citizen_signed_in_on_the_portal_joins_their_own_session(rota, citizen):
    world = rota
    asked = services.help_ask(citizen, question="退休证明怎么开？", site=world.village_a)
    session = services.help_answer(world.county_agent, asked)
    path = f"/ws/remote/sessions/{session.pk}/"
    mine = {k: getattr(citizen, k) for k in ("mobile_hash", "mobile_masked", "mobile_cipher")}
    other = services_caller("13900001111")

    async def scenario():
        async with socket(path, cookie_of(portal=other)) as stranger:
            assert await closed_with(stranger) == 4403
        async with (
            socket(path, cookie_of(portal=mine)) as asker,
            socket(path, cookie_of(world.county_agent.user)) as expert,
        ):
            await asker.send_json_to({"kind": "chat", "text": "您好"})
            assert (await receive(expert))["name"].startswith("群众")

    async_to_sync(scenario)()


def services_caller(mobile: str) -> dict:
    from bangban.clients.pii import protect

    cipher, lookup, masked = protect("mobile", mobile)
    return {"mobile_hash": lookup, "mobile_masked": masked, "mobile_cipher": cipher}


def test_the_queue_socket_hears_its_site_s_changes_and_refuses_visitors(rota):
    world = rota

    async def scenario():
        async with socket("/ws/remote/queue/", cookie_of()) as visitor:
            assert await closed_with(visitor) == 4403
        async with socket("/ws/remote/queue/", cookie_of(world.town_agent.user)) as town:
            await get_channel_layer().group_send(
                live.queue_group(world.town.pk), {"type": "queue.changed", "site": world.town.pk}
            )
            assert await receive(town) == {"kind": "changed", "site": world.town.pk}
            await get_channel_layer().group_send(
                live.queue_group(world.town2.pk), {"type": "queue.changed", "site": world.town2.pk}
            )
            assert await town.receive_nothing(timeout=0.2)

    async_to_sync(scenario)()


def redis_db(url: str, db: int = 9) -> str:
    """Database 9 of the test Redis: 0–3 are the operators' and the scale bench's."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{db}"))


def test_redis_channel_layer_carries_signals_and_pushes_between_processes(redis_url, rota):
    """The scale profile: CHANNEL_LAYERS on a real Redis (scripts/redis-start; CI exports
    BANGBAN_TEST_REDIS_URL). The two parties' sockets talk through it, and a queue push
    sent by another process's layer (a separate RedisChannelLayer) reaches the page."""
    from channels_redis.core import RedisChannelLayer

    world = rota
    url = redis_db(redis_url)
    layers = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [url], "prefix": "bangban-test"},
        }
    }
    asked = services.help_ask(staff(world.agent_a), question="Redis 上的远程帮办")
    session = services.help_answer(world.town_agent, asked)
    path = f"/ws/remote/sessions/{session.pk}/"

    async def scenario():
        assert isinstance(get_channel_layer(), RedisChannelLayer)
        async with (
            socket(path, cookie_of(world.agent_a.user)) as asker,
            socket(path, cookie_of(world.town_agent.user)) as expert,
            socket("/ws/remote/queue/", cookie_of(world.town_agent.user)) as queue,
        ):
            await asker.send_json_to({"kind": "signal", "candidate": {"candidate": "c1"}})
            assert (await receive(expert))["candidate"] == {"candidate": "c1"}
            other_process = RedisChannelLayer(hosts=[url], prefix="bangban-test")
            await other_process.group_send(
                live.queue_group(world.town.pk), {"type": "queue.changed", "site": world.town.pk}
            )
            assert (await receive(queue))["kind"] == "changed"
            await other_process.flush()

    with override_settings(CHANNEL_LAYERS=layers):
        async_to_sync(scenario)()


def test_a_photo_is_posted_by_a_party_only_and_both_pages_hear_of_it(live_session, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .test_session_browser import PNG

    world, session, path = live_session
    url = f"/remote/sessions/{session.pk}/photos/"
    outsider = Client()
    outsider.force_login(world.agent_b.user)
    upload = SimpleUploadedFile("申请书.png", PNG, content_type="image/png")
    assert outsider.post(url, {"photo": upload}).status_code == 404
    asker = Client()
    asker.force_login(world.agent_a.user)

    async def scenario():
        async with socket(path, cookie_of(world.town_agent.user)) as expert:
            from asgiref.sync import sync_to_async

            upload = SimpleUploadedFile("申请书.png", PNG, content_type="image/png")
            answer = await sync_to_async(asker.post)(url, {"photo": upload})
            assert answer.status_code == 201, answer.content
            notice = await receive(expert)
            assert (notice["kind"], notice["name"], notice["from"]) == (
                "photo",
                "申请书.png",
                "asker",
            )
            seen = Client()
            await sync_to_async(seen.force_login)(world.town_agent.user)
            shown = await sync_to_async(seen.get)(notice["url"])
            assert shown.status_code == 200 and b"".join(shown.streaming_content) == PNG
            stranger = await sync_to_async(outsider.get)(notice["url"])
            assert stranger.status_code == 404

    async_to_sync(scenario)()
