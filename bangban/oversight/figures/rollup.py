"""The daily roll-up: a year's case and evaluation figures from a few thousand rows.

Why: counted from the cases, each figure scans the period's cases, and the dashboard shows
about thirty; on a large city's year (200 000 cases, PostgreSQL) that was 1.3–3.7 s a view.
``DailyFigure`` holds, per day, site and agent, the counts each case and evaluation figure
needs (population and met, volumes, handling days), built with the figures' own
definitions from ``definitions`` (the same ``Metric`` objects, so there is one definition).

Which days: every day up to the job's today. Days before ``RollupState.through`` (the
working day before today) are settled: what they count no longer changes with the date.
The live days from there to ``RollupState.counted_on`` (today and the working day before,
when an application may still be inside its response window and a case due yesterday has
just become overdue) are counted as of ``counted_on``, and a view reads them only on that
day: on another day (the job has not run since midnight) they are counted from the cases,
as is any day after ``counted_on`` a period reaches (none holds anything yet: every date a
figure reads is the day something happened, or a due date that has passed).

The same job also rolls up the suspensions and terminations by reason
(``DailyReasonCount``) and the steps along the path (``DailyPathStep``: a (case, step) on
the day a site, and a region, first did it; ``path.py``) and the published evaluation
results by level at each evaluation's own site and agent (``DailyEvaluationLevel``;
``published.py``), so those panels sum rows too.

Staying right: the figures job (``jobs.py``) claims the changes not yet counted, and
``facts`` recomputes each changed case's fact; that marks the case's days (application,
acceptance, completion, closing, due date, its evaluations, suspensions and steps) dirty here, and ``refresh_rollup``, run
by the job right after, rebuilds those days for every site (so a case that moved site is
counted at its new one). An upheld appeal or a return visit changes what an evaluation
counts without a case event: the records publish it and it is claimed the same way (an
``UncountedChange`` of the evaluation's case). A working-day calendar change or
``oversight_facts --rebuild`` rebuilds it. A page only reads (``reading``): until the job
has run, a rolled day shows what it counted last.

Who may use it: a scope the roll-up answers exactly, i.e. a site (with or without its
subtree) whose every case the person may see (``sees_every_case_at``), optionally one
agent, and no item, category, channel or service-type filter; grouped by unit, site,
agent or month. Anything else is counted from the cases (``split`` decides).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, timedelta
from functools import reduce
from operator import or_
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from bangban.cases import changes
from bangban.cases.access import SYSTEM, sees_every_case_at
from bangban.cases.models import Case, CaseEvent, ChangeCounter
from bangban.catalogue.models import CatalogueVersion

from ..models import (
    GOOD_LEVELS,
    DailyEvaluationLevel,
    DailyFigure,
    DailyPathStep,
    DailyReasonCount,
    Evaluation,
    RollupDirtyDay,
    RollupState,
    WorkdayOrdinal,
    WorkdayOrdinalState,
)
from . import claim, live
from . import definitions as metrics
from .ordinals import table_fingerprint

FIRST_DAY = date(2000, 1, 1)  # the roll-up starts here; a period reaching earlier is counted live
SOURCES = {
    "cases": ["on_time", "response", "resolution", "records"],
    "evaluations": ["satisfaction", "return_visits"],
}
# How each source reaches a figure row's site and agent (an evaluation: its case's).
KEYS = {"cases": ("site_id", "agent_id"), "evaluations": ("case__site_id", "case__agent_id")}
ROLLABLE_GROUPS = ("", "unit", "site", "agent", "month")

# (through, counted_on, generation, live version) read once per page view (``reading``)
_STATE: ContextVar[tuple[date | None, date | None, int | None, tuple | None] | None] = ContextVar(
    "oversight_rollup_state", default=None
)
R = TypeVar("R")
REMEMBERED_TTL = 60 * 60 * 24  # a new generation is a new key; this only bounds memory
SUSPENSION = DailyReasonCount.Kind.SUSPENSION
TERMINATION = DailyReasonCount.Kind.TERMINATION


# --- building ---------------------------------------------------------------------------


def horizon(today: date) -> date:
    """The first day that is still counted live: the working day before ``today`` (an
    application of that day may still be inside its one-working-day response window)."""
    today_ord = WorkdayOrdinal.objects.filter(day=today).values_list("ordinal", flat=True).first()
    if today_ord is None:
        return today - timedelta(days=14)
    first = (
        WorkdayOrdinal.objects.filter(ordinal__gte=today_ord - 1, day__lte=today)
        .order_by("day")
        .values_list("day", flat=True)
        .first()
    )
    return min(first or today, today)


def _day_of(part: metrics.DatePart):
    return (
        TruncDate(part.column, tzinfo=timezone.get_current_timezone())
        if part.instant
        else F(part.column)
    )


def _columns(source: str, scope: metrics.Scope) -> dict[tuple[str, bool], dict]:
    """{(field, instant): {column: aggregate}}: the columns each dating column fills."""
    columns: dict[tuple[str, bool], dict] = defaultdict(dict)
    for code in SOURCES[source]:
        metric = metrics.METRICS[code]
        for part in metric.dated.parts:
            counted = part.only & metric.counts(scope)
            key = (part.column, part.instant)
            columns[key][f"{code}_total"] = Count("pk", filter=counted)
            columns[key][f"{code}_met"] = Count("pk", filter=counted & metric.met)
    if source == "cases":
        # the cases overdue now, by due date at the case's site: running and due before the
        # day counted as of (``overdue_now``)
        columns[("due_on", False)]["overdue_open"] = Count(
            "pk", filter=metrics.overdue_open_q(scope.narrowed(site=None))
        )
        for code, (dating, condition) in metrics.VOLUME_RULES.items():
            for part in dating.parts:
                key = (part.column, part.instant)
                columns[key][f"vol_{code}"] = Count("pk", filter=part.only & condition)
        for part in metrics.METRICS["on_time"].dated.parts:
            counted = part.only & metrics.handling_filter(scope)
            key = (part.column, part.instant)
            columns[key]["handling_n"] = Count(f"{metrics.FACT}net_days", filter=counted)
            columns[key]["handling_sum"] = Coalesce(
                Sum(f"{metrics.FACT}net_days", filter=counted), 0, output_field=IntegerField()
            )
    return columns


def _in_ranges(part: metrics.DatePart, ranges) -> Q:
    return reduce(or_, (metrics.DatePart(part.column, part.instant).q(a, b) for a, b in ranges))


def _count(ranges: list[tuple[date, date]], today: date) -> list[DailyFigure]:
    """The figure rows of these day ranges, counted from the cases and evaluations."""
    scope = metrics.Scope(
        actor=SYSTEM, period=metrics.Period(ranges[0][0], ranges[-1][1]), today=today
    )
    rows: dict[tuple, dict] = defaultdict(lambda: defaultdict(int))
    for source, model in (("cases", Case), ("evaluations", Evaluation)):
        site_field, agent_field = KEYS[source]
        for (field, instant), columns in _columns(source, scope).items():
            part = metrics.DatePart(field, instant)
            # credit along the path: a column's rows count at the site that did that step
            credited = metrics.credited_site(field) if source == "cases" else None
            site = Coalesce(F(credited), F(site_field)) if credited else F(site_field)
            found = (
                model.objects.filter(_in_ranges(part, ranges))
                .annotate(_d=_day_of(part), _s=site, _a=F(agent_field))
                .order_by()
                .values("_d", "_s", "_a")
                .annotate(**columns)
            )
            for row in found:
                counts = rows[(row.pop("_d"), row.pop("_s"), row.pop("_a"))]
                for column, value in row.items():
                    counts[column] += value or 0
    return [
        DailyFigure(day=day, site_id=site, agent_id=agent, **counts)
        for (day, site, agent), counts in rows.items()
        if any(counts.values())
    ]


def _count_reasons(ranges: list[tuple[date, date]]) -> list[DailyReasonCount]:
    """The reason rows of these day ranges, counted as ``metrics.suspensions_by_reason`` and
    ``terminations_by_reason`` count them: a suspension at the event's site (``site``) while
    its case is now at ``case_site``; a termination at the case's current site (both)."""
    zone = timezone.get_current_timezone()
    at = metrics.DatePart("at", True)
    suspensions = (
        CaseEvent.objects.filter(Q(event="suspend") & _in_ranges(at, ranges))
        .annotate(
            _d=TruncDate("at", tzinfo=zone),
            _s=F("site_id"),
            _c=F("case__site_id"),
            _a=F("case__agent_id"),
            _r=KT("details__reason_code"),
        )
        .order_by()
        .values("_d", "_s", "_c", "_a", "_r")
        .annotate(n=Count("pk"))
    )
    closed = metrics.DatePart("closed_at", True)
    terminations = (
        Case.objects.filter(metrics._terminated_q() & _in_ranges(closed, ranges))
        .annotate(
            _d=TruncDate("closed_at", tzinfo=zone),
            _s=F("site_id"),
            _c=F("site_id"),
            _a=F("agent_id"),
            _r=F("reason_code"),
        )
        .order_by()
        .values("_d", "_s", "_c", "_a", "_r")
        .annotate(n=Count("pk"))
    )
    return [
        DailyReasonCount(
            kind=kind,
            day=row["_d"],
            site_id=row["_s"],
            case_site_id=row["_c"],
            agent_id=row["_a"],
            reason=row["_r"] or "",
            count=row["n"],
        )
        for kind, found in ((SUSPENSION, suspensions), (TERMINATION, terminations))
        for row in found
    ]


def _count_levels(ranges: list[tuple[date, date]]) -> list[DailyEvaluationLevel]:
    """The published-results rows of these day ranges (``DailyEvaluationLevel``): the
    evaluations by level at their own site and agent, as ``published`` counts them."""
    created = metrics.DatePart("created_at", True)
    kept = Q(excluded=False)
    columns = {f"level_{n}": Count("pk", filter=Q(level=n)) for n in range(1, 6)}
    columns |= {
        "counted": Count("pk", filter=kept),
        "met": Count("pk", filter=kept & Q(level__in=GOOD_LEVELS)),
    }
    found = (
        Evaluation.objects.filter(_in_ranges(created, ranges))
        .annotate(_d=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values("_d", "site_id", "agent_id")
        .annotate(**columns)
    )
    return [
        DailyEvaluationLevel(
            day=row.pop("_d"), site_id=row.pop("site_id"), agent_id=row.pop("agent_id"), **row
        )
        for row in found
    ]


def depth(site) -> int:
    """How deep a site is in the network (``Site.path``: one id and a slash per level)."""
    return site.path.count("/")


def _count_path(ranges: list[tuple[date, date]]) -> list[DailyPathStep]:
    """The path-step rows of these day ranges (``DailyPathStep``): each site's first event
    of a step for a case, with the highest region it was the case's first in."""
    zone = timezone.get_current_timezone()
    at = metrics.DatePart("at", True)
    firsts = (
        CaseEvent.objects.filter(event__in=list(metrics.PATH_EVENTS), site__isnull=False)
        .filter(_in_ranges(at, ranges))
        .exclude(metrics.done_before(site_id=OuterRef("site_id")))
    )
    rows: dict[tuple, int] = defaultdict(int)
    # nearly always: no site did the step before, so it is the first in every region
    plain = (
        firsts.exclude(metrics.done_before(site__isnull=False))
        .annotate(_d=TruncDate("at", tzinfo=zone))
        .order_by()
        .values("_d", "site_id", "actor_staff_id", "event")
        .annotate(n=Count("pk"))
    )
    for row in plain:
        key = (row["_d"], row["site_id"], row["actor_staff_id"], row["event"], 1)
        rows[key] += row["n"]
    # done before at another site (a relay): walk up this site's path while no site of the
    # region had done it before
    later = list(
        firsts.filter(metrics.done_before(site__isnull=False)).values_list(
            "case_id", "event", "seq", "at", "site_id", "site__path", "actor_staff_id"
        )
    )
    earlier: dict[tuple, list[tuple[int, str]]] = defaultdict(list)
    case_ids = sorted({row[0] for row in later})
    for i in range(0, len(case_ids), 500):
        for case_id, event, seq, path in CaseEvent.objects.filter(
            case_id__in=case_ids[i : i + 500],
            event__in=list(metrics.PATH_EVENTS),
            site__isnull=False,
        ).values_list("case_id", "event", "seq", "site__path"):
            earlier[(case_id, event)].append((seq, path))
    for case_id, event, seq, instant, site_id, path, agent_id in later:
        before = [p for s, p in earlier[(case_id, event)] if s < seq]
        ids = path.split("/")[:-1]
        region_depth = None
        for level in range(len(ids), 0, -1):  # this site, then each site above it
            region = "/".join(ids[:level]) + "/"
            if any(p.startswith(region) for p in before):
                break
            region_depth = level
        rows[(timezone.localdate(instant, zone), site_id, agent_id, event, region_depth)] += 1
    return [
        DailyPathStep(
            day=day,
            site_id=site_id,
            agent_id=agent_id,
            step=metrics.PATH_EVENTS[event],
            region_depth=region_depth,
            count=n,
        )
        for (day, site_id, agent_id, event, region_depth), n in rows.items()
    ]


def _merged(ranges: list[tuple[date, date]]) -> list[tuple[date, date]]:
    merged: list[tuple[date, date]] = []
    for first, after in sorted(ranges):
        if merged and first <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(after, merged[-1][1]))
        else:
            merged.append((first, after))
    return merged


def nothing_to_roll(today: date | None = None) -> bool:
    """Built with the table's calendar, the live days counted as of today, and no day
    marked to count again."""
    today = today or timezone.localdate()
    state = RollupState.objects.first()
    return (
        state is not None
        and state.fingerprint == table_fingerprint()
        and state.through is not None
        and state.counted_on == today
        and state.through >= horizon(today)
        and not RollupDirtyDay.objects.exists()
    )


def refresh_rollup(*, rebuild: bool = False, today: date | None = None) -> int:
    """Count the days up to ``today`` again where needed; return figure rows written.

    Dirty days are counted again; on a new day (``counted_on`` is not ``today``) every day
    from ``through`` on too: the live days then change with the date alone.

    Callers bring ``CaseFact`` and the working-day table up to date first (``facts``): the
    figures job, the nightly comparison, ``oversight_facts`` and the demo do.
    """
    today = today or timezone.localdate()
    if not rebuild and nothing_to_roll(today):
        return 0
    until = horizon(today)
    end = today + timedelta(days=1)  # every day up to today has its rows
    calendar = table_fingerprint()
    with transaction.atomic():
        claim.take(wait=True)  # never beside a batch of facts (``claim.py``)
        state = RollupState.objects.select_for_update().first() or RollupState.objects.create()
        if rebuild or state.fingerprint != calendar:
            DailyFigure.objects.all().delete()
            DailyReasonCount.objects.all().delete()
            DailyPathStep.objects.all().delete()
            DailyEvaluationLevel.objects.all().delete()
            RollupDirtyDay.objects.all().delete()
            state.through = None
        dirty = list(RollupDirtyDay.objects.values_list("pk", "day"))
        if state.through is None:
            ranges = [(FIRST_DAY, end)]
        else:
            ranges = [(d, d + timedelta(days=1)) for _, d in dirty if d < end]
            if state.counted_on != today:
                ranges.append((min(state.through, until), end))
        ranges = _merged(ranges)
        written = 0
        if ranges:
            figures = _count(ranges, today)
            reasons = _count_reasons(ranges)
            steps = _count_path(ranges)
            levels = _count_levels(ranges)
            days = reduce(or_, (Q(day__gte=a, day__lt=b) for a, b in ranges))
            DailyFigure.objects.filter(days).delete()
            DailyReasonCount.objects.filter(days).delete()
            DailyPathStep.objects.filter(days).delete()
            DailyEvaluationLevel.objects.filter(days).delete()
            DailyFigure.objects.bulk_create(figures, batch_size=2000)
            DailyReasonCount.objects.bulk_create(reasons, batch_size=2000)
            DailyPathStep.objects.bulk_create(steps, batch_size=2000)
            DailyEvaluationLevel.objects.bulk_create(levels, batch_size=2000)
            written = len(figures)
        RollupDirtyDay.objects.filter(pk__in=[pk for pk, _ in dirty]).delete()
        state.through = until
        state.counted_on = today
        state.fingerprint = calendar
        state.generation += 1
        state.save()
    return written


def _local_day(value) -> date | None:
    if value is None:
        return None
    return timezone.localdate(value) if hasattr(value, "tzinfo") else value


def _mark(days) -> None:
    state = RollupState.objects.values_list("through", "counted_on").first()
    if state is None or state[0] is None:
        return  # nothing rolled yet: the first build counts everything
    through, counted_on = state
    # the days that have rows: up to the day the live days were counted as of
    last = counted_on if counted_on is not None else through - timedelta(days=1)
    wanted = sorted({d for d in days if d is not None and d <= last})
    RollupDirtyDay.objects.bulk_create(
        [RollupDirtyDay(day=d) for d in wanted], ignore_conflicts=True
    )


def mark_days(days) -> None:
    """These days (dates or instants) are counted again."""
    _mark({_local_day(d) for d in days})


def mark_cases(case_ids) -> None:
    """These cases changed: every rolled day they (or their evaluations) count on is dirty."""
    days = set()
    for values in Case.objects.filter(pk__in=case_ids).values_list(
        "created_at", "accepted_on", "completed_on", "closed_at", "due_on"
    ):
        days |= {_local_day(v) for v in values}
    for created in Evaluation.objects.filter(case_id__in=case_ids).values_list(
        "created_at", flat=True
    ):
        days.add(_local_day(created))
    # their suspensions count at the case's current site and agent too; their steps along
    # the path: a new event may be a site's (or a region's) first of its step
    for instant in CaseEvent.objects.filter(
        case_id__in=case_ids, event__in=["suspend", *metrics.PATH_EVENTS]
    ).values_list("at", flat=True):
        days.add(_local_day(instant))
    _mark(days)


# --- reading ----------------------------------------------------------------------------


State = tuple[date | None, date | None, int | None, tuple | None]


def _state() -> State:
    """(through, counted_on, the roll-up's generation, the live tables' version): one query.

    The live version is what the live counts depend on besides their arguments: the
    consultations' and complaints' change counters (``live.py``), ``names`` (who oversees
    what: a staff member's site and roles; a site's address and phone), the working-day
    table they read due instants from and the catalogue's version (what each site offers,
    and whether its guides are complete: the disclosure figure)."""
    held = _STATE.get()
    if held is None:

        def counter(name: str):
            return Subquery(ChangeCounter.objects.filter(name=name).values("count")[:1])

        found = (
            RollupState.objects.annotate(
                _names=counter(changes.NAMES),
                _consultations=counter(live.COUNTERS["consultations"]),
                _complaints=counter(live.COUNTERS["complaints"]),
                _ordinals=Subquery(WorkdayOrdinalState.objects.values("fingerprint")[:1]),
                _catalogue=Subquery(CatalogueVersion.objects.values("token")[:1]),
            )
            .values_list(
                "through",
                "counted_on",
                "generation",
                "_names",
                "_consultations",
                "_complaints",
                "_ordinals",
                "_catalogue",
            )
            .first()
        )
        held = (found[0], found[1], found[2], found[3:]) if found else (None, None, None, None)
    return held


def through(today: date) -> date | None:
    """Days before this are rolled up and may be read for a view as of ``today``: every day
    through ``today`` when the live days were counted as of ``today``, else the settled
    days only (the live days are then counted from the cases)."""
    rolled, counted_on, *_ = _state()
    if rolled is None:
        return None
    if counted_on == today:
        return today + timedelta(days=1)
    return min(rolled, horizon(today)) if today < timezone.localdate() else rolled


@contextmanager
def reading():
    """One page view: how far the roll-up reaches is read once, so every figure on the page
    splits its days at the same place. Only reads (a GET never writes)."""
    if _STATE.get() is not None:
        yield
        return
    token = _STATE.set(_state())
    try:
        yield
    finally:
        _STATE.reset(token)


def remembered(kind: str, args: tuple, read: Callable[[], R], live: bool = False) -> R:
    """What ``read`` reads from the roll-up's rows, kept in the cache under the roll-up's
    generation: the rows change only in ``refresh_rollup``, which moves the generation on in
    the same transaction, so a kept answer is the rows' answer for as long as its key is
    read. ``args`` must name everything the read depends on (sites by id and path, days,
    columns); a read begun under one generation that sees the next one's rows only keys
    newer figures under an older generation, which no view reads once the next is committed.

    ``live``: a count from the consultations or complaints themselves, kept under their
    tables' version too (``live.py``; ``args`` then name the viewer and the day).
    """
    _, _, generation, version = _state()
    if generation is None:
        return read()
    digest = hashlib.sha256(repr((version if live else None, args)).encode()).hexdigest()[:32]
    key = f"oversight:rollup:{generation}:{kind}:{digest}"
    found = cache.get(key)
    if found is None:
        found = read()
        cache.set(key, found, REMEMBERED_TTL)
    return found


def scope_key(scope: metrics.Scope) -> tuple:
    """What of a scope the roll-up's reads depend on (``_figures``, ``reasons``)."""
    site = scope.site
    return (site.pk, site.path, scope.rollup, scope.agent_id) if site is not None else (None,)


def _period_key(period: metrics.Period) -> tuple:
    return (period.start.isoformat(), period.end.isoformat())


def split(
    scope: metrics.Scope, source: str, by: str = ""
) -> tuple[metrics.Period | None, metrics.Scope | None]:
    """(days read from the roll-up, scope of the days counted live); either may be None."""
    if not _answers(scope, source, by):
        return None, scope
    rolled, live = split_days(scope.period, scope.today)
    if rolled is None:
        return None, scope
    return rolled, (scope.narrowed(period=live) if live is not None else None)


def split_days(
    period: metrics.Period, today: date
) -> tuple[metrics.Period | None, metrics.Period | None]:
    """(days read from the roll-up, days counted live) of a period viewed on ``today``,
    whoever views it (``split`` adds who may read the roll-up for a scope)."""
    if not settings.OVERSIGHT_ROLLUP:
        return None, period
    rolled_until = through(today)
    start, end = period.start, period.end
    if rolled_until is None or start >= rolled_until or start < FIRST_DAY:
        return None, period
    rolled = metrics.Period(start, min(end, rolled_until - timedelta(days=1)))
    live = metrics.Period(rolled_until, end) if end >= rolled_until else None
    return rolled, live


def evaluation_levels(period: metrics.Period, site=None):
    """``DailyEvaluationLevel`` rows of the rolled days of ``period``, at ``site`` and the
    sites below it (every site: None), summed per (site, agent)."""

    def read() -> list[dict]:
        rows = DailyEvaluationLevel.objects.filter(day__gte=period.start, day__lte=period.end)
        if site is not None:
            rows = rows.filter(site__path__startswith=site.path)
        columns = [f"level_{n}" for n in range(1, 6)] + ["counted", "met"]
        sums = {c: Sum(c) for c in columns}
        return list(rows.order_by().values("site_id", "agent_id").annotate(**sums))

    where = (site.pk, site.path) if site is not None else None
    return remembered("levels", (_period_key(period), where), read)


def _answers(scope: metrics.Scope, source: str, by: str) -> bool:
    return (
        settings.OVERSIGHT_ROLLUP
        and source in SOURCES
        and by in ROLLABLE_GROUPS
        and scope.site is not None
        and scope.staff is not None
        and not (scope.item_id or scope.category_id or scope.channel or scope.service_type)
        and sees_every_case_at(scope.staff, scope.site, scope.rollup)
    )


def _figures(scope: metrics.Scope, period: metrics.Period, model=DailyFigure):
    rows = model.objects.filter(day__gte=period.start, day__lte=period.end)
    if scope.rollup:
        rows = rows.filter(site__path__startswith=scope.site.path)
    else:
        rows = rows.filter(site_id=scope.site.pk)
    if scope.agent_id:
        rows = rows.filter(agent_id=scope.agent_id)
    return rows


def reasons(scope: metrics.Scope, period: metrics.Period) -> dict[tuple[str, str], int]:
    """{(kind, reason): count} over the rolled days: one query for both panels. A
    suspension counts where it was made and only while its case is at a site of the scope
    (as counted from the events)."""

    def read() -> dict[tuple[str, str], int]:
        rows = _figures(scope, period, DailyReasonCount)
        if scope.rollup:
            rows = rows.filter(case_site__path__startswith=scope.site.path)
        else:
            rows = rows.filter(case_site_id=scope.site.pk)
        found = rows.order_by().values("kind", "reason").annotate(n=Sum("count"))
        return {(row["kind"], row["reason"]): row["n"] for row in found}

    return remembered("reasons", (scope_key(scope), _period_key(period)), read)


def overdue_now(scope: metrics.Scope) -> int | None:
    """The cases overdue now (running, due before the scope's today), summed over every
    day's rows where the roll-up holds them, the rest counted from the cases; None when it
    does not answer the scope (``split``). Exact under the freshness rule: a settled day
    counts its running cases whatever the date, and a live day's rows are read only on the
    day they were counted as of."""
    every_day = scope.narrowed(period=metrics.Period(FIRST_DAY, scope.today - timedelta(days=1)))
    rolled, live = split(every_day, "cases")
    if rolled is None:
        return None
    n = remembered(
        "overdue",
        (scope_key(every_day), _period_key(rolled)),
        lambda: (
            _figures(every_day, rolled)
            .filter(overdue_open__gt=0)
            .aggregate(n=Sum("overdue_open"))["n"]
            or 0
        ),
    )
    if live is not None:
        first, after = metrics.span(live)
        n += (
            metrics.credited_cases(live)
            .filter(metrics.overdue_open_q(live), due_on__gte=first, due_on__lt=after)
            .count()
        )
    return n


def _sums(source: str, codes, volumes: bool, handling: bool) -> dict:
    """Aggregates named as ``metrics`` names its live columns, so rows add up."""
    sums = {}
    for code in codes:
        sums[f"{code}|total"] = Sum(f"{code}_total")
        sums[f"{code}|met"] = Sum(f"{code}_met")
    if source == "cases" and volumes:
        sums |= {f"_vol_{code}": Sum(f"vol_{code}") for code in metrics.VOLUME_RULES}
    if source == "cases" and handling:
        sums |= {"_hsum": Sum("handling_sum"), "_hn": Sum("handling_n")}
    return sums


def totals(
    source: str, codes, scope: metrics.Scope, period: metrics.Period, volumes=False, handling=False
) -> dict:
    """One row of sums over the rolled days."""
    sums = _sums(source, codes, volumes, handling)
    if not sums:
        return {}
    args = (source, tuple(codes), scope_key(scope), _period_key(period), volumes, handling)
    return remembered("totals", args, lambda: _figures(scope, period).aggregate(**sums))


def grouped(
    source: str,
    codes,
    scope: metrics.Scope,
    period: metrics.Period,
    by: str,
    children=(),
    handling=False,
) -> dict:
    """{group key: row of sums} over the rolled days."""
    sums = _sums(source, codes, False, handling)
    if not sums:
        return {}
    if by == "unit":
        key = metrics.unit_key("site__path", scope.site, children)
    elif by == "month":
        key = TruncMonth("day")
    else:
        key = F({"site": "site_id", "agent": "agent_id"}[by])

    def read() -> dict:
        rows = _figures(scope, period).annotate(_k=key).order_by().values("_k").annotate(**sums)
        return {row.pop("_k"): row for row in rows}

    units = tuple((c.pk, c.path) for c in children) if by == "unit" else ()
    args = (source, tuple(codes), scope_key(scope), _period_key(period), by, units, handling)
    return remembered("grouped", args, read)
