"""Sessions read from the cache (Redis at scale) sign out exactly as sessions read from the
database: signing out, changing the password and taking a member off duty all end the old
session at once, and a per-process cache never holds sessions (another worker would keep
serving one that was signed out)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client, override_settings

from .test_settings_and_health import _import_settings

pytestmark = pytest.mark.django_db

CACHED = override_settings(SESSION_ENGINE="django.contrib.sessions.backends.cached_db")


def _signed_in(user) -> tuple[Client, str]:
    client = Client()
    client.force_login(user)
    assert client.get("/work/").status_code == 200
    return client, client.cookies[settings.SESSION_COOKIE_NAME].value


def _with_cookie(key: str) -> Client:
    """Another browser (or another worker's request) presenting the same session cookie."""
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    return client


@CACHED
def test_a_signed_out_session_is_refused_when_sessions_are_cached(world):
    client, key = _signed_in(world.agent_a.user)
    with_cookie = _with_cookie(key)
    assert with_cookie.get("/work/").status_code == 200  # the cached session serves
    client.post("/accounts/logout/")
    answer = with_cookie.get("/work/")
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]


@CACHED
def test_a_password_change_ends_the_other_cached_sessions(world):
    _, key = _signed_in(world.agent_a.user)
    user = world.agent_a.user
    user.set_password("a-new-long-password-2026")
    user.save()
    answer = _with_cookie(key).get("/work/")
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]


@CACHED
def test_a_member_taken_off_duty_is_refused_at_once_with_a_cached_session(world):
    _, key = _signed_in(world.agent_a.user)
    world.agent_a.is_active = False
    world.agent_a.save()
    assert _with_cookie(key).get("/work/").status_code == 403


def test_sessions_are_cached_only_when_the_cache_is_redis(tmp_path):
    show = "s.SESSION_ENGINE"
    embedded = _import_settings({"BANGBAN_DATA_DIR": str(tmp_path)}, show)
    redis = _import_settings(
        {"BANGBAN_DATA_DIR": str(tmp_path), "BANGBAN_CACHE_URL": "redis://127.0.0.1:6379/1"},
        show,
    )
    assert embedded.stdout.strip() == "django.contrib.sessions.backends.db", embedded.stderr
    assert redis.stdout.strip() == "django.contrib.sessions.backends.cached_db", redis.stderr
