"""The one loader of the benchmarks: the demo world and a year of bulk-inserted cases.

Shared by ``bench`` (the case list), ``bench.dashboard`` (the dashboard on a large year)
and ``bench.scale`` (the whole platform under HTTP load). The world is the demo's network,
staff and catalogue, loaded from their data files through the administrators' imports.
The cases are written directly, not through the write path (``case_transition``): these
benchmarks measure reads, and the write path for a million cases would only measure the
write path again.

Each case gets its item, its path site, a first event, a signed form, and, for two thirds
of the finished ones, an evaluation, with application times spread over the year ending
``year_end``. On PostgreSQL the rows go in with ``COPY`` (several times faster than
``INSERT``: a million cases is a matter of minutes on two cores); elsewhere with
``bulk_create``. Either way in batches, so memory stays flat whatever the total.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from django.db import connection, transaction

BATCH = 5000
NUMBER_PREFIX = "OB-"
CLIENT_NAME = "基准"


def load_world():
    """The demo county (network, staff with password ``bangban2026``, catalogue); its centre."""
    from bangban.catalogue import demo as catalogue_demo
    from bangban.network import demo as network_demo
    from bangban.staff import demo as staff_demo

    county = network_demo.load()
    staff_demo.load(county)
    catalogue_demo.load(county)
    return county


def bench_mobile(index: int) -> str:
    """The phone of the ``index``-th bench client (the first is the one the benches always had)."""
    return "13800004321" if index == 0 else f"139{index:08d}"


def bench_clients(count: int) -> list:
    """The bench's clients, oldest first, creating the missing ones (encrypted as usual)."""
    from bangban.clients.models import Client
    from bangban.clients.services import ClientInput, client_register

    found = list(Client.objects.filter(name=CLIENT_NAME).order_by("pk")[:count])
    for index in range(len(found), count):
        data = ClientInput(kind="person", name=CLIENT_NAME, mobile=bench_mobile(index))
        found.append(client_register(data=data))
    return found


def loaded_count() -> int:
    """How many bench cases the database holds (a rerun adds only the missing ones)."""
    from bangban.cases.models import Case

    return Case.objects.filter(number__startswith=NUMBER_PREFIX).count()


def load_cases(
    total: int,
    year_end: date,
    *,
    clients: int = 1,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Add bench cases until there are ``total``; return how many were added.

    ``clients`` spreads the cases over that many clients (the public progress lookup needs
    a case number and its client's phone: ``bench_mobile``). The first ``total`` cases of a
    fresh database are the same on every run (a fixed seed).
    """
    from bangban.cases.models import Case
    from bangban.catalogue.models import ServiceItem
    from bangban.network.models import Site
    from bangban.staff.models import StaffMember

    have = loaded_count()
    world = _World(
        # the querysets (and so the orders) the oversight bench always used
        sites=list(Site.objects.all()),
        agents=_agents_by_site(StaffMember.objects.filter(is_agent=True)),
        items=list(ServiceItem.objects.filter(is_published=True).select_related("current_version")),
        clients=bench_clients(clients),
        start=year_end - timedelta(days=364),
        year_end=year_end,
        # the same seed as always for a fresh load; a continued load draws its own numbers
        rng=random.Random(2026 if have == 0 else 2026 + have),
    )
    done = have
    with _dated_as_given(Case):
        while done < total:
            size = min(BATCH, total - done)
            with transaction.atomic():
                _write_batch(world, range(done, done + size))
            done += size
            (progress or _print_progress)(done)
    return done - have


@contextmanager
def _dated_as_given(model):
    """Keep the application times drawn over the year instead of "now", for these rows only."""
    created_at = model._meta.get_field("created_at")
    created_at.auto_now_add = False
    try:
        yield
    finally:
        created_at.auto_now_add = True


def _print_progress(done: int) -> None:
    print(f"  loaded {done:,} cases", file=sys.stderr)


def _agents_by_site(agents) -> dict[int, list]:
    found: dict[int, list] = {}
    for agent in agents:
        found.setdefault(agent.site_id, []).append(agent)
    return found


class _World:
    def __init__(self, *, sites, agents, items, clients, start, year_end, rng):
        from django.utils import timezone

        self.sites, self.agents, self.items, self.clients = sites, agents, items, clients
        self.start, self.year_end, self.rng = start, year_end, rng
        self.zone = timezone.get_current_timezone()


def _new_case(world: _World, n: int):
    """Case number ``n``, and what its other rows need: (case, item, agent, created, roll)."""
    from django.utils import timezone

    from bangban.cases.models import Case

    rng = world.rng
    site = world.sites[n % len(world.sites)]
    day = world.start + timedelta(days=rng.randrange(365))
    item = world.items[n % len(world.items)]
    promised = item.current_version.promised_limit_days or 0
    roll = rng.random()
    state = "completed" if roll < 0.75 else ("handling" if roll < 0.9 else "terminated")
    accepted = day
    due = accepted + timedelta(days=promised * 7 // 5 + 1)
    completed = None
    if state == "completed":
        completed = accepted + timedelta(days=rng.randint(0, promised * 7 // 5 + 4))
        if completed > world.year_end:
            completed, state = None, "handling"
    created = timezone.make_aware(datetime.combine(day, datetime.min.time()), world.zone)
    created += timedelta(hours=rng.randint(8, 17))
    agent = rng.choice(world.agents.get(site.pk) or [None])
    case = Case(
        number=f"{NUMBER_PREFIX}{n:08d}",
        service_type="proxy" if n % 2 else "assist",
        state=state,
        channel=rng.choice(["window", "window", "online", "mobile", "phone"]),
        title=item.name,
        client=world.clients[n % len(world.clients)],
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
    return case, item, agent, created, rng.random()


def _write_batch(world: _World, numbers: Iterable[int]) -> None:
    from bangban.cases.models import Case, CaseEvent, CaseItem, CaseSite, Confirmation
    from bangban.oversight.models import Evaluation

    drawn = [_new_case(world, n) for n in numbers]
    cases = [case for case, *_ in drawn]
    insert_rows(Case, cases, need_ids=True)
    insert_rows(
        CaseItem,
        [
            CaseItem(case=c, item_version=item.current_version, department_id=item.department_id)
            for c, item, *_ in drawn
        ],
    )
    insert_rows(CaseSite, [CaseSite(site_id=c.site_id, case=c) for c in cases])
    insert_rows(
        CaseEvent,
        [
            CaseEvent(
                case=c,
                seq=1,
                event="submit",
                to_state="received",
                actor_kind="staff" if c.channel == "window" else "client",
                actor_staff=agent if c.channel == "window" else None,
                actor_name=CLIENT_NAME,
                site_id=c.site_id,
                at=at,
                prev_hash="0" * 64,
                hash="0" * 64,
            )
            for c, _, agent, at, _ in drawn
        ],
    )
    insert_rows(
        Confirmation,
        [
            Confirmation(
                case=c,
                form="entrustment" if c.service_type == "proxy" else "application",
                method="paper",
                signer=CLIENT_NAME,
            )
            for c in cases
        ],
    )
    insert_rows(
        Evaluation,
        [
            Evaluation(
                case=c,
                service_type=c.service_type,
                site_id=c.site_id,
                agent=c.agent,
                level=_level(r),
                mode="onsite",
                channel="portal",
                created_at=at + timedelta(days=5),
            )
            for c, _, _, at, r in drawn
            if c.completed_on and r < 0.67
        ],
    )


def _level(r: float) -> int:
    """A satisfaction level: mostly 5, a few poor ones."""
    return 5 if r < 0.6 else (4 if r < 0.8 else (3 if r < 0.93 else (2 if r < 0.97 else 1)))


# --- writing rows -----------------------------------------------------------------------


def insert_rows(model, rows: list, *, need_ids: bool = False) -> None:
    """Insert ``rows``; with ``need_ids`` each row has its id afterwards (children point to it)."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        if need_ids:
            _reserve_ids(model, rows)
        _copy(model, rows)
        return
    created = model.objects.bulk_create(rows)
    if need_ids and created[0].pk is None:  # SQLite before 3.35 returns no ids
        by_number = model.objects.in_bulk([r.number for r in rows], field_name="number")
        for row in rows:
            row.pk = by_number[row.number].pk


def _reserve_ids(model, rows: list) -> None:
    """Take ids from the table's own sequence, so COPY can write them and others still can."""
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, pk, len(rows)],
        )
        for row, (value,) in zip(rows, cursor.fetchall(), strict=True):
            row.pk = value


def _copy(model, rows: list) -> None:
    """``COPY … FROM STDIN`` the rows' concrete fields, each prepared as Django would save it."""
    fields = [
        f
        for f in model._meta.concrete_fields
        if not (f.primary_key and getattr(rows[0], f.attname) is None)
    ]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row([f.get_db_prep_save(f.pre_save(row, True), connection) for f in fields])
