"""``python -m bench`` (``make bench``): the speed figures recorded in docs/BENCHMARKS.md.

Runs against a throw-away SQLite database (or the PostgreSQL named by
BANGBAN_BENCH_DATABASE_URL) so a real installation is never touched:

1. the working-day clock (pure functions);
2. the one write path (``case_transition``) per event;
3. the staff case list (the API's keyset page) at 10 k and 100 k cases, which must stay flat.

The list benchmark bulk-inserts a year of cases with ``bench.loader`` (the loader of every
benchmark): it measures reads, and going through the write path for 100 k cases would only
measure the write path again.
"""

import statistics
import sys
import time
from datetime import date

from . import throwaway_django


def _timed(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def _fmt(seconds: float) -> str:
    return f"{seconds * 1e6:.1f} µs" if seconds < 1e-3 else f"{seconds * 1000:.2f} ms"


def _ms(times: list[float]) -> str:
    return (
        f"median {_fmt(statistics.median(times))}, p90 {_fmt(sorted(times)[int(len(times) * 0.9)])}"
    )


def bench_clock() -> None:
    from bangban.workdays.rules import Pause, WorkCalendar, deadline

    calendar = WorkCalendar()
    start = date(2026, 9, 24)
    calendar.add_workdays(start, 200)  # build the year tables once, as a running server has
    add = _timed(lambda: calendar.add_workdays(start, 200), 2000)
    pauses = [Pause(date(2026, 9, 29), date(2026, 10, 9), "中止")]
    due = _timed(lambda: deadline(start, 60, pauses, calendar).explanation.lines(), 500)
    print(
        f"clock: add_workdays(+200): {_ms(add)}; deadline(60 days, 1 pause) with explanation: {_ms(due)}"
    )


def bench_write_path() -> None:
    from bangban.cases.access import Actor
    from bangban.cases.services import case_submit, case_transition
    from bangban.catalogue.models import ServiceItem
    from bangban.clients.services import ClientInput, client_register
    from bangban.staff.models import StaffMember

    agent = StaffMember.objects.filter(is_agent=True, site__code="T01V01").first()
    actor = Actor.of_staff(agent)
    client = client_register(data=ClientInput(kind="person", name="测试", mobile="13800001234"))
    item = ServiceItem.objects.filter(is_published=True).select_related("current_version").first()
    cases = [
        case_submit(
            actor=actor,
            client=client,
            service_type="proxy",
            channel="window",
            site=agent.site,
            item_versions=[item.current_version],
        )
        for _ in range(100)
    ]
    it = iter(cases)
    times = _timed(lambda: case_transition(case=next(it), event="start_review", actor=actor), 100)
    print(f"write path: case_transition (lock, table, guards, event with hash, save): {_ms(times)}")


def bench_list() -> None:
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from bangban.staff.models import StaffMember

    from .loader import load_cases

    logins = {
        "village agent": StaffMember.objects.filter(is_agent=True, site__code="T01V01")
        .first()
        .user,
        "coordinator": StaffMember.objects.filter(is_coordinator=True).first().user,
        "liaison": StaffMember.objects.filter(is_liaison=True, department__code="SCJG")
        .first()
        .user,
    }
    for total in (10_000, 100_000):
        load_cases(total, timezone.localdate(), progress=lambda done: None)
        for who, user in logins.items():
            browser = Client()
            browser.force_login(user)
            for label, url in (
                ("first page", "/api/cases?limit=50"),
                ("overdue", "/api/cases?limit=50&overdue=true"),
            ):
                browser.get(url)  # warm
                counted = []
                with connection.execute_wrapper(
                    lambda execute, *a, counted=counted: counted.append(1) or execute(*a)
                ):
                    times = _timed(lambda url=url, browser=browser: browser.get(url), 30)
                per_request = len(counted) // 30
                print(
                    f"list {total:>7,} cases, {who:<13} {label:<10}: {_ms(times)}, {per_request} queries"
                )


def main() -> None:
    throwaway_django("bangban-bench-")
    from .loader import load_world

    print(f"Python {sys.version.split()[0]}")
    bench_clock()
    load_world()
    bench_write_path()
    bench_list()


if __name__ == "__main__":
    main()
