"""``python -m bench.scale`` (``make bench-scale``): the platform at a city's scale.

    python -m bench.scale [--sizes 100000,1000000] [--concurrency 12] [--seconds 15]
                            [--fresh] [--drop] [--only TEXT] [--json FILE]

For each size (cases), smallest first: adds bench cases to the bench's own database until
it holds that many (a rerun reuses what is loaded), brings the oversight facts and daily
roll-up up to date as the nightly job would, starts gunicorn in production mode and a huey
worker on Redis, logs in demo staff through the login form, and times every page first
from one client (the time a request takes) and then from ``--concurrency`` clients at once
(throughput, and the wait under load). Prints a markdown table per size and at the end.

``--fresh`` drops ``bangban_scale`` first; ``--drop`` drops it at the end (it is large:
about 1.4 GB per million cases); ``--database bangban_scale_100k`` keeps another size
beside it. A rerun on a loaded database only measures. PostgreSQL and Redis are left
running.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from . import servers

PORT = 8765
ALONE_SECONDS = 5


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--sizes", default="100000,1000000", help="case counts, comma-separated")
    parser.add_argument("--concurrency", type=int, default=12, help="clients at once")
    parser.add_argument("--seconds", type=float, default=15, help="per page, under load")
    parser.add_argument("--clients", type=int, default=1000, help="bench clients (applicants)")
    parser.add_argument("--port", type=int, default=PORT)
    parser.add_argument(
        "--database",
        default=servers.SCALE_DATABASE,
        help="the bench's own database (its name must start with bangban_scale)",
    )
    parser.add_argument("--fresh", action="store_true", help="drop the bench database first")
    parser.add_argument("--drop", action="store_true", help="drop the bench database at the end")
    parser.add_argument("--only", default="", help="time only pages whose name contains this")
    parser.add_argument("--json", default="", help="also write the results to this file")
    return parser.parse_args(argv)


def _setup_django(backends: servers.Backends, data_dir: Path) -> None:
    """This process loads the data: embedded mode on the bench's database, keys in data_dir."""
    for name in [k for k in os.environ if k.startswith("BANGBAN_")]:
        del os.environ[name]
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bangban.settings",
            "BANGBAN_DATA_DIR": str(data_dir),
            "BANGBAN_DATABASE_URL": backends.database_url,
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _keys() -> dict[str, str]:
    """The keys the data were written with (made once in the data directory, then reused)."""
    from django.conf import settings

    return {
        "BANGBAN_SECRET_KEY": settings.SECRET_KEY,
        "BANGBAN_PERSONAL_DATA_KEY": settings.PERSONAL_DATA_KEY,
        "BANGBAN_AUDIT_KEY": settings.AUDIT_KEY,
    }


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _every_100k(done: int) -> None:
    if done % 100_000 == 0:
        _say(f"  {done:,} cases")


def _load(size: int, clients: int) -> dict:
    """Bring the database to ``size`` cases and the oversight figures up to date; timings."""
    from django.db import connection
    from django.utils import timezone

    from bangban.network.models import Site
    from bangban.oversight.figures.facts import refresh_facts
    from bangban.oversight.figures.rollup import refresh_rollup

    from ..loader import load_cases, load_world

    if not Site.objects.exists():
        load_world()
    started = time.perf_counter()
    added = load_cases(
        size,
        timezone.localdate(),
        clients=clients,
        progress=_every_100k,
    )
    loaded = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    started = time.perf_counter()
    refresh_facts()
    # cases that went in without events are not marked for the roll-up: count every day again
    refresh_rollup(rebuild=added > 0)
    figures = time.perf_counter() - started
    return {"added": added, "load_seconds": loaded, "figures_seconds": figures, **_sizes()}


def _sizes() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        database = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM cases_case")
        cases = cursor.fetchone()[0]
    return {"cases": cases, "database_bytes": database}


def _measure_all(platform, pages, args) -> list[dict]:
    from .traffic import measure

    found = []
    for page in pages:
        if args.only and args.only not in page.name:
            continue
        alone = measure(platform.url, page, concurrency=1, seconds=ALONE_SECONDS)
        loaded = measure(platform.url, page, concurrency=args.concurrency, seconds=args.seconds)
        row = {
            "page": page.name,
            "alone_p50_ms": alone.percentile(0.5) * 1000,
            "per_second": loaded.per_second,
            "p50_ms": loaded.percentile(0.5) * 1000,
            "p95_ms": loaded.percentile(0.95) * 1000,
            "requests": loaded.done + alone.done,
            "errors": len(alone.errors) + len(loaded.errors),
            "error_sample": (alone.errors + loaded.errors)[:3],
            "load": max(loaded.load_before, loaded.load_after),
        }
        found.append(row)
        _say(
            f"  {page.name}: {row['per_second']:.1f}/s, p50 {row['p50_ms']:.0f} ms, "
            f"p95 {row['p95_ms']:.0f} ms (alone {row['alone_p50_ms']:.0f} ms), "
            f"errors {row['errors']}, load {row['load']:.1f}"
        )
    return found


def _run_size(size: int, backends, env, args) -> dict:
    from django.db import connection

    from .pages import build

    _say(f"== {size:,} cases: loading")
    loading = _load(size, args.clients)
    _say(
        f"  added {loading['added']:,} in {loading['load_seconds']:.0f} s; oversight figures "
        f"{loading['figures_seconds']:.0f} s; database {loading['database_bytes'] / 2**20:,.0f} MB"
    )
    connection.close()  # the servers get the database to themselves
    servers.flush_redis(backends)
    platform = servers.start_platform(env, args.port, Path(env["BANGBAN_DATA_DIR"]) / "logs")
    try:
        pages = build(platform.url)
        rows = _measure_all(platform, pages, args)
    finally:
        platform.stop()
    return {**loading, "size": size, "concurrency": args.concurrency, "rows": rows}


def table(runs: list[dict]) -> str:
    """The results as one markdown table: a row per page and size."""
    lines = [
        "| page | cases | req/s | p50 | p95 | p50 alone | errors | load |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in runs:
        for row in run["rows"]:
            lines.append(
                f"| {row['page']} | {run['cases']:,} | {row['per_second']:.1f} "
                f"| {row['p50_ms']:.0f} ms | {row['p95_ms']:.0f} ms "
                f"| {row['alone_p50_ms']:.0f} ms | {row['errors']} | {row['load']:.1f} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = _arguments(argv)
    sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip())
    data_dir = servers.BASE_DIR / "var" / "scale"
    backends = servers.start_backends(args.database)
    if args.fresh:
        servers.drop_database(backends)
        backends = servers.start_backends(args.database)
    _setup_django(backends, data_dir)
    env = servers.production_env(backends, data_dir, _keys())
    runs = []
    try:
        for size in sizes:
            runs.append(_run_size(size, backends, env, args))
            print(f"\n{size:,} cases, {args.concurrency} clients at once, {os.cpu_count()} cores\n")
            print(table(runs[-1:]), flush=True)
    finally:
        if args.json:
            Path(args.json).write_text(json.dumps(runs, indent=1, ensure_ascii=False))
        if args.drop:
            from django.db import connection

            connection.close()
            servers.drop_database(backends)
    print("\n" + table(runs))
    for run in runs:
        print(
            f"- {run['cases']:,} cases: database {run['database_bytes'] / 2**20:,.0f} MB; "
            f"loaded {run['added']:,} in {run['load_seconds']:.0f} s, "
            f"oversight facts and roll-up {run['figures_seconds']:.0f} s"
        )
    if any(row["errors"] for run in runs for row in run["rows"]):
        raise SystemExit("some requests failed (see the errors column)")


if __name__ == "__main__":
    main()
