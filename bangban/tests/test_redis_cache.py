"""Django's cache on a real Redis is one cache for every worker process.

With several gunicorn workers the default cache (locmem) is one per process, so a rate
limit counted in one worker is unknown to the others: a visitor gets ``limit`` tries per
worker. ``BANGBAN_CACHE_URL=redis://…`` makes it one count. These tests show that with two
separate connections (two cache objects, as two workers hold) and with a second process
configured by the settings alone.

The Redis URL comes from ``BANGBAN_TEST_REDIS_URL`` (CI sets it from ``scripts/redis-start``);
without it the tests are skipped, saying so, except in CI, where they fail.
"""

import os
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.test import RequestFactory, override_settings

from bangban.rediscache import ReusingRedisCache


@pytest.fixture
def prefix():
    """A key prefix of this test's own, removed afterwards: the Redis may be shared."""
    return f"bangban-test-{uuid.uuid4().hex[:8]}"


def _cache(url: str, prefix: str) -> ReusingRedisCache:
    return ReusingRedisCache(url, {"KEY_PREFIX": prefix})


def test_two_connections_share_one_count(redis_url, prefix):
    worker_a, worker_b = _cache(redis_url, prefix), _cache(redis_url, prefix)
    try:
        assert worker_a.add("tries", 1, 60)
        assert not worker_b.add("tries", 1, 60)  # already there: the other worker's count
        assert worker_b.incr("tries") == 2
        assert worker_a.get("tries") == 2
    finally:
        worker_a.clear()


def test_the_portal_rate_limit_counts_across_workers(redis_url, prefix):
    from bangban.portal.otp import address_hash
    from bangban.portal.views.common import too_many

    caches = {
        "default": {
            "BACKEND": "bangban.rediscache.ReusingRedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": prefix,
        }
    }
    request = RequestFactory().post("/track/", REMOTE_ADDR="10.1.2.3")
    other_worker = _cache(redis_url, prefix)
    try:
        with override_settings(CACHES=caches):
            assert not too_many(request, "track", 3, 60)  # 1st try, in this worker
            assert not too_many(request, "track", 3, 60)  # 2nd
            # the 3rd try went to another worker, with its own connection to Redis
            assert other_worker.incr(f"portal:rate:track:{address_hash('10.1.2.3')}") == 3
            assert too_many(request, "track", 3, 60)  # the 4th is one too many, here too
    finally:
        other_worker.clear()


def test_the_settings_put_the_cache_on_redis_for_every_process(redis_url, prefix):
    """A second process configured only by BANGBAN_CACHE_URL sees this process's key."""
    key = f"{prefix}-key"
    first_worker = _cache(redis_url, "")
    first_worker.set(key, "from-the-first-worker", 60)
    code = (
        "import django; django.setup();"
        "from django.core.cache import caches;"
        "cache = caches['default'];"
        f"print(type(cache).__name__, cache.get('{key}'))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bangban.settings",
        "BANGBAN_CACHE_URL": redis_url,
        "BANGBAN_SECRET_KEY": settings.SECRET_KEY,
        "BANGBAN_PERSONAL_DATA_KEY": settings.PERSONAL_DATA_KEY,
    }
    try:
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
        )
    finally:
        first_worker.delete(key)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["ReusingRedisCache", "from-the-first-worker"]


def test_a_cache_keeps_one_client_per_pool_and_still_shares_its_keys(redis_url, prefix):
    """One ``redis.Redis`` per pool, not one per call; what it writes the others read."""
    worker_a, worker_b = _cache(redis_url, prefix), _cache(redis_url, prefix)
    try:
        first = worker_a._cache.get_client(write=True)
        assert worker_a._cache.get_client(write=True) is first
        assert worker_a._cache.get_client() is first  # one server: reads use the same pool
        worker_a.set("k", "v", 60)
        assert worker_b.get("k") == "v"
        assert worker_b._cache.get_client() is not first  # each worker has its own
    finally:
        worker_a.clear()
