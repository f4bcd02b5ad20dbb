"""The scale profile's job queue: huey on a real Redis.

``.ci/run`` starts Debian's redis-server (``scripts/redis-start``) and exports
``BANGBAN_TEST_REDIS_URL``. Elsewhere these tests are skipped, saying so, when no Redis URL
is given; in CI (``CI=true``) a missing or silent Redis fails them instead.

A test-only variable, not ``BANGBAN_REDIS_URL``: that one switches the whole settings to
Redis without immediate mode, which every other test relies on.
"""

import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings

from bangban.cases.tests.helpers import open_case
from bangban.notifications import tasks
from bangban.notifications.models import Message, MessageState


@pytest.fixture
def redis_huey(redis_url):
    from huey import RedisHuey

    huey = RedisHuey(name=f"bangban-test-{uuid.uuid4().hex[:8]}", url=redis_url)
    yield huey
    huey.storage.flush_all()


def test_the_settings_choose_redis_when_the_scale_profile_names_it(redis_url):
    code = (
        "import django; django.setup();"
        "from huey.contrib.djhuey import HUEY;"
        "HUEY.storage.conn.ping();"
        "print(type(HUEY).__name__, HUEY.immediate, HUEY.name)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bangban.settings",
        "BANGBAN_REDIS_URL": redis_url,
        "BANGBAN_SECRET_KEY": settings.SECRET_KEY,
        "BANGBAN_PERSONAL_DATA_KEY": settings.PERSONAL_DATA_KEY,
    }
    env.pop("BANGBAN_JOBS_IMMEDIATE", None)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True
    )
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode().split() == ["RedisHuey", "False", "bangban"]


@pytest.mark.django_db(transaction=True)
def test_a_delivery_task_queued_in_redis_is_run_by_a_real_consumer(
    world, redis_huey, no_delivery_on_commit
):
    from huey.contrib.djhuey import close_db

    case = open_case(world)
    message = Message.objects.get(case=case)
    assert message.state == MessageState.QUEUED
    deliver = redis_huey.task(name="deliver_soon")(close_db(tasks.deliver_soon.func))

    result = deliver()
    assert redis_huey.pending_count() == 1  # in Redis, not yet run
    message.refresh_from_db()
    assert message.state == MessageState.QUEUED

    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer = redis_huey.create_consumer(
        workers=1, worker_type="thread", periodic=False, check_worker_health=False
    )
    try:
        consumer.start()
        deadline = time.monotonic() + 30
        while message.state != MessageState.SENT and time.monotonic() < deadline:
            time.sleep(0.1)
            message.refresh_from_db()
    finally:
        consumer.stop(graceful=True)
        for number, handler in handlers.items():
            signal.signal(number, handler)
    assert message.state == MessageState.SENT and message.attempts == 1
    assert redis_huey.pending_count() == 0
    assert redis_huey.result_count() == 0  # deliver_soon keeps no result in the store
    assert result.get() is None
