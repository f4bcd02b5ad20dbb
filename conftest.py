"""Project-wide test set-up.

pytest exits with status 5 when it collected no test; `make test` treats that as failure
because a suite that ran nothing proves nothing.
"""

import os

import pytest


def pytest_sessionfinish(session, exitstatus):
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


pytest_plugins = ["bangban.testing"]


IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """No service worker in the browser tests but the offline station's own
    (``bangban/offline/tests/conftest.py``). The workbench's worker installs in the background
    on the first workbench page and fetches the offline page with whatever cookies the
    browser holds at that moment; in a test that signs one person out and another in, that
    fetch races the login form (a fresh CSRF cookie: 403) and, on SQLite, the session
    table (locked)."""
    return {**browser_context_args, "service_workers": "block"}


@pytest.fixture
def redis_url():
    """The real Redis of scripts/redis-start (CI exports BANGBAN_TEST_REDIS_URL): skipped
    without one on a developer's machine, a failure in CI."""
    url = os.environ.get("BANGBAN_TEST_REDIS_URL") or os.environ.get("BANGBAN_REDIS_URL")
    if not url:
        if IN_CI:
            pytest.fail(
                "CI 必须提供 Redis：.ci/run 应已运行 scripts/redis-start 并导出 BANGBAN_TEST_REDIS_URL"
            )
        pytest.skip(
            "没有配置 Redis（设置 BANGBAN_TEST_REDIS_URL，如 `bash scripts/redis-start` 的输出）"
        )
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        if IN_CI:
            pytest.fail(f"CI 的 Redis 无响应（{url}）：{error}")
        pytest.skip(f"Redis 无响应（{url}）：{error}")
    return url


@pytest.fixture(autouse=True)
def _no_cached_pages_from_another_test():
    """Cached pages are keyed by ids and change counters, which a rolled-back test may hand
    out again: each test starts with an empty per-process cache."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    if isinstance(caches["default"], LocMemCache):
        caches["default"].clear()


@pytest.fixture(autouse=True)
def _fresh_login_failure_count():
    """Every test client and live-server browser logs in from 127.0.0.1: one test's wrong
    passwords must not count towards the next one's per-address ceiling."""
    from django.core.cache import cache

    from bangban.staff.lockout import address_key

    cache.delete(address_key("127.0.0.1"))
