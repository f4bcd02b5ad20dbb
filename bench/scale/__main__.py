"""``python -m bench.scale`` (``make bench-scale``): the platform at a city's scale.

    python -m bench.scale [--sizes 100000,1000000] [--concurrency 8] [--seconds 12]
                            [--repeat N] [--workers 2] [--pool 1,2|off]
                            [--fresh] [--drop] [--only TEXT] [--json FILE]

For each size (cases), smallest first: adds bench cases to the bench's own database until
it holds that many (a rerun reuses what is loaded), brings the oversight facts and daily
roll-up up to date as the nightly job would, starts gunicorn (``--workers`` sync workers,
psycopg's connection pool per ``--pool``) in production mode and a huey worker on Redis,
logs in demo staff through the login form, and times every page first from one client
(the time a request takes; Python, serial) and then from ``--concurrency`` connections at
once driven by wrk (throughput, and the wait under load; ``scripts/wrk-install``, 2 wrk
threads, a Lua script per page: ``bench/scale/wrk.py``), ``--repeat`` times over all pages
(default: twice up to 100 000 cases, else once), reporting the median.

The first page is the yardstick: ``/bench/ceiling``, a Django view with no database, no
template and no session in the same gunicorn (``BANGBAN_BENCH_CEILING``, on only here).
Every page is reported as a share of its throughput in the same run (× ceiling), with
the most SQL statements one visit took alone (the server's ``X-Bench-Queries`` header,
also on only here). After the run, the resident memory of each gunicorn worker; during it,
the machine's load average each second. Prints a markdown table per size and at the end.

``--fresh`` drops ``bangban_scale`` first; ``--drop`` drops it at the end (it is large:
about 1.4 GB per million cases); ``--database bangban_scale_100k`` keeps another size
beside it. A rerun on a loaded database only measures. PostgreSQL and Redis are left
running.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path

from . import servers
from .pages import CEILING

PORT = 8765
ALONE_SECONDS = 5


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--sizes", default="100000,1000000", help="case counts, comma-separated")
    parser.add_argument(
        "--concurrency", type=int, default=8, help="wrk's connections at once (2 threads)"
    )
    parser.add_argument(
        "--seconds", type=float, default=12, help="per page, under load (whole seconds)"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="runs under load per page, the median reported (default 2 up to 100 000 cases, "
        "else 1)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument(
        "--pool",
        default="1,2",
        help="psycopg connection pool per worker, min,max (BANGBAN_DB_POOL); off for none",
    )
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


def repeats_for(size: int, repeat: int | None) -> int:
    """Runs under load per page: as asked, else the median of 2 up to 100 000 cases, then 1."""
    if repeat is not None:
        return max(1, repeat)
    return 2 if size <= 100_000 else 1


def median_row(found: list[dict]) -> dict:
    """One page's row from its runs under load: the median of each timing, all the errors."""
    first = found[0]
    queries = [row["queries"] for row in found if row["queries"] is not None]
    return {
        **first,
        "per_second": statistics.median(row["per_second"] for row in found),
        "p50_ms": statistics.median(row["p50_ms"] for row in found),
        "p95_ms": statistics.median(row["p95_ms"] for row in found),
        "requests": sum(row["requests"] for row in found),
        "errors": sum(row["errors"] for row in found),
        "error_sample": [e for row in found for e in row["error_sample"]][:3],
        "load": max(row["load"] for row in found),
        "queries": max(queries) if queries else None,
        "runs_per_second": [row["per_second"] for row in found],
    }


def with_ratios(rows: list[dict], ceiling: float) -> list[dict]:
    """Each row with its throughput as a share of the ceiling's (``ceiling_ratio``)."""
    return [
        {**row, "ceiling_ratio": row["per_second"] / ceiling if ceiling else float("nan")}
        for row in rows
    ]


def ratio_text(ratio: float) -> str:
    """A share of the ceiling to two significant figures: 0.51, 0.013, 0.00060."""
    if not ratio or math.isnan(ratio) or ratio < 0:
        return "–"
    if ratio >= 1:
        return f"{ratio:.2f}"
    decimals = max(2, 1 - math.floor(math.log10(ratio)))
    return f"{ratio:.{decimals}f}"


def row_of(page: str, alone, loaded) -> dict:
    """One page's row from its run alone (``traffic.Result``) and under wrk's load."""
    return {
        "page": page,
        "alone_p50_ms": alone.percentile(0.5) * 1000,
        "per_second": loaded.per_second,
        "p50_ms": loaded.p50_ms,
        "p95_ms": loaded.p95_ms,
        "requests": loaded.requests + alone.done,
        "errors": len(alone.errors) + loaded.errors,
        "error_sample": (alone.errors + loaded.sample)[:3],
        "load": max(loaded.load, alone.load),
        # the most SQL statements one visit took alone (X-Bench-Queries), when the server said
        "queries": max(alone.queries, default=None),
    }


def _measure_all(platform, pages, args, repeat: int) -> list[dict]:
    """Every page alone once, then under load ``repeat`` times (all pages, then again)."""
    from . import wrk
    from .traffic import measure

    chosen = [p for p in pages if not args.only or args.only in p.name]
    if chosen and chosen[0].name != CEILING:  # the yardstick comes first, always
        chosen = [pages[0], *chosen]
    alone: dict = {}
    runs: dict[str, list[dict]] = {p.name: [] for p in chosen}
    for turn in range(repeat):
        for page in chosen:
            if page.name not in alone:
                alone[page.name] = measure(platform.url, page, concurrency=1, seconds=ALONE_SECONDS)
            assert page.load is not None, page.name
            loaded = wrk.run(
                args.wrk,
                platform.url,
                page.load,
                concurrency=args.concurrency,
                seconds=args.seconds,
            )
            row = row_of(page.name, alone[page.name], loaded)
            runs[page.name].append(row)
            _say(
                f"  [{turn + 1}/{repeat}] {page.name}: {row['per_second']:.1f}/s, "
                f"p50 {row['p50_ms']:.0f} ms, p95 {row['p95_ms']:.0f} ms "
                f"(alone {row['alone_p50_ms']:.0f} ms), queries {row['queries']}, "
                f"errors {row['errors']}, load {row['load']:.1f}"
            )
    return [median_row(found) for found in runs.values()]


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
    repeat = repeats_for(size, args.repeat)
    try:
        pages = build(platform.url)
        connection.close()  # the sample is drawn: nothing of the bench's left on the server
        rows = _measure_all(platform, pages, args, repeat)
        memory = servers.worker_memory(platform.web.pid)  # after the run, before the stop
        shared = servers.worker_pss(platform.web.pid)
    finally:
        platform.stop()
    ceiling = next((row["per_second"] for row in rows if row["page"] == CEILING), 0.0)
    loads = [row["load"] for row in rows]
    return {
        **loading,
        "size": size,
        "concurrency": args.concurrency,
        "seconds": args.seconds,
        "repeat": repeat,
        "workers": args.workers,
        "pool": args.pool,
        "ceiling_per_second": ceiling,
        "worker_rss_bytes": memory,
        "worker_pss_bytes": shared,
        "load_low": min(loads, default=0.0),
        "load_high": max(loads, default=0.0),
        "rows": with_ratios(rows, ceiling),
    }


def table(runs: list[dict]) -> str:
    """The results as one markdown table: a row per page and size (queries if counted)."""
    counted = any(row.get("queries") is not None for run in runs for row in run["rows"])
    head = ["page", "cases", "req/s", "× ceiling", "p50", "p95", "alone"]
    head += ["queries"] * counted + ["errors"]
    lines = [
        "| " + " | ".join(head) + " |",
        "| --- |" + " ---: |" * (len(head) - 1),
    ]
    for run in runs:
        for row in run["rows"]:
            cells = [
                row["page"],
                f"{run['cases']:,}",
                f"{row['per_second']:,.1f}",
                ratio_text(row["ceiling_ratio"]),
                f"{row['p50_ms']:,.0f} ms",
                f"{row['p95_ms']:,.0f} ms",
                f"{row['alone_p50_ms']:,.0f} ms",
            ]
            if counted:
                cells.append("" if row.get("queries") is None else str(row["queries"]))
            cells.append(str(row["errors"]))
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def size_line(run: dict) -> str:
    """What the table needs beside it, per size: the ceiling, the workers' memory, the load."""
    memory = ", ".join(f"{rss / 2**20:,.0f}" for rss in run["worker_rss_bytes"]) or "?"
    shared = ", ".join(f"{pss / 2**20:,.0f}" for pss in run.get("worker_pss_bytes", [])) or "?"
    runs = "1 run" if run["repeat"] == 1 else f"median of {run['repeat']} runs"
    return (
        f"- {run['cases']:,} cases: ceiling {run['ceiling_per_second']:,.0f} req/s; "
        f"{run['workers']} gunicorn workers, memory after the run {memory} MB "
        f"(proportional share {shared} MB); "
        f"load average {run['load_low']:.1f}–{run['load_high']:.1f}; "
        f"wrk: {run['concurrency']} connections × {run['seconds']:g} s per page, {runs}; "
        f"connection pool {run['pool'] or 'off'}"
    )


def main(argv: list[str] | None = None) -> None:
    args = _arguments(argv)
    sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip())
    data_dir = servers.BASE_DIR / "var" / "scale"
    backends = servers.start_backends(args.database)
    args.wrk = servers.wrk_path()  # the load generator, before hours of loading
    if args.fresh:
        servers.drop_database(backends)
        backends = servers.start_backends(args.database)
    _setup_django(backends, data_dir)
    pool = "" if args.pool.strip().lower() in {"", "off", "0"} else args.pool
    args.pool = pool
    env = servers.production_env(backends, data_dir, _keys(), workers=args.workers, pool=pool)
    runs = []
    try:
        for size in sizes:
            runs.append(_run_size(size, backends, env, args))
            print(
                f"\n{size:,} cases, {args.concurrency} connections at once (wrk), "
                f"{os.cpu_count()} cores\n"
            )
            print(table(runs[-1:]))
            print("\n" + size_line(runs[-1]), flush=True)
    finally:
        if args.json:
            Path(args.json).write_text(json.dumps(runs, indent=1, ensure_ascii=False))
        if args.drop:
            from django.db import connection

            connection.close()
            servers.drop_database(backends)
    print("\n" + table(runs) + "\n")
    for run in runs:
        print(size_line(run))
        print(
            f"- {run['cases']:,} cases: database {run['database_bytes'] / 2**20:,.0f} MB; "
            f"loaded {run['added']:,} in {run['load_seconds']:.0f} s, "
            f"oversight facts and roll-up {run['figures_seconds']:.0f} s"
        )
    if any(row["errors"] for run in runs for row in run["rows"]):
        raise SystemExit("some requests failed (see the errors column)")


if __name__ == "__main__":
    main()
