"""Outbound webhooks: written once in the cause's transaction, delivered through a receiver
that is down at first, exactly once per event id on its side; dead letters replayed."""

from __future__ import annotations

import json
import threading
from collections import Counter
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bangban.cases.tests.helpers import accept, open_case
from bangban.partners import delivery, signing
from bangban.partners.models import Delivery, DeliveryAttempt, DeliveryState, Partner
from bangban.partners.outbox import enqueue_delivery
from bangban.testing import travel_to

pytestmark = pytest.mark.django_db
DAY = date(2025, 3, 4)


class Receiver:
    """A partner's endpoint on a real local port: down for the first ``fail`` requests,
    checks every signature, and processes each delivery id once (its own dedupe)."""

    def __init__(self, secret: str, fail: int = 0):
        self.secret, self.fail = secret, fail
        self.requests = 0
        self.processed: list = []
        self.seen_ids: set[str] = set()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests += 1
                if receiver.requests <= receiver.fail:
                    self._answer(503, "服务暂不可用")
                    return
                signing.verify(
                    secret=receiver.secret,
                    timestamp=self.headers[signing.TIMESTAMP_HEADER],
                    signed=self.headers[signing.SIGNATURE_HEADER],
                    body=body,
                )
                delivery_id = self.headers[signing.DELIVERY_HEADER]
                if delivery_id not in receiver.seen_ids:
                    receiver.seen_ids.add(delivery_id)
                    receiver.processed.append(json.loads(body))
                self._answer(200, "ok")

            def _answer(self, status, text):
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/bangban"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def make_partner(world, url: str, **fields) -> tuple[Partner, str]:
    partner = Partner(
        name="省政务服务网",
        code="zwfw",
        scopes=fields.pop("scopes", ["events"]),
        events=fields.pop("events", ["created", "accepted"]),
        endpoint_url=url,
        **fields,
    )
    secret = partner.rotate_secret()
    partner.save()
    partner.sites.add(world.county)
    return partner, secret


def test_the_key_is_kept_encrypted_at_rest(world):
    partner, secret = make_partner(world, "http://127.0.0.1:9/x")
    stored = Partner.objects.get(pk=partner.pk)
    assert secret not in stored.secret_cipher
    assert stored.secret == secret


def test_enqueue_twice_with_one_key_writes_one_delivery(world):
    partner, _ = make_partner(world, "http://127.0.0.1:9/x")
    first = enqueue_delivery(
        partner, topic="haochaping.evaluation", dedupe_key="k:1", payload={"a": 1}
    )
    second = enqueue_delivery(
        partner, topic="haochaping.evaluation", dedupe_key="k:1", payload={"a": 2}
    )
    assert first is not None and first.pk and first.state == DeliveryState.QUEUED
    assert second is None
    assert list(Delivery.objects.values_list("payload", flat=True)) == [{"a": 1}]


def test_case_events_reach_subscribed_partners_as_deliveries_in_the_same_transaction(world):
    partner, _ = make_partner(world, "http://127.0.0.1:9/x", events=["created", "accepted"])
    make_partner_elsewhere = Partner(
        name="他县系统",
        code="other",
        scopes=["events"],
        events=["created"],
        endpoint_url="http://x",
    )
    make_partner_elsewhere.save()
    make_partner_elsewhere.sites.add(world.town2)  # the case is at village A, not under town 2
    case = open_case(world)
    accept(case, world.agent_a)
    rows = list(Delivery.objects.order_by("id"))
    assert [(r.partner.code, r.topic) for r in rows] == [
        ("zwfw", "case.created"),
        ("zwfw", "case.accepted"),
    ]
    created = rows[0].payload
    assert created["case"] == case.number
    assert created["event"] == "created" and created["site_code"] == "V1"
    assert rows[0].dedupe_key == f"case-event:{created['event_id']}"
    assert "client" not in created  # no personal data without the client scope
    assert "张三" not in json.dumps([r.payload for r in rows], ensure_ascii=False)


def test_the_client_scope_adds_only_masked_personal_data(world):
    make_partner(world, "http://127.0.0.1:9/x", scopes=["events", "client"], events=["created"])
    case = open_case(world)
    payload = Delivery.objects.get().payload
    assert payload["client"] == {"name": "张*", "id_number": case.client.id_number_masked}
    assert "*" in payload["client"]["id_number"]


def test_outbound_delivery_survives_the_receiver_being_down(world):
    """Retries with back-off, then each event id exactly once on the receiver's side."""
    with Receiver(secret="", fail=2) as receiver:
        _, secret = make_partner(world, receiver.url)
        receiver.secret = secret
        with travel_to(DAY, 10):
            case = open_case(world)
            accept(case, world.agent_a)
            first = delivery.deliver_due()
            assert (first.retrying, first.delivered) == (2, 0)  # down: both refused
            assert delivery.deliver_due().delivered == 0  # not due again before the back-off
        with travel_to(DAY, 11):  # past the back-off: the receiver is up again
            assert delivery.deliver_due().delivered == 2
        with travel_to(DAY, 12):
            assert delivery.deliver_due().delivered == 0  # nothing is sent twice

    event_ids = [p["event_id"] for p in receiver.processed]
    sent = Delivery.objects.order_by("id")
    assert Counter(event_ids) == {d.payload["event_id"]: 1 for d in sent}
    assert [p["event"] for p in receiver.processed] == ["created", "accepted"]
    assert {d.state for d in sent} == {DeliveryState.DELIVERED}
    # the receipt log: every attempt with its answer
    log = list(
        DeliveryAttempt.objects.order_by("delivery_id", "at").values_list("status_code", flat=True)
    )
    assert log == [503, 200, 503, 200]
    assert DeliveryAttempt.objects.filter(status_code=503).first().body_excerpt == "服务暂不可用"


def test_a_dead_letter_can_be_replayed(world, settings):
    settings.PARTNERS_MAX_ATTEMPTS = 2
    with Receiver(secret="", fail=99) as receiver:
        partner, secret = make_partner(world, receiver.url)
        receiver.secret = secret
        with travel_to(DAY, 10):
            enqueue_delivery(
                partner, topic="case.created", dedupe_key="case-event:1", payload={"event_id": 1}
            )
            delivery.deliver_due()
        with travel_to(DAY, 11):
            assert delivery.deliver_due().failed == 1
        dead = Delivery.objects.get()
        assert dead.state == DeliveryState.FAILED
        assert "已停止重试" in dead.last_error
        with travel_to(DAY, 12):
            assert delivery.deliver_due().delivered == 0  # a dead letter is not retried by itself
            receiver.fail = 0
            assert delivery.replay(Delivery.objects.filter(state=DeliveryState.FAILED)) == 1
            assert delivery.deliver_due().delivered == 1
    assert [p["event_id"] for p in receiver.processed] == [1]
    assert Delivery.objects.get().state == DeliveryState.DELIVERED


def test_a_claimed_delivery_is_not_claimed_again_by_a_second_worker(world):
    partner, _ = make_partner(world, "http://127.0.0.1:9/x")
    enqueue_delivery(partner, topic="t", dedupe_key="k", payload={})
    assert len(delivery.claim()) == 1
    assert delivery.claim() == []


def test_a_partner_with_no_endpoint_fails_at_once_with_the_reason(world):
    partner, _ = make_partner(world, "")
    enqueue_delivery(partner, topic="t", dedupe_key="k", payload={})
    assert delivery.deliver_due().failed == 1
    assert "接收地址" in Delivery.objects.get().last_error
