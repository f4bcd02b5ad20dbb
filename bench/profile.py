"""``python -m bench.profile``: where a page's server time goes, before changing anything.

    python -m bench.profile [--database bangban_scale_100k] [--repeat 30] [--only TEXT]

Serves each hot page in-process (Django's test client, the whole middleware stack, production
mode, the scale profile's PostgreSQL database and keys) and splits its time into:

- **SQL building**: Django's compilers turning querysets into SQL (``as_sql``);
- **SQL**: executing it (the driver and the database, through ``execute_wrapper``);
- **template**: rendering templates, less the SQL run from inside them;
- **Python**: everything else (middleware, views, forms, serialisation).

Times are exclusive (a query run from a template counts as SQL, not as template), the
median request's total and the mean of each part over ``--repeat`` requests after two
warm-up requests. Needs a database loaded by ``python -m bench.scale`` (default: the
100 000-case one, ``--database bangban_scale_100k``); it only reads, except the sessions.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

PARTS = ("build", "sql", "template", "python")


class Stopwatch:
    """Exclusive time per part: entering a part pauses the one it was entered from."""

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self.clock = clock
        self.totals: dict[str, float] = defaultdict(float)
        self.stack = ["python"]
        self.mark = clock()
        self.queries = 0

    def enter(self, part: str) -> None:
        now = self.clock()
        self.totals[self.stack[-1]] += now - self.mark
        self.stack.append(part)
        self.mark = now

    def leave(self) -> None:
        now = self.clock()
        self.totals[self.stack.pop()] += now - self.mark
        self.mark = now

    def stop(self) -> dict[str, float]:
        self.leave()
        return dict(self.totals)


_watch: Stopwatch | None = None


def _timed(part: str, fn: Callable) -> Callable:
    def wrapper(*args, **kwargs):
        if _watch is None:
            return fn(*args, **kwargs)
        _watch.enter(part)
        try:
            return fn(*args, **kwargs)
        finally:
            _watch.leave()

    return wrapper


def _instrument() -> None:
    """Wrap the compilers' ``as_sql`` and template rendering, once for the process."""
    import django.template.base
    from django.db.models.sql import compiler

    for name in dir(compiler):
        klass = getattr(compiler, name)
        if (
            isinstance(klass, type)
            and issubclass(klass, compiler.SQLCompiler)
            and "as_sql" in vars(klass)
        ):
            klass.as_sql = _timed("build", vars(klass)["as_sql"])
    django.template.base.Template.render = _timed("template", django.template.base.Template.render)
    try:
        import jinja2
    except ImportError:
        return
    jinja2.Template.render = _timed("template", jinja2.Template.render)


def _sql_wrapper(execute, sql, params, many, context):
    if _watch is None:
        return execute(sql, params, many, context)
    _watch.queries += 1
    _watch.enter("sql")
    try:
        return execute(sql, params, many, context)
    finally:
        _watch.leave()


@dataclass
class Sample:
    total: float
    parts: dict[str, float]
    queries: int


@dataclass
class Profile:
    page: str
    samples: list[Sample] = field(default_factory=list)

    def row(self) -> str:
        total = statistics.median(s.total for s in self.samples) * 1000
        mean = {p: statistics.mean(s.parts.get(p, 0.0) for s in self.samples) * 1000 for p in PARTS}
        queries = max(s.queries for s in self.samples)
        cells = " | ".join(f"{mean[p]:.1f}" for p in PARTS)
        return f"| {self.page} | {queries} | {total:.1f} | {cells} |"


HEADER = (
    "| page | queries | total ms (median) | SQL building | SQL | template | Python |\n"
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
)


def profile_page(name: str, fetch: Callable[[random.Random], object], repeat: int) -> Profile:
    """Time ``fetch`` (one request; raises on a wrong answer) ``repeat`` times after warm-up."""
    from django.db import connection

    global _watch
    rng = random.Random(11)
    for _ in range(2):
        fetch(rng)
    found = Profile(name)
    for _ in range(repeat):
        with connection.execute_wrapper(_sql_wrapper):
            _watch = Stopwatch()
            started = time.perf_counter()
            try:
                fetch(rng)
            finally:
                total = time.perf_counter() - started
                queries = _watch.queries
                parts = _watch.stop()
                _watch = None
        found.samples.append(Sample(total, parts, queries))
    return found


def _setup(database: str) -> None:
    from .scale import servers

    data_dir = servers.BASE_DIR / "var" / "scale"
    backends = servers.start_backends(database)
    keys = {
        "BANGBAN_SECRET_KEY": (data_dir / "secret_key").read_text().strip(),
        "BANGBAN_PERSONAL_DATA_KEY": (data_dir / "personal_data_key").read_text().strip(),
        "BANGBAN_AUDIT_KEY": (data_dir / "audit_key").read_text().strip(),
    }
    for name in [k for k in os.environ if k.startswith("BANGBAN_")]:
        del os.environ[name]
    os.environ.update(servers.production_env(backends, data_dir, keys))
    os.environ["BANGBAN_CACHE_URL"] = backends.cache_url
    import django

    django.setup()
    _instrument()


def _pages() -> list[tuple[str, Callable]]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from .scale.pages import (
        COORDINATOR,
        SEARCHES,
        SUPERVISOR,
        VILLAGE_AGENT,
        _case_numbers_of,
        _lookups,
    )

    users = get_user_model().objects

    def staff(username: str) -> Client:
        client = Client(HTTP_X_FORWARDED_FOR="10.9.0.1")
        client.force_login(users.get(username=username))
        return client

    agent, coordinator, supervisor = staff(VILLAGE_AGENT), staff(COORDINATOR), staff(SUPERVISOR)
    public = Client()
    numbers = _case_numbers_of(VILLAGE_AGENT)
    lookups = _lookups()
    addresses = iter(range(10**9))

    def get(client: Client, path: Callable[[random.Random], str] | str) -> Callable:
        def fetch(rng: random.Random) -> None:
            url = path(rng) if callable(path) else path
            # each request from an address of its own, as in the scale bench (per-address limits)
            n = next(addresses)
            answer = client.get(
                url, HTTP_X_FORWARDED_FOR=f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
            )
            if answer.status_code != 200:
                raise SystemExit(f"{url}: {answer.status_code}")

        return fetch

    def progress(rng: random.Random) -> str:
        number, phone = rng.choice(lookups)
        return f"/api/progress?number={number}&phone={phone}"

    return [
        ("/healthz", get(public, "/healthz")),
        ("village agent: home `/work/`", get(agent, "/work/")),
        ("village agent: ledger", get(agent, "/work/ledger/")),
        ("village agent: case page", get(agent, lambda rng: f"/work/cases/{rng.choice(numbers)}/")),
        ("village agent: `/api/cases?limit=50`", get(agent, "/api/cases?limit=50")),
        (
            "village agent: `/api/cases/{number}`",
            get(agent, lambda rng: f"/api/cases/{rng.choice(numbers)}"),
        ),
        ("coordinator: home `/work/`", get(coordinator, "/work/")),
        ("coordinator: ledger", get(coordinator, "/work/ledger/")),
        ("coordinator: `/api/cases?limit=50`", get(coordinator, "/api/cases?limit=50")),
        ("public: progress lookup `/api/progress`", get(public, progress)),
        (
            "public: item search `/items/?q=`",
            get(public, lambda rng: f"/items/?q={rng.choice(SEARCHES)}"),
        ),
        ("supervisor: dashboard (county, year)", get(supervisor, "/oversight/")),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--database", default="bangban_scale_100k")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--only", default="")
    args = parser.parse_args(argv)
    _setup(args.database)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_case")
        cases = cursor.fetchone()[0]
    print(f"{cases:,} cases, database {args.database}, {args.repeat} requests per page\n")
    print(HEADER)
    for name, fetch in _pages():
        if args.only and args.only not in name:
            continue
        print(profile_page(name, fetch, args.repeat).row(), flush=True)
    print(f"\nload average {os.getloadavg()[0]:.1f}", file=sys.stderr)


if __name__ == "__main__":
    main()
