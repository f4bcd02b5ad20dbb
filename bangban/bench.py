"""``make bench``: the speed figures recorded in docs/BENCHMARKS.md.

Runs against a throw-away SQLite database (or the PostgreSQL named by
BANGBAN_BENCH_DATABASE_URL) so a real installation is never touched:

1. the working-day clock (pure functions);
2. the one write path (``case_transition``) per event;
3. the staff case list (the API's keyset page) at 10 k and 100 k cases, which must stay flat.

The list benchmark bulk-inserts case rows directly: it measures reads, and going through
the write path for 100 k cases would only measure the write path again.
"""

import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta


def _setup() -> None:
    data_dir = tempfile.mkdtemp(prefix="bangban-bench-")
    os.environ["BANGBAN_DATA_DIR"] = data_dir
    os.environ["BANGBAN_DATABASE_URL"] = os.environ.get("BANGBAN_BENCH_DATABASE_URL", "")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangban.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


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


def _world():
    from bangban.catalogue import demo as catalogue_demo
    from bangban.network import demo as network_demo
    from bangban.staff import demo as staff_demo

    county = network_demo.load()
    staff_demo.load(county)
    catalogue_demo.load(county)
    return county


def bench_write_path(county) -> None:
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


def _bulk_cases(county, total: int) -> None:
    from bangban.cases.models import Case
    from bangban.catalogue.models import ServiceItem
    from bangban.clients.services import ClientInput, client_register
    from bangban.network.models import Site

    sites = list(Site.objects.all())
    items = list(ServiceItem.objects.filter(is_published=True).select_related("current_version"))
    client = client_register(data=ClientInput(kind="person", name="基准", mobile="13800004321"))
    states = [
        "received",
        "reviewing",
        "handling",
        "awaiting_supplement",
        "suspended",
        "completed",
        "archived",
    ]
    have = Case.objects.count()
    batch = []
    for n in range(have, total):
        site = sites[n % len(sites)]
        batch.append(
            Case(
                number=f"BENCH-{n:07d}",
                service_type="proxy" if n % 2 else "assist",
                state=states[n % len(states)],
                channel="window",
                title=items[n % len(items)].name,
                client=client,
                site=site,
                due_on=date(2026, 1, 1) + timedelta(days=n % 400),
            )
        )
        if len(batch) == 5000:
            _flush(batch, items)
            batch = []
    if batch:
        _flush(batch, items)


def _flush(batch, items) -> None:
    from bangban.cases.models import Case, CaseItem, CaseSite

    created = Case.objects.bulk_create(batch)
    if created[0].pk is None:  # SQLite before 3.35 does not return ids
        created = list(Case.objects.filter(number__in=[c.number for c in batch]))
    CaseItem.objects.bulk_create(
        CaseItem(
            case=case,
            item_version=items[i % len(items)].current_version,
            department_id=items[i % len(items)].department_id,
        )
        for i, case in enumerate(created)
    )
    CaseSite.objects.bulk_create(CaseSite(site_id=case.site_id, case=case) for case in created)


def bench_list(county) -> None:
    from django.db import connection
    from django.test import Client

    from bangban.staff.models import StaffMember

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
        _bulk_cases(county, total)
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
    _setup()
    print(f"Python {sys.version.split()[0]}")
    bench_clock()
    county = _world()
    bench_write_path(county)
    bench_list(county)


if __name__ == "__main__":
    main()
