"""The real servers of the scale profile: PostgreSQL, Redis, gunicorn and the job worker.

PostgreSQL and Redis come from the project's own scripts (``scripts/postgres-start``,
``scripts/redis-start``), which reuse a running server and are left running; the load
generator wrk from ``scripts/wrk-install``. The bench's
data lives in a database of its own (``bangban_scale`` on the same server), never in
``bangban`` or ``test_bangban``, which the test suite uses at the same time; its queue and
cache use Redis databases of their own for the same reason. gunicorn and the huey worker
are started as the operators start them (``bangban serve --gunicorn``, ``bangban jobs``)
in production mode, and stopped by their process ids.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent.parent
SCALE_DATABASE = "bangban_scale"
# Redis databases of the bench's own: 0 and 1 are what docs/operations.md tells operators to use
QUEUE_DB, CACHE_DB = 2, 3


def _script(name: str) -> str:
    """Run a project script and return the URL it prints on its last line."""
    done = subprocess.run(
        ["bash", str(BASE_DIR / "scripts" / name)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"scripts/{name} failed:\n{done.stderr}")
    return done.stdout.strip().splitlines()[-1]


def wrk_path() -> str:
    """wrk, the load generator (``scripts/wrk-install`` installs Debian's if missing)."""
    return _script("wrk-install")


def _with_path(url: str, path: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=path))


@dataclass(frozen=True)
class Backends:
    database_url: str  # the bench's own database
    queue_url: str  # huey
    cache_url: str  # Django's cache


def _checked(name: str) -> str:
    """Only a bench database: never ``bangban`` or ``test_bangban``, which others use."""
    if not re.fullmatch(r"bangban_scale\w*", name):
        raise SystemExit(f"not a bench database name: {name!r} (bangban_scale…)")
    return name


def start_backends(database: str = SCALE_DATABASE) -> Backends:
    """Start (or reuse) PostgreSQL and Redis; make sure the bench's database exists."""
    database = _checked(database)
    server_url = _script("postgres-start")
    redis_url = _script("redis-start")
    database_url = _with_path(server_url, "/" + database)
    if not _database_exists(server_url, database):
        _psql(server_url, f"CREATE DATABASE {database} ENCODING 'UTF8' TEMPLATE template0")
    return Backends(
        database_url=database_url,
        queue_url=_with_path(redis_url, f"/{QUEUE_DB}"),
        cache_url=_with_path(redis_url, f"/{CACHE_DB}"),
    )


def _psql(url: str, sql: str) -> str:
    done = subprocess.run(
        ["psql", url, "-XtAq", "-v", "ON_ERROR_STOP=1", "-c", sql],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"psql failed: {sql}\n{done.stderr}")
    return done.stdout.strip()


def _database_exists(server_url: str, name: str) -> bool:
    return _psql(server_url, f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"


def drop_database(backends: Backends) -> None:
    """Drop the bench's database (and only it): it is the one named in ``database_url``."""
    name = _checked(urlsplit(backends.database_url).path.lstrip("/"))
    _psql(_with_path(backends.database_url, "/postgres"), f"DROP DATABASE IF EXISTS {name}")


def flush_redis(backends: Backends) -> None:
    """Empty the bench's own queue and cache databases (left-over jobs, counters, sessions)."""
    import redis

    for url in (backends.queue_url, backends.cache_url):
        redis.Redis.from_url(url).flushdb()


# --- the platform's processes -------------------------------------------------------------


def production_env(
    backends: Backends, data_dir: Path, keys: dict[str, str], *, workers: int = 2, pool: str = ""
) -> dict[str, str]:
    """The environment an operator's /etc/bangban.env would give, pointed at the bench.

    Plus the bench's own switch: the yardstick page ``/bench/ceiling`` and each answer's
    query count in a header (``BANGBAN_BENCH_CEILING``, bangban/benchmode.py).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANGBAN_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bangban.settings",
            "BANGBAN_MODE": "production",
            "BANGBAN_DATA_DIR": str(data_dir),
            "BANGBAN_DATABASE_URL": backends.database_url,
            "BANGBAN_REDIS_URL": backends.queue_url,
            "BANGBAN_CACHE_URL": backends.cache_url,
            # as behind nginx: each visitor's own address, for the per-address rate limits
            "BANGBAN_CLIENT_IP_HEADER": "X-Forwarded-For",
            "BANGBAN_LOG_LEVEL": "WARNING",
            # no recycling mid-run: the memory read after the run is the whole run's worker
            "BANGBAN_WEB_MAX_REQUESTS": "0",
            "BANGBAN_WEB_WORKERS": str(workers),
            "BANGBAN_DB_POOL": pool,
            "BANGBAN_BENCH_CEILING": "1",
            "PATH": f"{Path(sys.executable).parent}:{env.get('PATH', '')}",
            **keys,
        }
    )
    return env


@dataclass
class Platform:
    web: subprocess.Popen
    jobs: subprocess.Popen
    url: str

    def stop(self) -> None:
        for process in (self.web, self.jobs):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in (self.web, self.jobs):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def start_platform(env: dict[str, str], port: int, log_dir: Path) -> Platform:
    """gunicorn (``bangban serve --gunicorn``) and the job worker (``bangban jobs``)."""
    bangban = str(Path(sys.executable).parent / "bangban")
    log_dir.mkdir(parents=True, exist_ok=True)
    web = subprocess.Popen(
        [bangban, "serve", "--gunicorn", f"127.0.0.1:{port}"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,  # the access log: one line per request, not wanted here
        stderr=open(log_dir / "gunicorn.log", "ab"),  # noqa: SIM115 (lives as long as the process)
    )
    jobs = subprocess.Popen(
        [bangban, "jobs", "--workers", "1", "--worker-type", "thread"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(log_dir / "jobs.log", "ab"),  # noqa: SIM115
    )
    platform = Platform(web=web, jobs=jobs, url=f"http://127.0.0.1:{port}")
    try:
        _wait_healthy(platform)
    except BaseException:
        platform.stop()
        raise
    return platform


def _wait_healthy(platform: Platform, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if platform.web.poll() is not None:
            raise SystemExit("gunicorn exited; see its log under the bench's data directory")
        try:
            with urllib.request.urlopen(platform.url + "/healthz", timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("gunicorn did not answer /healthz within a minute")


# --- memory -------------------------------------------------------------------------------


def children_of(pid: int, proc: Path = Path("/proc")) -> list[int]:
    """The processes whose parent is ``pid`` (gunicorn's workers are its master's children)."""
    found = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # ended meanwhile
            continue
        # "pid (name) state ppid …": the name may hold spaces and parentheses
        if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def kb_line(text: str, name: str) -> int:
    """Bytes from the ``<name>: <n> kB`` line of a /proc file's text (0 if absent)."""
    for line in text.splitlines():
        if line.startswith(name + ":"):
            amount, unit = line.split()[1:3]
            assert unit == "kB", line
            return int(amount) * 1024
    return 0


def vm_rss(status: str) -> int:
    """Resident memory in bytes from the text of /proc/<pid>/status (its ``VmRSS:`` line)."""
    return kb_line(status, "VmRSS")


def worker_memory(master: int, proc: Path = Path("/proc")) -> list[int]:
    """The resident memory (bytes) of each of gunicorn's workers, now."""
    return _per_worker(master, proc, "status", "VmRSS")


def worker_pss(master: int, proc: Path = Path("/proc")) -> list[int]:
    """Each worker's proportional share (bytes): pages shared with the master or the other
    workers (the code gunicorn's --preload imported once) count divided among them."""
    return _per_worker(master, proc, "smaps_rollup", "Pss")


def _per_worker(master: int, proc: Path, filename: str, name: str) -> list[int]:
    sizes = []
    for pid in children_of(master, proc):
        try:
            sizes.append(kb_line((proc / str(pid) / filename).read_text(), name))
        except OSError:
            continue
    return sizes
