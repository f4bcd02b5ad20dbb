"""``python -m bangban.oversight.bench [cases]``: the dashboard's speed on a large year.

Runs against a throw-away SQLite database (or the PostgreSQL named by
BANGBAN_BENCH_DATABASE_URL), never a real installation. Loads the demo network, staff and
catalogue, bulk-inserts a year of cases (default 200 000) spread over every site with
their items, path sites, first events, signed forms and evaluations for two thirds of the
finished ones, then times the dashboard, a breakdown and a drill-down page for the
county supervisor and a village agent, first counted from the cases and then with the
daily roll-up. It measures reads: the rows are inserted directly, not through the write
path (with their application times spread over the year).
"""

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta


def _setup() -> None:
    os.environ["BANGBAN_DATA_DIR"] = tempfile.mkdtemp(prefix="bangban-ovbench-")
    os.environ["BANGBAN_DATABASE_URL"] = os.environ.get("BANGBAN_BENCH_DATABASE_URL", "")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangban.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _world():
    from bangban.catalogue import demo as catalogue_demo
    from bangban.network import demo as network_demo
    from bangban.staff import demo as staff_demo

    county = network_demo.load()
    staff_demo.load(county)
    catalogue_demo.load(county)
    return county


def _load(total: int, year_end: date) -> None:
    from django.utils import timezone

    from bangban.cases.models import Case, CaseEvent, CaseItem, CaseSite, Confirmation
    from bangban.catalogue.models import ServiceItem
    from bangban.clients.services import ClientInput, client_register
    from bangban.network.models import Site
    from bangban.oversight.models import Evaluation
    from bangban.staff.models import StaffMember

    rng = random.Random(2026)
    # the cases are dated over the year: keep the given application time, not "now"
    Case._meta.get_field("created_at").auto_now_add = False
    sites = list(Site.objects.all())
    agents = {}
    for agent in StaffMember.objects.filter(is_agent=True):
        agents.setdefault(agent.site_id, []).append(agent)
    items = list(ServiceItem.objects.filter(is_published=True).select_related("current_version"))
    client = client_register(data=ClientInput(kind="person", name="基准", mobile="13800004321"))
    zone = timezone.get_current_timezone()
    start = year_end - timedelta(days=364)
    done = 0
    while done < total:
        size = min(5000, total - done)
        cases, extra = [], []
        for n in range(done, done + size):
            site = sites[n % len(sites)]
            day = start + timedelta(days=rng.randrange(365))
            item = items[n % len(items)]
            promised = item.current_version.promised_limit_days or 0
            roll = rng.random()
            state = "completed" if roll < 0.75 else ("handling" if roll < 0.9 else "terminated")
            accepted = day
            due = accepted + timedelta(days=promised * 7 // 5 + 1)
            completed = None
            if state == "completed":
                completed = accepted + timedelta(days=rng.randint(0, promised * 7 // 5 + 4))
                if completed > year_end:
                    completed, state = None, "handling"
            created = timezone.make_aware(datetime.combine(day, datetime.min.time()), zone)
            created += timedelta(hours=rng.randint(8, 17))
            agent = rng.choice(agents.get(site.pk) or [None])
            cases.append(
                Case(
                    number=f"OB-{n:08d}",
                    service_type="proxy" if n % 2 else "assist",
                    state=state,
                    channel=rng.choice(["window", "window", "online", "mobile", "phone"]),
                    title=item.name,
                    client=client,
                    site=site,
                    agent=agent,
                    created_at=created,
                    accepted_on=accepted,
                    promised_days=promised,
                    due_on=due,
                    completed_on=completed,
                    closed_at=created + timedelta(days=3) if state == "terminated" else None,
                    reason_code="client_withdrew" if state == "terminated" else "",
                )
            )
            extra.append((item, agent, created, rng.random()))
        created_cases = Case.objects.bulk_create(cases)
        if created_cases[0].pk is None:
            created_cases = list(Case.objects.filter(number__in=[c.number for c in cases]))
        CaseItem.objects.bulk_create(
            CaseItem(case=c, item_version=item.current_version, department_id=item.department_id)
            for c, (item, _, _, _) in zip(created_cases, extra, strict=True)
        )
        CaseSite.objects.bulk_create(CaseSite(site_id=c.site_id, case=c) for c in created_cases)
        CaseEvent.objects.bulk_create(
            CaseEvent(
                case=c,
                seq=1,
                event="submit",
                to_state="received",
                actor_kind="staff" if c.channel == "window" else "client",
                actor_staff=agent if c.channel == "window" else None,
                actor_name="基准",
                site_id=c.site_id,
                at=at,
                prev_hash="0" * 64,
                hash="0" * 64,
            )
            for c, (_, agent, at, _) in zip(created_cases, extra, strict=True)
        )
        Confirmation.objects.bulk_create(
            Confirmation(
                case=c,
                form="entrustment" if c.service_type == "proxy" else "application",
                method="paper",
                signer="基准",
            )
            for c in created_cases
        )
        Evaluation.objects.bulk_create(
            Evaluation(
                case=c,
                service_type=c.service_type,
                site_id=c.site_id,
                agent=c.agent,
                level=5
                if r < 0.6
                else (4 if r < 0.8 else (3 if r < 0.93 else (2 if r < 0.97 else 1))),
                mode="onsite",
                channel="portal",
                created_at=at + timedelta(days=5),
            )
            for c, (_, _, at, r) in zip(created_cases, extra, strict=True)
            if c.completed_on and r < 0.67
        )
        done += size
        print(f"  loaded {done:,} cases", file=sys.stderr)


def _ms(times: list[float]) -> str:
    return f"median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms"


def _time(browser, url: str, repeat: int = 5):
    from django.db import connection

    browser.get(url)  # warm (and build the working-day table once)
    counted, times = [], []
    with connection.execute_wrapper(lambda execute, *a: counted.append(1) or execute(*a)):
        for _ in range(repeat):
            start = time.perf_counter()
            response = browser.get(url)
            times.append(time.perf_counter() - start)
            assert response.status_code == 200, (url, response.status_code)
    return times, len(counted) // repeat


def main() -> None:
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    _setup()
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from bangban.staff.models import StaffMember

    print(f"Python {sys.version.split()[0]}, {connection.vendor}, {total:,} cases over one year")
    _world()
    today = timezone.localdate()
    _load(total, today)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    from bangban.oversight.facts import refresh_facts
    from bangban.oversight.rollup import refresh_rollup

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
                times, queries = _time(browser, url)
                print(f"  {who:<20} {label:<15}: {_ms(times)}, {queries} queries")


if __name__ == "__main__":
    main()
