"""The worker is killed (SIGKILL) mid-delivery; after a restart the message is sent once.

A real worker process (``manage.py deliver_messages``) sends through a real HTTP gateway
(``gateway.FakeGateway``, which honours the idempotency key) and is killed at two moments:

- after it claimed the message and was sending, before the gateway took it: nothing
  reached the phone, the row is stuck ``sending``; the restarted worker takes it back after
  the claim timeout and sends it — one SMS;
- after the gateway took it, before the worker recorded it: the SMS reached the phone,
  the row is stuck ``sending``; the restarted worker sends again with the same key, the
  gateway recognises it and answers the first id — still one SMS, recorded ``sent`` once.

The worker process shares the test database: PostgreSQL's test database directly; for
SQLite (an in-memory test database) a file copy the worker uses, copied back to check.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import connection

from bangban.cases.tests.helpers import open_case
from bangban.notifications.models import Message, MessageState

pytestmark = pytest.mark.django_db(transaction=True)

CLAIM_TIMEOUT = 1  # seconds, for the worker processes of this test


@dataclass
class SharedDatabase:
    url: str
    share: object
    take_back: object


@pytest.fixture
def shared_database(transactional_db, tmp_path):
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        url = f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
        yield SharedDatabase(url, lambda: None, lambda: None)
        return
    path = tmp_path / "shared.sqlite3"

    def share():
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.close()

    def take_back():
        source = sqlite3.connect(path)
        source.backup(connection.connection)
        source.close()

    yield SharedDatabase(f"sqlite:///{path}", share, take_back)


def worker(db: SharedDatabase, gateway) -> subprocess.Popen:
    env = {
        **os.environ,
        "BANGBAN_DATABASE_URL": db.url,
        "BANGBAN_SECRET_KEY": settings.SECRET_KEY,
        "BANGBAN_PERSONAL_DATA_KEY": settings.PERSONAL_DATA_KEY,
        "BANGBAN_SMS_BACKEND": "http",
        "BANGBAN_SMS_URL": gateway.url,
        "BANGBAN_SMS_TOKEN": "gw-token",
        "BANGBAN_OUTBOX_CLAIM_TIMEOUT": str(CLAIM_TIMEOUT),
        "BANGBAN_LOG_LEVEL": "ERROR",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "deliver_messages"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def kill_when_the_gateway_is_reached(process, gateway):
    assert gateway.arrived.wait(60), process.communicate(timeout=5)
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    assert process.returncode == -signal.SIGKILL
    gateway.release.set()


def run_to_the_end(process):
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err.decode()
    return out.decode()


def the_message(db: SharedDatabase, case):
    db.take_back()
    return Message.objects.get(case=case, template_key="client.received")


@pytest.mark.parametrize("killed", ["before the gateway sent it", "after the gateway sent it"])
def test_a_killed_worker_leaves_the_message_to_be_sent_exactly_once_after_restart(
    real_clock, world, shared_database, gateway, no_delivery_on_commit, killed
):
    case = open_case(world)  # commits the case and its queued SMS
    assert no_delivery_on_commit  # (delivery after commit kept out of this process)
    db = shared_database
    db.share()

    gateway.mode = "drop" if killed.startswith("before") else "hold"
    kill_when_the_gateway_is_reached(worker(db, gateway), gateway)
    message = the_message(db, case)
    assert (message.state, message.attempts) == (MessageState.SENDING, 1)
    reached = [] if killed.startswith("before") else ["13812345678"]
    assert gateway.phones_reached() == reached

    time.sleep(CLAIM_TIMEOUT + 0.5)  # the dead worker's claim goes stale
    gateway.mode = "normal"
    db.share()
    output = run_to_the_end(worker(db, gateway))
    assert "已发送1" in output and "收回1" in output

    message = the_message(db, case)
    assert (message.state, message.attempts) == (MessageState.SENT, 2)
    assert gateway.phones_reached() == ["13812345678"]  # one SMS, whatever happened
    assert [r["id"] for r in gateway.requests] == [message.idempotency_key] * 2
    assert message.provider_id == "gw-1" and message.sent_at is not None

    db.share()
    assert run_to_the_end(worker(db, gateway)) == ""  # a third run finds nothing to do
    assert len(gateway.requests) == 2
