"""The daily roll-up: a year's case and evaluation figures from a few thousand rows.

Why: counted from the cases, each figure scans the period's cases, and the dashboard shows
about thirty; on a large city's year (200 000 cases, PostgreSQL) that was 1.3–3.7 s a view.
``DailyFigure`` holds, per day, site and agent, the counts each case and evaluation figure
needs (population and met, volumes, handling days), built with the figures' own
definitions from ``definitions`` (the same ``Metric`` objects, so there is one definition).

Which days: days before ``RollupState.through`` come from the roll-up; the later ones
(at least today and the working day before, when an application may still be inside its
response window) are counted from the cases at each view.

Staying right: the figures job (``jobs.py``) claims the changes not yet counted, and
``facts`` recomputes each changed case's fact; that marks the case's days (application,
acceptance, completion, closing, its evaluations) dirty here, and ``refresh_rollup``, run
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

from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, timedelta
from functools import reduce
from operator import or_

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, IntegerField, Q, Sum
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from bangban.cases.access import SYSTEM, sees_every_case_at
from bangban.cases.models import Case

from ..models import (
    DailyFigure,
    Evaluation,
    RollupDirtyDay,
    RollupState,
    WorkdayOrdinal,
)
from . import claim
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

_THROUGH: ContextVar[date | None] = ContextVar("oversight_rollup_through", default=None)


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


def _merged(ranges: list[tuple[date, date]]) -> list[tuple[date, date]]:
    merged: list[tuple[date, date]] = []
    for first, after in sorted(ranges):
        if merged and first <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(after, merged[-1][1]))
        else:
            merged.append((first, after))
    return merged


def nothing_to_roll(today: date | None = None) -> bool:
    """Built with the table's calendar, up to the horizon, and no day marked to count again."""
    state = RollupState.objects.first()
    return (
        state is not None
        and state.fingerprint == table_fingerprint()
        and state.through is not None
        and state.through >= horizon(today or timezone.localdate())
        and not RollupDirtyDay.objects.exists()
    )


def refresh_rollup(*, rebuild: bool = False, today: date | None = None) -> int:
    """Roll up the days that became old enough and rebuild dirty days; return rows written.

    Callers bring ``CaseFact`` and the working-day table up to date first (``facts``): the
    figures job, the nightly comparison, ``oversight_facts`` and the demo do.
    """
    today = today or timezone.localdate()
    if not rebuild and nothing_to_roll(today):
        return 0
    until = horizon(today)
    calendar = table_fingerprint()
    with transaction.atomic():
        claim.take(wait=True)  # never beside a batch of facts (``claim.py``)
        state = RollupState.objects.select_for_update().first() or RollupState.objects.create()
        if rebuild or state.fingerprint != calendar:
            DailyFigure.objects.all().delete()
            RollupDirtyDay.objects.all().delete()
            state.through = None
        dirty = list(RollupDirtyDay.objects.values_list("pk", "day"))
        if state.through is None:
            ranges = [(FIRST_DAY, until)]
        else:
            ranges = [(d, d + timedelta(days=1)) for _, d in dirty if d < state.through]
            if until > state.through:
                ranges.append((state.through, until))
        ranges = _merged(ranges)
        written = 0
        if ranges:
            figures = _count(ranges, today)
            DailyFigure.objects.filter(
                reduce(or_, (Q(day__gte=a, day__lt=b) for a, b in ranges))
            ).delete()
            DailyFigure.objects.bulk_create(figures, batch_size=2000)
            written = len(figures)
        RollupDirtyDay.objects.filter(pk__in=[pk for pk, _ in dirty]).delete()
        state.through = max(state.through or until, until)
        state.fingerprint = calendar
        state.save()
    return written


def _local_day(value) -> date | None:
    if value is None:
        return None
    return timezone.localdate(value) if hasattr(value, "tzinfo") else value


def _mark(days) -> None:
    through = RollupState.objects.values_list("through", flat=True).first()
    if through is None:
        return  # nothing rolled yet: the first build counts everything
    wanted = sorted({d for d in days if d is not None and d < through})
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
    _mark(days)


# --- reading ----------------------------------------------------------------------------


def through(today: date) -> date | None:
    """Days before this are rolled up and may be read for a view as of ``today``."""
    rolled = _THROUGH.get()
    if rolled is None:
        rolled = RollupState.objects.values_list("through", flat=True).first()
    if rolled is None:
        return None
    return min(rolled, horizon(today)) if today < timezone.localdate() else rolled


@contextmanager
def reading():
    """One page view: how far the roll-up reaches is read once, so every figure on the page
    splits its days at the same place. Only reads (a GET never writes)."""
    if _THROUGH.get() is not None:
        yield
        return
    token = _THROUGH.set(RollupState.objects.values_list("through", flat=True).first())
    try:
        yield
    finally:
        _THROUGH.reset(token)


def split(
    scope: metrics.Scope, source: str, by: str = ""
) -> tuple[metrics.Period | None, metrics.Scope | None]:
    """(days read from the roll-up, scope of the days counted live); either may be None."""
    if not _answers(scope, source, by):
        return None, scope
    rolled_until = through(scope.today)
    start, end = scope.period.start, scope.period.end
    if rolled_until is None or start >= rolled_until or start < FIRST_DAY:
        return None, scope
    rolled = metrics.Period(start, min(end, rolled_until - timedelta(days=1)))
    live = scope.narrowed(period=metrics.Period(rolled_until, end)) if end >= rolled_until else None
    return rolled, live


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


def _figures(scope: metrics.Scope, period: metrics.Period):
    rows = DailyFigure.objects.filter(day__gte=period.start, day__lte=period.end)
    if scope.rollup:
        rows = rows.filter(site__path__startswith=scope.site.path)
    else:
        rows = rows.filter(site_id=scope.site.pk)
    if scope.agent_id:
        rows = rows.filter(agent_id=scope.agent_id)
    return rows


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
    return _figures(scope, period).aggregate(**sums)


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
    rows = _figures(scope, period).annotate(_k=key).order_by().values("_k").annotate(**sums)
    return {row.pop("_k"): row for row in rows}
