"""``python -m bench.dashboard [cases]``: the dashboard's speed on a large year.

Runs against a throw-away SQLite database (or the PostgreSQL named by
BANGBAN_BENCH_DATABASE_URL), never a real installation. Loads the demo network, staff and
catalogue, bulk-inserts a year of cases (default 200 000) spread over every site with
their items, path sites, first events, signed forms and evaluations for two thirds of the
finished ones, then times the dashboard, a breakdown and a drill-down page for the
county supervisor and a village agent, first counted from the cases and then with the
daily roll-up. It measures reads: the rows are inserted directly, not through the write
path (with their application times spread over the year), by the benchmarks' one loader
(``bench.loader``: COPY on PostgreSQL).
"""

import statistics
import sys
import time
from datetime import timedelta

from . import throwaway_django


def _ms(times: list[float]) -> str:
    return f"median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms"


def _time(browser, url: str, repeat: int = 5):
    from django.db import connection

    browser.get(url)  # warm (and build the working-day table once)
    counted: list[tuple[float, str]] = []
    times = []

    def timed(execute, sql, *args):
        start = time.perf_counter()
        try:
            return execute(sql, *args)
        finally:
            counted.append((time.perf_counter() - start, sql))

    with connection.execute_wrapper(timed):
        for _ in range(repeat):
            start = time.perf_counter()
            response = browser.get(url)
            times.append(time.perf_counter() - start)
            assert response.status_code == 200, (url, response.status_code)
    return times, len(counted) // repeat, counted


def _slowest(counted: list[tuple[float, str]], repeat: int = 5, shown: int = 4) -> None:
    """The queries that cost most per view (summed over the runs, by their table)."""
    per: dict[str, float] = {}
    for spent, sql in counted:
        table = sql.split(" FROM ", 1)[-1].split()[0].strip('"') if " FROM " in sql else sql[:30]
        per[table] = per.get(table, 0.0) + spent
    for table, spent in sorted(per.items(), key=lambda kv: -kv[1])[:shown]:
        print(f"      {spent / repeat * 1000:6.1f} ms per view in queries from {table}")


def main() -> None:
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    throwaway_django("bangban-ovbench-")
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from bangban.staff.models import StaffMember

    print(f"Python {sys.version.split()[0]}, {connection.vendor}, {total:,} cases over one year")
    from .loader import load_cases, load_world

    load_world()
    today = timezone.localdate()
    load_cases(total, today)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    from bangban.oversight.figures.facts import refresh_facts
    from bangban.oversight.figures.rollup import refresh_rollup

    start = time.perf_counter()
    built = refresh_facts()
    print(f"per-case facts built once for {built:,} cases: {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    rows = refresh_rollup()
    print(f"daily roll-up built once: {rows:,} rows in {time.perf_counter() - start:.1f} s")
    period = f"start={today - timedelta(days=364):%Y-%m-%d}&end={today:%Y-%m-%d}"
    logins = {
        "supervisor (county)": StaffMember.objects.filter(is_supervisor=True).first().user,
        "village agent": StaffMember.objects.filter(is_agent=True, site__level="village")
        .first()
        .user,
    }
    from django.conf import settings

    for rolled in (False, True):
        settings.OVERSIGHT_ROLLUP = rolled
        print(
            "with the daily roll-up" if rolled else "counted from the cases (OVERSIGHT_ROLLUP off)"
        )
        for who, user in logins.items():
            browser = Client()
            browser.force_login(user)
            for label, url in (
                ("dashboard", f"/oversight/?{period}"),
                ("by agent", f"/oversight/breakdown/agent/?{period}"),
                ("missed on time", f"/oversight/list/on_time/?{period}&part=missed"),
            ):
                times, queries, counted = _time(browser, url)
                print(f"  {who:<20} {label:<15}: {_ms(times)}, {queries} queries")
                if label == "dashboard":
                    _slowest(counted)


if __name__ == "__main__":
    main()
