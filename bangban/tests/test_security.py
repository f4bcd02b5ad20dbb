"""Security settings: staff login lockout (django-axes), the Content-Security-Policy header,
HTTPS behind nginx, and `check --deploy` clean in production mode."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from .test_settings_and_health import REPO, _import_settings

LOGIN = "/accounts/login/"


def attempt(client, username, password, path=LOGIN, **extra):
    return client.post(path, {"username": username, "password": password}, **extra)


def fail(client, username, times=5, **extra):
    for _ in range(times):
        answer = attempt(client, username, "wrong-password", **extra)
    return answer


def signed_in_as(client, username) -> bool:
    return client.get("/work/").wsgi_request.user.get_username() == username


# --- lockout ------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_with_a_chinese_page(client, world):
    answer = fail(client, "agent_a", times=4)
    assert answer.status_code == 200 and "账号或密码不正确" in answer.content.decode()
    answer = fail(client, "agent_a", times=1)
    page = answer.content.decode()
    assert answer.status_code == 429
    assert "账号已暂时锁定" in page and "请 <strong>15 分钟</strong>后再试" in page
    assert "联系本中心的系统管理员解锁" in page and 'class="top"' in page  # the site's layout
    # the right password is refused too while the lock lasts
    answer = attempt(client, "agent_a", "pw-agent_a")
    assert answer.status_code == 429 and not signed_in_as(client, "agent_a")


def test_a_lock_is_per_account_so_colleagues_behind_the_same_address_still_sign_in(world):
    hall = {"REMOTE_ADDR": "198.51.100.7"}
    fail(Client(), "agent_a", **hall)
    colleague = Client()
    answer = attempt(colleague, "agent_a2", "pw-agent_a2", **hall)
    assert answer.status_code == 302 and signed_in_as(colleague, "agent_a2")
    # … while the locked account is refused from anywhere
    elsewhere = Client()
    answer = attempt(elsewhere, "agent_a", "pw-agent_a", REMOTE_ADDR="203.0.113.50")
    assert answer.status_code == 429


def test_the_admin_login_counts_and_refuses_the_same_way(world):
    client = Client()
    fail(client, "agent_b", path="/admin/login/")
    answer = attempt(client, "agent_b", "pw-agent_b")
    assert answer.status_code == 429


def test_a_good_login_clears_the_count(client, world):
    fail(client, "agent_a", times=4)
    assert attempt(client, "agent_a", "pw-agent_a").status_code == 302
    client.post("/accounts/logout/")
    answer = fail(client, "agent_a", times=4)
    assert answer.status_code == 200
    assert attempt(client, "agent_a", "pw-agent_a").status_code == 302


def test_the_lock_ends_after_the_cool_off(client, world):
    fail(client, "agent_a")
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16)
    )
    answer = attempt(client, "agent_a", "pw-agent_a")
    assert answer.status_code == 302 and signed_in_as(client, "agent_a")


def test_an_administrator_unlocks_with_the_command_or_in_the_admin(client, world):
    fail(client, "agent_a")
    root = get_user_model().objects.create_superuser("root", "root@example.cn", "pw-root")
    admin = Client()
    admin.force_login(root)
    listed = admin.get("/admin/axes/accessattempt/")
    assert listed.status_code == 200 and "agent_a" in listed.content.decode()
    call_command("axes_reset_username", "agent_a")
    answer = attempt(client, "agent_a", "pw-agent_a")
    assert answer.status_code == 302 and signed_in_as(client, "agent_a")


def test_attempts_are_recorded_with_the_address_the_trusted_proxy_vouches_for(
    client, world, settings
):
    settings.CLIENT_IP_HEADER = "X-Real-IP"
    attempt(client, "agent_a", "wrong", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.9")
    row = AccessAttempt.objects.get(username="agent_a")
    assert row.ip_address == "203.0.113.9"
    assert "wrong" not in row.post_data  # the password typed is never stored


def test_per_account_and_address_mode_lets_the_account_in_from_elsewhere(world, settings):
    settings.AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
    fail(Client(), "agent_a", REMOTE_ADDR="203.0.113.66")
    assert attempt(Client(), "agent_a", "pw-agent_a", REMOTE_ADDR="203.0.113.66").status_code == 429
    other = Client()
    assert attempt(other, "agent_a", "pw-agent_a", REMOTE_ADDR="198.51.100.7").status_code == 302


def test_one_address_trying_many_accounts_is_stopped_at_the_address_ceiling(world, settings):
    # one password tried on many accounts: no account reaches its own lock, the address does
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 12
    sprayer = {"REMOTE_ADDR": "192.0.2.77"}
    for n in range(12):
        assert attempt(Client(), f"agent_{n:02d}", "Bangban2026!", **sprayer).status_code == 200
    refused = attempt(Client(), "agent_a", "pw-agent_a", **sprayer)  # even the right password
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "暂停从本地址登录" in page and "60 分钟" in page
    assert not AccessAttempt.objects.filter(username="agent_a").exists()  # never checked
    # a colleague at another address is not affected
    assert attempt(Client(), "agent_a", "pw-agent_a", REMOTE_ADDR="198.51.100.8").status_code == 302


def test_a_service_halls_ordinary_mistyping_stays_under_the_ceiling(world):
    # the default ceiling: a hall's staff behind one NAT address mistype a few times an hour
    hall = {"REMOTE_ADDR": "198.51.100.9"}
    for username in ("agent_x", "agent_y", "agent_z"):
        fail(Client(), username, times=4, **hall)
    assert attempt(Client(), "agent_a", "pw-agent_a", **hall).status_code == 302


def test_force_login_in_tests_is_untouched_by_the_lockout(client, world):
    fail(Client(), "agent_a")
    client.force_login(world.agent_a.user)
    assert client.get("/work/").status_code == 200


def test_staff_sessions_end_with_the_browser(client, world):
    answer = attempt(client, "agent_a", "pw-agent_a")
    cookie = answer.cookies["sessionid"]
    assert not cookie["max-age"] and not cookie["expires"]
    assert client.session.get_expiry_age() == 10 * 3600


# --- Content-Security-Policy ---------------------------------------------------------------


def test_every_page_carries_the_content_security_policy(client, world):
    policy = client.get("/")["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in policy.split("; ")}
    assert directives == {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    assert "Content-Security-Policy" in fail(client, "agent_a")  # the locked-out page too


def test_templates_carry_no_inline_script_or_style():
    """The policy refuses them; the PDF forms (WeasyPrint, server-side) are exempt."""
    import re
    from pathlib import Path

    forms = Path(REPO, "bangban", "documents", "templates", "documents")
    report = Path(REPO, "bangban", "oversight", "templates", "oversight", "report.html")
    archive = forms / "pages" / "archive_index.html"  # a file inside the archive ZIP
    inline = re.compile(
        r"<script(?![^>]*\bsrc=)(?![^>]*application/json)|\son[a-z]+=|javascript:|style=\"|<style",
        re.I,
    )
    found = []
    for path in Path(REPO, "bangban").rglob("*.html"):
        if path.parent == forms or path in (report, archive):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if inline.search(line):
                found.append(f"{path.relative_to(REPO)}:{number}: {line.strip()[:80]}")
    assert not found, "\n".join(found)


# --- HTTPS behind nginx, check --deploy ------------------------------------------------------


@pytest.fixture
def behind_nginx(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000


def test_plain_http_is_redirected_but_healthz_answers_monitors(client, db, behind_nginx):
    answer = client.get("/track/")
    assert answer.status_code == 301 and answer["Location"] == "https://testserver/track/"
    assert client.get("/healthz").status_code == 200
    secure = client.get("/track/", HTTP_X_FORWARDED_PROTO="https")
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def production_env(tmp_path, **extra) -> dict:
    # not the tests' own switches: DJANGO_ALLOW_ASYNC_UNSAFE (browser tests) is rightly an error
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("BANGBAN_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    return {
        **clean,
        "BANGBAN_MODE": "production",
        "BANGBAN_DATA_DIR": str(tmp_path),
        "BANGBAN_SECRET_KEY": secrets.token_urlsafe(50),
        "BANGBAN_PERSONAL_DATA_KEY": secrets.token_urlsafe(50),
        "BANGBAN_AUDIT_KEY": secrets.token_urlsafe(50),
        "BANGBAN_ALLOWED_HOSTS": "bangban.example.gov.cn",
        "BANGBAN_CSRF_TRUSTED_ORIGINS": "https://bangban.example.gov.cn",
        "BANGBAN_CLIENT_IP_HEADER": "X-Real-IP",
        **extra,
    }


def deploy_check(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )


def test_check_deploy_is_clean_in_production_behind_nginx(tmp_path):
    result = deploy_check(production_env(tmp_path, BANGBAN_PROXY_SSL_HEADER="X-Forwarded-Proto"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_says_so_when_nginx_does_not_pass_the_scheme(tmp_path):
    """Without the proxy header there is no safe HTTPS redirect: the check must say so."""
    result = deploy_check(production_env(tmp_path))
    assert result.returncode != 0 and "security.W008" in result.stderr


SECURITY = (
    "s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME.total_seconds(), s.AXES_LOCKOUT_PARAMETERS, "
    "s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.SECURE_PROXY_SSL_HEADER, "
    "s.SESSION_COOKIE_AGE, 'CONTENT_SECURITY_POLICY_REPORT_ONLY' in dir(s)"
)


def test_security_settings_are_read_from_the_environment(tmp_path):
    result = _import_settings(
        {
            "BANGBAN_DATA_DIR": str(tmp_path),
            "BANGBAN_LOGIN_FAILURE_LIMIT": "3",
            "BANGBAN_LOGIN_LOCKOUT_MINUTES": "30",
            "BANGBAN_LOGIN_LOCKOUT_BY": "username_ip",
            "BANGBAN_HSTS_SECONDS": "3600",
            "BANGBAN_PROXY_SSL_HEADER": "X-Forwarded-Proto",
            "BANGBAN_SSL_REDIRECT": "true",
            "BANGBAN_SESSION_HOURS": "4",
            "BANGBAN_CSP_REPORT_ONLY": "true",
        },
        SECURITY,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "3 1800.0 [['username', 'ip_address']] 3600 True "
        "('HTTP_X_FORWARDED_PROTO', 'https') 14400 True"
    )


def test_embedded_defaults_lock_per_account_and_send_no_hsts(tmp_path):
    result = _import_settings(
        {"BANGBAN_DATA_DIR": str(tmp_path)}, SECURITY.replace(", s.SECURE_PROXY_SSL_HEADER", "")
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "5 900.0 ['username'] 0 False 36000 False"


def test_an_unknown_lockout_mode_refuses_to_start(tmp_path):
    result = _import_settings({"BANGBAN_DATA_DIR": str(tmp_path), "BANGBAN_LOGIN_LOCKOUT_BY": "ip"})
    assert result.returncode != 0 and "BANGBAN_LOGIN_LOCKOUT_BY" in result.stderr
