"""The quality metrics: plain functions over querysets, aggregated in the database.

Every figure is (met, total) counted by one aggregate query, whatever the number of
cases; a breakdown (by unit, site, agent, item, category, channel or month) is one
grouped query. Nothing loops over cases in Python. Working-day spans use the
``WorkdayOrdinal`` table (see ``ordinals.py``). The definitions are written out in
``docs/metrics.md`` and shown in the dashboard's help (``DEFINITIONS``); each figure's
population and the condition it must meet are the same two things the drill-down lists.
Everything here only reads: the per-case facts, the working-day table and the daily
roll-up are written by the figures job (``jobs.py``), never by a page.

A ``Scope`` says whose view (``actor``: every case-based figure starts from
``visible_cases``), which site (with the sites below it, or alone), which agent, item,
category, channel and service type, and which period (inclusive local dates).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import reduce
from operator import or_

from django.db.models import (
    Count,
    DateField,
    F,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from bangban.cases.models import CaseEvent
from bangban.cases.workflow import (
    SUSPENSION_REASONS,
    TERMINATION_REASONS,
)
from bangban.consultations.models import Consultation
from bangban.consultations.selectors import visible_consultations

from ..access import visible_complaints
from ..models import (
    Complaint,
    Evaluation,
)
from . import rollup
from .definitions import (  # noqa: F401 (re-exported: metrics.Scope, metrics.METRICS, …)
    COMPLAINT_MET,
    CONSULTATION_CHANNEL,
    CONSULTATION_MET,
    CREDITED,
    CURRENT,
    ENDED,
    ENDED_UNRESOLVED,
    FACT,
    METRICS,
    RUNNING,
    SOURCES,
    TIMELY_DEFINITION,
    VISITED,
    VOLUME_RULES,
    DatePart,
    Dating,
    Metric,
    Period,
    Rate,
    Scope,
    _always,
    _complaint_window,
    _consultation_window,
    _item_filter,
    _refused_q,
    _response_pending,
    _site_filter,
    _terminated_q,
    _zone,
    credit_of,
    credit_q,
    credited_cases,
    credited_site,
    dates_in,
    handling_filter,
    instants_in,
    local_midnight,
    outcome_in,
    overdue_open_q,
    scoped_cases,
    span,
    unit_key,
)
from .ordinals import end_of

# --- what each figure counts ------------------------------------------------------------


def scoped_evaluations(scope: Scope) -> QuerySet[Evaluation]:
    return Evaluation.objects.filter(case__in=scoped_cases(scope).values("pk"))


def scoped_consultations(scope: Scope) -> QuerySet[Consultation]:
    if scope.staff is None:
        return Consultation.objects.none()
    rows = _site_filter(visible_consultations(scope.staff), scope)
    if scope.agent_id:
        rows = rows.filter(handled_by_id=scope.agent_id)
    if scope.item_id:
        rows = rows.filter(item_id=scope.item_id)
    if scope.category_id:
        rows = rows.filter(item__category_id=scope.category_id)
    if scope.channel:
        rows = rows.filter(channel=CONSULTATION_CHANNEL.get(scope.channel, "-"))
    return rows


def scoped_complaints(scope: Scope) -> QuerySet[Complaint]:
    if scope.staff is None:
        return Complaint.objects.none()
    rows = _site_filter(visible_complaints(scope.staff), scope)
    if scope.agent_id:
        rows = rows.filter(assigned_to_id=scope.agent_id)
    if scope.channel or scope.service_type:
        rows = rows.filter(case__in=scoped_cases(scope).values("pk"))
    return _item_filter(rows, scope, "case_id")


def source_rows(source: str, scope: Scope) -> QuerySet:
    """The rows a source's figures count from, with what their conditions refer to.

    Cases: joined to their facts, as the figures job last computed them (nothing here
    writes). Consultations and complaints: the instant their due days end (a lookup per
    row in the working-day table the job keeps: these tables are small beside cases).
    """
    if source == "cases":
        return credited_cases(scope)  # each figure keeps the rows credited to it
    if source == "evaluations":
        return scoped_evaluations(scope)
    if source == "consultations":
        return scoped_consultations(scope).annotate(_due_end=end_of("reply_due_on"))
    return scoped_complaints(scope).annotate(
        _contact_end=end_of("contact_due_on"), _due_end=end_of("due_on")
    )


def population(code: str, scope: Scope) -> QuerySet:
    m = METRICS[code]
    return source_rows(m.source, scope).filter(m.population_q(scope))


# --- counting: one query per source, whatever the number of figures -------------------
#
# Each count is a row of aggregate columns named ``<code>|total`` / ``<code>|met`` (volumes
# ``_vol_<code>``, handling time ``_hsum`` and ``_hn``). Where the daily roll-up may answer
# (``rollup.split``), the rolled days' row and the live days' row are added together.


def _columns(codes, scope: Scope, ranges: dict, distinct: bool = False) -> dict:
    """Aggregate columns per code and named day range (``{"": (first, after)}``: the period)."""
    columns = {}
    for code in codes:
        m = METRICS[code]
        for suffix, (first, after) in ranges.items():
            counted = m.population_q(scope, first, after)
            columns[f"{code}{suffix}|total"] = Count("pk", filter=counted, distinct=distinct)
            columns[f"{code}{suffix}|met"] = Count("pk", filter=counted & m.met, distinct=distinct)
    return columns


def _whole(scope: Scope) -> dict:
    return {"": span(scope)}


def _dated_any(codes, scope: Scope, extra=()) -> Q:
    """Rows with any date the figures (and ``extra`` datings) read in the period: lets the
    indexes skip the rest of the history (every column filters again on its own). One range
    per date column: repeating a range makes PostgreSQL overestimate the rows and hash
    every case's fact instead of looking up the few it needs."""
    first, after = span(scope)
    datings = [METRICS[c].dated for c in codes] + list(extra)
    columns = dict.fromkeys((p.column, p.instant) for d in datings for p in d.parts)
    return reduce(or_, (DatePart(c, instant).q(first, after) for c, instant in columns))


def _by_source(codes) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for code in codes:
        grouped.setdefault(METRICS[code].source, []).append(code)
    return grouped


def _rates(row: dict, codes, name=lambda code: code) -> dict:
    return {
        code: Rate(row.get(f"{name(code)}|met") or 0, row.get(f"{name(code)}|total") or 0)
        for code in codes
    }


def _added(a: dict, b: dict) -> dict:
    return {k: (a.get(k) or 0) + (b.get(k) or 0) for k in a.keys() | b.keys()}


def _average(row: dict) -> float | None:
    return round(row["_hsum"] / row["_hn"], 1) if row.get("_hn") else None


def _rolled_together(
    sources: dict, scope: Scope, by: str | None = None, children=(), volumes=False, handling=False
) -> dict | None:
    """The rolled days of the case *and* evaluation figures in one query over
    ``DailyFigure`` (both are columns of its rows): a row of sums, or {group key: row}
    with ``by``. None unless both sources are wanted and the roll-up answers the scope
    (then each source reads its own, as before)."""
    if "cases" not in sources or "evaluations" not in sources:
        return None
    rolled = rollup.split(scope, "cases", by or "")[0]  # the same days for both sources
    if rolled is None:
        return None
    codes = sources["cases"] + sources["evaluations"]
    if by is None:
        return rollup.totals("cases", codes, scope, rolled, volumes, handling)
    return rollup.grouped("cases", codes, scope, rolled, by, children, handling)


def _counted(
    source: str, codes, scope: Scope, volumes=False, handling=False, shared: dict | None = None
) -> dict:
    """One row of the period's counts: rolled days from the roll-up, the rest from rows
    (``shared``: the rolled row read already, ``_rolled_together``)."""
    rolled, live = rollup.split(scope, source)
    if shared is not None and rolled is not None:
        row = dict(shared)
    else:
        row = rollup.totals(source, codes, scope, rolled, volumes, handling) if rolled else {}
    if live is None:
        return row
    columns = _columns(codes, live, _whole(live))
    dated = []
    if source == "cases" and volumes:
        columns |= volume_columns(live)
        dated += [dating for dating, _ in VOLUME_RULES.values()]
    if source == "cases" and handling:
        columns |= handling_columns(live)
        dated.append(METRICS["on_time"].dated)
    if not columns:
        return row
    rows = source_rows(source, live).filter(_dated_any(codes, live, dated))
    if source not in KEPT_LIVE:
        return _added(row, rows.aggregate(**columns))
    args = (source, tuple(codes), live_scope_key(live))
    return _added(row, rollup.remembered("live", args, lambda: rows.aggregate(**columns), True))


def rates(codes, scope: Scope) -> dict[str, Rate]:
    """{code: Rate} for these figures: one aggregate query per source (two with a roll-up;
    the case and evaluation figures' rolled days in one)."""
    sources = _by_source(codes)
    shared = _rolled_together(sources, scope)
    result = {}
    for source, these in sources.items():
        result.update(_rates(_counted(source, these, scope, shared=shared), these))
    return result


def rate(code: str, scope: Scope) -> Rate:
    return rates([code], scope)[code]


def timely(scope: Scope) -> Rate:
    both = rates(["timely_consultations", "timely_complaints"], scope)
    return both["timely_consultations"] + both["timely_complaints"]


# --- breakdowns -----------------------------------------------------------------------

# How each source reaches the grouping keys.
GROUP_FIELDS = {
    "cases": {
        "site": "site_id",
        "agent": "agent_id",
        "channel": "channel",
        "item": "items__item_version__item_id",
        "category": "items__item_version__item__category_id",
        "path": "site__path",
    },
    # an evaluation counts at its case's site and agent, as its case does (and the roll-up)
    "evaluations": {
        "site": "case__site_id",
        "agent": "case__agent_id",
        "channel": "case__channel",
        "item": "case__items__item_version__item_id",
        "category": "case__items__item_version__item__category_id",
        "path": "case__site__path",
    },
    "consultations": {
        "site": "site_id",
        "agent": "handled_by_id",
        "item": "item_id",
        "category": "item__category_id",
        "path": "site__path",
    },
    "complaints": {
        "site": "site_id",
        "agent": "assigned_to_id",
        "item": "case__items__item_version__item_id",
        "category": "case__items__item_version__item__category_id",
        "path": "site__path",
    },
}
DIMENSIONS = {
    "unit": "下级单位",
    "site": "服务机构",
    "agent": "工作人员",
    "item": "事项",
    "category": "事项类别",
    "channel": "渠道",
    "month": "月份",
}


def months_of(period: Period) -> list[date]:
    months, month = [], period.start.replace(day=1)
    while month <= period.end:
        months.append(month)
        month = next_month(month)
    return months


def next_month(month: date) -> date:
    return (month.replace(day=1) + timedelta(days=32)).replace(day=1)


def month_ranges(period: Period) -> list[tuple[date, date, date]]:
    """(month, first, after) for each month of the period, cut to the period's days."""
    after_end = period.end + timedelta(days=1)
    return [
        (month, max(month, period.start), min(next_month(month), after_end))
        for month in months_of(period)
    ]


def group_expression(source: str, by: str, scope: Scope, children=(), credit: str = CURRENT):
    """The grouping key; for cases by site or unit, the site ``credit`` names (the site that
    did the step the figure counts, ``definitions.credited_site``)."""
    fields = GROUP_FIELDS[source]
    if source == "cases" and credit != CURRENT and by in ("site", "unit"):
        if by == "site":
            return Coalesce(F(credit), F("site_id"))
        return unit_key(CREDITED_PATH, scope.site, children)
    if by == "unit":
        return unit_key(fields["path"], scope.site, children)
    if by not in fields:
        return None
    return F(fields[by])


CREDITED_PATH = "_credited_path"  # annotated by ``_with_credit`` for a unit grouping


def _with_credit(rows: QuerySet, credit: str, by: str) -> QuerySet:
    if credit == CURRENT or by != "unit":
        return rows
    return rows.annotate(**{CREDITED_PATH: Coalesce(F(f"{credit}__path"), F("site__path"))})


def _credits(source: str, codes, by: str) -> dict[str, list[str]]:
    """The codes per site field they are grouped by (one query each for site and unit)."""
    if source != "cases" or by not in ("site", "unit"):
        return {CURRENT: list(codes)}
    found: dict[str, list[str]] = {}
    for code in codes:
        found.setdefault(METRICS[code].credit, []).append(code)
    return found or {CURRENT: []}


def _one_date(source: str, codes) -> DatePart | None:
    """The one date column every figure of these dates its rows by, if there is one (not
    for cases: their figures count at the site that did the step they are dated by)."""
    parts = {(p.column, p.instant, bool(p.only)) for c in codes for p in METRICS[c].dated.parts}
    if source == "cases" or len(parts) != 1:
        return None
    column, instant, narrowed = parts.pop()
    return None if narrowed else DatePart(column, instant)


def _by_calendar_month(source: str, codes, scope: Scope, part: DatePart) -> dict:
    """{month: row}: the period's rows grouped by the local month of their one date (one
    query, a pair of counts per figure). The same as ``population_q`` month by month:
    a row of the period falls in exactly one month's days, and a figure's other conditions
    (``Metric.counts``) do not depend on the days."""
    zone = timezone.get_current_timezone() if part.instant else None
    month = TruncMonth(part.column, tzinfo=zone, output_field=DateField())
    columns = {}
    for code in codes:
        m = METRICS[code]
        columns[f"{code}|total"] = Count("pk", filter=m.counts(scope))
        columns[f"{code}|met"] = Count("pk", filter=m.counts(scope) & m.met)
    rows = source_rows(source, scope).filter(part.q(*span(scope)))
    found = rows.annotate(_m=month).order_by().values("_m").annotate(**columns)
    return {row.pop("_m"): row for row in found}


def _live_by_month(source: str, codes, scope: Scope, handling: bool) -> dict:
    """{month: row}: one query with a pair of filtered counts per month and figure (or
    per figure, grouped by month, when they all read one date column)."""
    part = None if handling else _one_date(source, codes)
    if part is not None:
        return _by_calendar_month(source, codes, scope, part)
    ranges = {
        f"|{i}": (first, after) for i, (_, first, after) in enumerate(month_ranges(scope.period))
    }
    columns = _columns(codes, scope, ranges)
    if handling:
        for suffix, (first, after) in ranges.items():
            columns |= {f"{k}{suffix}": v for k, v in handling_columns(scope, first, after).items()}
    extra = [METRICS["on_time"].dated] if handling else []
    row = source_rows(source, scope).filter(_dated_any(codes, scope, extra)).aggregate(**columns)
    found = {}
    for i, (month, _, _) in enumerate(month_ranges(scope.period)):
        suffix = f"|{i}"
        found[month] = {
            name.replace(suffix, "", 1): value
            for name, value in row.items()
            if name.endswith(suffix) or f"{suffix}|" in name
        }
    return found


# The sources counted from their own rows on every view, whose counts are kept under their
# tables' change counters (``live.py``, ``rollup.remembered``).
KEPT_LIVE = frozenset({"consultations", "complaints"})


def live_scope_key(scope: Scope) -> tuple:
    """Everything of a scope a live count depends on, the viewer and the day included."""
    site = scope.site
    actor = scope.actor
    return (
        actor.kind,
        getattr(actor.staff, "pk", None),
        getattr(actor.only_site, "pk", None),
        (site.pk, site.path) if site is not None else None,
        scope.rollup,
        scope.agent_id,
        scope.item_id,
        scope.category_id,
        scope.channel,
        scope.service_type,
        scope.period.start.isoformat(),
        scope.period.end.isoformat(),
        scope.today.isoformat(),
    )


def _live_grouped(source: str, codes, scope: Scope, by: str, children, handling: bool) -> dict:
    """{group key: row} for the scope's own rows: one grouped query (per credited site
    field when grouping cases by site or unit); consultations' and complaints' kept under
    their tables' version (``KEPT_LIVE``)."""
    if source in KEPT_LIVE:
        units = tuple((c.pk, c.path) for c in children) if by == "unit" else ()
        args = (source, tuple(codes), live_scope_key(scope), by, units, handling)
        return rollup.remembered(
            "live-grouped",
            args,
            lambda: _live_grouped_now(source, codes, scope, by, children, handling),
            True,
        )
    return _live_grouped_now(source, codes, scope, by, children, handling)


def _live_grouped_now(source: str, codes, scope: Scope, by: str, children, handling: bool) -> dict:
    if by == "month":
        return _live_by_month(source, codes, scope, handling)
    result: dict = {}
    for credit, these in _credits(source, codes, by).items():
        with_days = handling and credit == CURRENT
        key = group_expression(source, by, scope, children, credit)
        if key is None:
            return {}
        columns = _columns(these, scope, _whole(scope), distinct=by in ("item", "category"))
        extra = []
        if with_days:
            columns |= handling_columns(scope)
            extra.append(METRICS["on_time"].dated)
        if not columns:
            continue
        rows = _with_credit(source_rows(source, scope), credit, by)
        rows = rows.filter(_dated_any(these, scope, extra))
        found = rows.annotate(_k=key).order_by().values("_k").annotate(**columns)
        for row in found:
            key_value = row.pop("_k")
            result[key_value] = _added(result.get(key_value, {}), row)
    return result


def _grouped(
    source: str, codes, scope: Scope, by: str, children, handling: bool, shared=None
) -> dict:
    rolled, live = rollup.split(scope, source, by)
    if shared is not None and rolled is not None:
        rows = dict(shared)  # read with the other source's (``_rolled_together``)
    else:
        rows = (
            rollup.grouped(source, codes, scope, rolled, by, children, handling) if rolled else {}
        )
    if live is not None:
        for key, row in _live_grouped(source, codes, live, by, children, handling).items():
            rows[key] = _added(rows.get(key, {}), row)
    return rows


def rates_by(codes, scope: Scope, by: str, children=(), handling=False) -> dict[str, dict]:
    """{code: {key: Rate}} for one grouping: one grouped query per source.

    ``by="month"``: the months of the period, each figure by its own date (one query per
    source with a pair of filtered counts per month). A bundle case counts once for each
    of its items when grouped by item or category. ``handling``: also ``"_handling"``,
    {key: average handling working days}.
    """
    result: dict[str, dict] = {code: {} for code in codes}
    sources = _by_source(codes)
    if handling:
        sources.setdefault("cases", [])
        result["_handling"] = {}
    shared = _rolled_together(sources, scope, by, children, handling=handling)
    for source, these in sources.items():
        with_days = handling and source == "cases"
        found = _grouped(source, these, scope, by, children, with_days, shared)
        for key, row in found.items():
            for code, r in _rates(row, these).items():
                if r.total:
                    result[code][key] = r
            if with_days and _average(row) is not None:
                result["_handling"][key] = _average(row)
    return result


def rate_by(code: str, scope: Scope, by: str, children=()) -> dict:
    return rates_by([code], scope, by, children)[code]


def drill_rows(code: str, scope: Scope, part: str = "all", by: str = "", key=None, children=()):
    """The rows behind a figure: ``part`` all | met | missed, optionally one group's."""
    m = METRICS[code]
    rows = source_rows(m.source, scope)
    if by == "month" and key not in (None, ""):
        month = date.fromisoformat(str(key)[:10]).replace(day=1)
        first = max(month, scope.period.start)
        after = min(next_month(month), scope.period.end + timedelta(days=1))
        rows = rows.filter(m.population_q(scope, first, after))
    else:
        rows = rows.filter(m.population_q(scope))
        expr = group_expression(m.source, by, scope, children, m.credit) if by else None
        if expr is not None and key not in (None, ""):
            rows = _with_credit(rows, m.credit, by).annotate(_k=expr).filter(_k=key)
    if part == "met":
        rows = rows.filter(m.met)
    elif part == "missed":
        rows = rows.exclude(m.met)
    return rows.distinct() if by in ("item", "category") else rows


# --- averages, volumes and reasons ---------------------------------------------------


def handling_columns(scope: Scope, first=None, after=None) -> dict:
    """Sum and number of net handling days (their ratio is the average; sums add up)."""
    if first is None:
        first, after = span(scope)
    counted = METRICS["on_time"].dated(first, after) & handling_filter(scope)
    return {
        "_hsum": Sum(f"{FACT}net_days", filter=counted),
        "_hn": Count(f"{FACT}net_days", filter=counted),
    }


def handling_days(scope: Scope, by: str = "", children=()):
    """Average working days from acceptance to completion, clock pauses excluded.

    Over the on-time population; each case's net working days are in its ``CaseFact``.
    """
    if not by:
        return _average(_counted("cases", [], scope, handling=True))
    return rates_by([], scope, by, children, handling=True)["_handling"]


VOLUMES = {
    "submitted": "申请件数",
    "accepted": "受理件数",
    "completed": "办结件数",
    "terminated": "终止件数",
    "refused": "不予受理件数",
    "overdue_open": "当前超期未办结",
}


def volume_q(code: str, scope: Scope) -> Q:
    """Which cases a volume counts (dated by the event it counts, at the site that did it;
    overdue_open: today, at the case's site)."""
    if code == "overdue_open":
        return overdue_open_q(scope)
    dating, condition = VOLUME_RULES[code]
    return condition & dating(*span(scope)) & credit_q(credit_of(dating), scope)


def volume_rows(code: str, scope: Scope) -> QuerySet:
    return credited_cases(scope).filter(volume_q(code, scope))


def volume_columns(scope: Scope) -> dict:
    return {f"_vol_{code}": Count("pk", filter=volume_q(code, scope)) for code in VOLUME_RULES}


def summary(scope: Scope, codes) -> tuple[dict, dict, float | None]:
    """Every figure of ``codes`` with the volumes and the average handling time, the case
    and evaluation figures' rolled days read in one query (the dashboard's cards)."""
    sources = _by_source(codes)
    sources.setdefault("cases", [])
    shared = _rolled_together(sources, scope, volumes=True, handling=True)
    found, counts, days = case_summary(scope, sources["cases"], shared)
    for source, these in sources.items():
        if source != "cases":
            found |= _rates(_counted(source, these, scope, shared=shared), these)
    return found, counts, days


def case_summary(
    scope: Scope, codes, shared: dict | None = None
) -> tuple[dict, dict, float | None]:
    """The case figures, the volumes and the average handling time (one or two case
    queries, and one for the cases overdue now)."""
    codes = [c for c in codes if METRICS[c].source == "cases"]
    row = _counted("cases", codes, scope, volumes=True, handling=True, shared=shared)
    overdue = rollup.overdue_now(scope)
    if overdue is None:  # the roll-up does not answer this scope
        overdue = volume_rows("overdue_open", scope).count()
    row["_vol_overdue_open"] = overdue
    return (
        _rates(row, codes),
        {c: row.get(f"_vol_{c}") or 0 for c in VOLUMES},
        _average(row),
    )


def volumes(scope: Scope) -> dict[str, int]:
    """Counts of the period (overdue_open: as of today)."""
    return case_summary(scope, [])[1]


def _events_in_period(scope: Scope, names) -> QuerySet[CaseEvent]:
    """Events of the scope's cases in the period; the site filter lets the (site, at) index
    serve it (an event records the site that owned the case at the time)."""
    start, end = scope.period.bounds()
    events = CaseEvent.objects.filter(event__in=names, at__gte=start, at__lt=end)
    return _site_filter(events, scope).filter(case__in=scoped_cases(scope).values("pk"))


def _live_reasons(scope: Scope) -> dict[tuple[str, str], int]:
    """{(kind, reason): count} counted from the events and the cases (two queries)."""
    found: dict[tuple[str, str], int] = {}
    suspended = (
        _events_in_period(scope, ("suspend",))
        .annotate(reason_code=KT("details__reason_code"))
        .order_by()
        .values("reason_code")
        .annotate(n=Count("pk"))
    )
    terminated = (
        scoped_cases(scope)
        .filter(volume_q("terminated", scope))
        .order_by()
        .values("reason_code")
        .annotate(n=Count("pk"))
    )
    for kind, rows in (("suspension", suspended), ("termination", terminated)):
        for r in rows:
            key = (kind, r["reason_code"] or "")
            found[key] = found.get(key, 0) + r["n"]
    return found


REASON_LABELS = {
    "suspension": (SUSPENSION_REASONS, "其他"),
    "termination": (TERMINATION_REASONS, "其他原因"),
}


def reasons(scope: Scope) -> dict[str, list[tuple[str, str, int]]]:
    """{"suspension" | "termination": [(reason code, label, count)]} in the period, most
    frequent first. The rolled days from ``DailyReasonCount`` (one query for both), the
    rest counted from the events and the cases."""
    rolled, live = rollup.split(scope, "cases")
    counts = rollup.reasons(scope, rolled) if rolled else {}
    if live is not None:
        counts = _added(counts, _live_reasons(live))
    return {
        kind: sorted(
            (
                (code, labels.get(code, other), n)
                for (k, code), n in counts.items()
                if k == kind and n
            ),
            key=lambda t: (-t[2], t[0]),
        )
        for kind, (labels, other) in REASON_LABELS.items()
    }


def suspensions_by_reason(scope: Scope) -> list[tuple[str, str, int]]:
    """(reason code, label, suspensions) in the period, most frequent first."""
    return reasons(scope)["suspension"]


def terminations_by_reason(scope: Scope) -> list[tuple[str, str, int]]:
    """(reason code, label, terminations) in the period, most frequent first."""
    return reasons(scope)["termination"]


def reason_rows(kind: str, reason: str, scope: Scope) -> QuerySet:
    """The cases behind a reason count (kind: suspension | termination)."""
    if kind == "suspension":
        events = _events_in_period(scope, ("suspend",)).filter(details__reason_code=reason)
        return scoped_cases(scope).filter(pk__in=events.values("case_id"))
    return scoped_cases(scope).filter(volume_q("terminated", scope), reason_code=reason)
