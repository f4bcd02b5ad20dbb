"""Settings the scale bench turns on: the ceiling page, the connection pool, the workers."""

import importlib
import os
import subprocess
import sys
from unittest import mock

import pytest
from django.urls import clear_url_caches

import bangban.urls
from bangban import cli

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
POSTGRES = "postgres://bangban@127.0.0.1:5432/bangban_x"


def _settings(env: dict, show: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BANGBAN_")}
    return subprocess.run(
        [sys.executable, "-c", f"import bangban.settings as s; print({show})"],
        cwd=REPO,
        env={**clean, **env},
        capture_output=True,
        text=True,
    )


@pytest.fixture
def urls_with_ceiling(settings):
    """bangban.urls read again with BENCH_CEILING on; read again as it was afterwards."""

    def remount(on: bool) -> None:
        settings.BENCH_CEILING = on
        importlib.reload(bangban.urls)
        clear_url_caches()

    yield remount
    remount(False)


def test_the_ceiling_answers_only_when_the_bench_switch_is_on(client, urls_with_ceiling):
    urls_with_ceiling(True)
    answer = client.get("/bench/ceiling")
    assert answer.status_code == 200 and answer.content == b"ok"
    urls_with_ceiling(False)
    assert client.get("/bench/ceiling").status_code == 404


def test_the_ceiling_reads_no_database_and_makes_no_session(client, urls_with_ceiling):
    # no database fixture here: a query would raise instead of answering
    urls_with_ceiling(True)
    answer = client.get("/bench/ceiling")
    assert answer.status_code == 200 and "sessionid" not in answer.cookies


def test_the_ceiling_is_off_unless_the_environment_turns_it_on(tmp_path):
    off = _settings({"BANGBAN_DATA_DIR": str(tmp_path)}, "s.BENCH_CEILING")
    on = _settings(
        {"BANGBAN_DATA_DIR": str(tmp_path), "BANGBAN_BENCH_CEILING": "1"}, "s.BENCH_CEILING"
    )
    assert (off.stdout.strip(), on.stdout.strip()) == ("False", "True"), off.stderr + on.stderr


DATABASE = (
    "s.DATABASES['default'].get('OPTIONS', {}).get('pool'), s.DATABASES['default']['CONN_MAX_AGE']"
)


@pytest.mark.parametrize(
    "pool, expected",
    [
        ("2,6", "{'min_size': 2, 'max_size': 6} 0"),
        ("on", "{'min_size': 1, 'max_size': 4} 0"),
        ("off", "None 60"),
        ("", "None 60"),
    ],
)
def test_postgresql_gets_the_connection_pool_when_asked(tmp_path, pool, expected):
    result = _settings(
        {
            "BANGBAN_DATA_DIR": str(tmp_path),
            "BANGBAN_DATABASE_URL": POSTGRES,
            "BANGBAN_DB_POOL": pool,
        },
        DATABASE,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


PREPARED = (
    "s.DATABASES['default'].get('OPTIONS', {}).get('server_side_binding'),"
    " s.DATABASES['default'].get('OPTIONS', {}).get('prepare_threshold')"
)


@pytest.mark.parametrize(
    "prepared, expected", [("", "True 2"), ("on", "True 2"), ("off", "None None")]
)
def test_postgresql_prepares_statements_unless_told_not_to(tmp_path, prepared, expected):
    """Server-side binding and psycopg's prepared statements (BANGBAN_DB_PREPARED), which a
    pooler in transaction mode cannot keep."""
    result = _settings(
        {
            "BANGBAN_DATA_DIR": str(tmp_path),
            "BANGBAN_DATABASE_URL": POSTGRES,
            "BANGBAN_DB_PREPARED": prepared,
        },
        PREPARED,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_sqlite_never_prepares_on_the_server(tmp_path):
    result = _settings({"BANGBAN_DATA_DIR": str(tmp_path), "BANGBAN_DB_PREPARED": "on"}, PREPARED)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "None None"


def test_sqlite_never_gets_a_pool(tmp_path):
    result = _settings({"BANGBAN_DATA_DIR": str(tmp_path), "BANGBAN_DB_POOL": "2,4"}, DATABASE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "None 0"


@pytest.mark.parametrize("pool", ["many", "4,2", "0,0", "1,2,3"])
def test_a_pool_setting_that_makes_no_sense_refuses_to_start(tmp_path, pool):
    result = _settings(
        {
            "BANGBAN_DATA_DIR": str(tmp_path),
            "BANGBAN_DATABASE_URL": POSTGRES,
            "BANGBAN_DB_POOL": pool,
        },
        DATABASE,
    )
    assert result.returncode != 0 and "BANGBAN_DB_POOL" in result.stderr


@pytest.mark.parametrize("workers, expected", [("", "3"), ("2", "2")])
def test_gunicorn_workers_come_from_the_environment(monkeypatch, workers, expected):
    monkeypatch.setenv("BANGBAN_WEB_WORKERS", workers)
    with mock.patch.object(cli.os, "execvp") as execvp:
        cli.main(["serve", "--gunicorn", "127.0.0.1:9"])
    argv = execvp.call_args.args[1]
    assert argv[argv.index("--workers") + 1] == expected


@pytest.mark.django_db
def test_the_bench_counts_each_answers_queries_in_a_header(client, settings, urls_with_ceiling):
    settings.MIDDLEWARE = ["bangban.benchmode.count_queries", *settings.MIDDLEWARE]
    urls_with_ceiling(True)
    assert client.get("/healthz")["X-Bench-Queries"] == "1"
    assert client.get("/bench/ceiling")["X-Bench-Queries"] == "0"


def test_the_query_count_is_in_the_middleware_only_with_the_bench_switch(tmp_path):
    show = "'bangban.benchmode.count_queries' in s.MIDDLEWARE"
    off = _settings({"BANGBAN_DATA_DIR": str(tmp_path)}, show)
    on = _settings({"BANGBAN_DATA_DIR": str(tmp_path), "BANGBAN_BENCH_CEILING": "1"}, show)
    assert (off.stdout.strip(), on.stdout.strip()) == ("False", "True"), off.stderr + on.stderr
