"""Start-up rules: the settings module and the health check."""

import os
import subprocess
import sys
from unittest import mock

import pytest
from django.db import DatabaseError

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _import_settings(
    env: dict, show: str = "s.LANGUAGE_CODE, s.TIME_ZONE, s.DEBUG"
) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BANGBAN_")}
    return subprocess.run(
        [sys.executable, "-c", f"import bangban.settings as s; print({show})"],
        cwd=REPO,
        env={**clean, **env},
        capture_output=True,
        text=True,
    )


def test_production_refuses_to_start_without_its_own_secret_key(tmp_path):
    result = _import_settings({"BANGBAN_MODE": "production", "BANGBAN_DATA_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "BANGBAN_SECRET_KEY" in result.stderr


def test_production_starts_with_its_secrets_and_debug_off(tmp_path):
    result = _import_settings(
        {
            "BANGBAN_MODE": "production",
            "BANGBAN_DATA_DIR": str(tmp_path),
            "BANGBAN_SECRET_KEY": "x" * 50,
            "BANGBAN_PERSONAL_DATA_KEY": "y" * 50,
            "BANGBAN_AUDIT_KEY": "z" * 50,
        }
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["zh-hans", "Asia/Shanghai", "False"]


def test_embedded_mode_makes_its_own_secret_once(tmp_path):
    first = _import_settings({"BANGBAN_DATA_DIR": str(tmp_path)})
    assert first.returncode == 0, first.stderr
    key = (tmp_path / "secret_key").read_text()
    _import_settings({"BANGBAN_DATA_DIR": str(tmp_path)})
    assert (tmp_path / "secret_key").read_text() == key and len(key) > 40


FROM_ENVIRONMENT = (
    "s.FORMS_DIR, s.FORMS_FONT, s.PUBLIC_URL, s.CLIENT_IP_HEADER, s.NINJA_NUM_PROXIES"
)


def test_forms_public_address_and_proxy_header_are_settings_read_from_the_environment(tmp_path):
    result = _import_settings(
        {
            "BANGBAN_DATA_DIR": str(tmp_path),
            "BANGBAN_FORMS_DIR": "/srv/forms",
            "BANGBAN_FORMS_FONT": "/srv/font.ttc",
            "BANGBAN_PUBLIC_URL": "https://zwfw.example.gov.cn",
            "BANGBAN_CLIENT_IP_HEADER": "X-Forwarded-For",
        },
        FROM_ENVIRONMENT,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "/srv/forms",
        "/srv/font.ttc",
        "https://zwfw.example.gov.cn",
        "X-Forwarded-For",
        "1",
    ]


def test_by_default_no_forwarded_header_is_believed(tmp_path):
    result = _import_settings({"BANGBAN_DATA_DIR": str(tmp_path)}, FROM_ENVIRONMENT)
    assert result.returncode == 0, result.stderr
    forms_dir, public_url, num_proxies = result.stdout.split()
    assert forms_dir == str(tmp_path / "forms")
    assert public_url == "http://127.0.0.1:8000"
    assert num_proxies == "0"  # django-ninja's throttles read REMOTE_ADDR only


@pytest.mark.django_db
def test_health_check_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.django_db
def test_health_check_answers_503_when_the_database_does_not(client):
    with mock.patch(
        "django.db.backends.utils.CursorWrapper.execute", side_effect=DatabaseError("down")
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"


def test_bangban_command_wraps_manage_py(capsys):
    from bangban import cli

    cli.main(["help"])
    assert "bangban serve" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["check", "--help"])
    assert exit_info.value.code == 0
