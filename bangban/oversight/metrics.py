"""The quality metrics: plain functions over querysets, aggregated in the database.

Every figure is (met, total) counted by one aggregate query, whatever the number of
cases; a breakdown (by unit, site, agent, item, category, channel or month) is one
grouped query. Nothing loops over cases in Python. Working-day spans use the
``WorkdayOrdinal`` table (see ``ordinals.py``). The definitions are written out in
``docs/metrics.md`` and shown in the dashboard's help (``DEFINITIONS``); each figure's
population and the condition it must meet are the same two things the drill-down lists.

A ``Scope`` says whose view (``actor``: every case-based figure starts from
``visible_cases``), which site (with the sites below it, or alone), which agent, item,
category, channel and service type, and which period (inclusive local dates).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import reduce
from operator import or_

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.utils import timezone

from bangban.cases.access import Actor, visible_cases
from bangban.cases.models import Case as CaseModel
from bangban.cases.models import CaseEvent, CaseItem
from bangban.cases.workflow import (
    SUSPENSION_REASONS,
    TERMINATION_REASONS,
    State,
)
from bangban.consultations.models import AWAITING_REPLY, Consultation, ConsultationStatus
from bangban.consultations.selectors import visible_consultations

from . import facts
from .access import visible_complaints
from .models import (
    BAD_LEVELS,
    GOOD_LEVELS,
    Complaint,
    Evaluation,
    ReturnVisit,
    ReturnVisitKind,
    ReturnVisitOutcome,
)
from .ordinals import end_of, ensure_ordinals, ordinal_on

RUNNING = (State.ACCEPTED, State.HANDLING)
ENDED_UNRESOLVED = (State.TERMINATED, State.REFUSED, State.ARCHIVED)
# Case channels that map onto consultation channels, for the channel filter.
CONSULTATION_CHANNEL = {"window": "visit", "phone": "phone", "online": "online"}


def _zone():
    return timezone.get_current_timezone()


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    def bounds(self) -> tuple[datetime, datetime]:
        zone = _zone()
        return (
            timezone.make_aware(datetime.combine(self.start, time.min), zone),
            timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min), zone),
        )

    @property
    def label(self) -> str:
        return f"{self.start:%Y-%m-%d} 至 {self.end:%Y-%m-%d}"


@dataclass(frozen=True)
class Scope:
    actor: Actor
    period: Period
    site: object = None  # network.Site; None: everything the actor sees
    rollup: bool = True  # the site and every site below it
    agent_id: int | None = None
    item_id: int | None = None
    category_id: int | None = None
    channel: str = ""
    service_type: str = ""
    today: date = field(default_factory=timezone.localdate)

    def narrowed(self, **changes) -> Scope:
        return replace(self, **changes)

    @property
    def staff(self):
        return self.actor.staff if self.actor.kind == "staff" else None


@dataclass(frozen=True)
class Rate:
    met: int
    total: int

    @property
    def value(self) -> float | None:
        """Per cent, or None when there is nothing to count (shown as “—”, never a miss)."""
        return None if not self.total else round(100.0 * self.met / self.total, 1)

    @property
    def missed(self) -> int:
        return self.total - self.met

    def __add__(self, other: Rate) -> Rate:
        return Rate(self.met + other.met, self.total + other.total)


# --- what each figure counts ------------------------------------------------------------


def _site_filter(qs: QuerySet, scope: Scope, prefix: str = "site") -> QuerySet:
    if scope.site is None:
        return qs
    if scope.rollup:
        return qs.filter(**{f"{prefix}__path__startswith": scope.site.path})
    return qs.filter(**{f"{prefix}_id": scope.site.pk})


def _item_filter(qs: QuerySet, scope: Scope, case_ref: str = "pk") -> QuerySet:
    if scope.item_id:
        rows = CaseItem.objects.filter(
            case_id=OuterRef(case_ref), item_version__item_id=scope.item_id
        )
        qs = qs.filter(Exists(rows))
    if scope.category_id:
        rows = CaseItem.objects.filter(
            case_id=OuterRef(case_ref), item_version__item__category_id=scope.category_id
        )
        qs = qs.filter(Exists(rows))
    return qs


def scoped_cases(scope: Scope) -> QuerySet[CaseModel]:
    """The cases this scope is about (no period): visible to the actor, then narrowed."""
    cases = _site_filter(visible_cases(scope.actor), scope)
    if scope.agent_id:
        cases = cases.filter(agent_id=scope.agent_id)
    if scope.channel:
        cases = cases.filter(channel=scope.channel)
    if scope.service_type:
        cases = cases.filter(service_type=scope.service_type)
    return _item_filter(cases, scope)


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), _zone())


def span(scope: Scope) -> tuple[date, date]:
    """The period as a half-open range of days [first, after)."""
    return scope.period.start, scope.period.end + timedelta(days=1)


# Each figure is dated by one of these: "falls in the days [first, after)". Plain range
# comparisons on the stored columns (datetimes against local midnights), so the database
# uses its indexes and never converts a value per row. A dating is made of parts (one per
# column it reads), so the daily roll-up (``rollup.py``) can group rows by the same days.
@dataclass(frozen=True)
class DatePart:
    column: str
    instant: bool  # a datetime, dated by its local day; else a date
    only: Q = field(default_factory=Q)  # the rows this part dates

    def q(self, first: date, after: date) -> Q:
        low, high = (
            (local_midnight(first), local_midnight(after)) if self.instant else (first, after)
        )
        return self.only & Q(**{f"{self.column}__gte": low, f"{self.column}__lt": high})


@dataclass(frozen=True)
class Dating:
    parts: tuple[DatePart, ...]

    def __call__(self, first: date, after: date) -> Q:
        return reduce(or_, (part.q(first, after) for part in self.parts))


def dates_in(field_name: str) -> Dating:
    return Dating((DatePart(field_name, False),))


def instants_in(field_name: str) -> Dating:
    return Dating((DatePart(field_name, True),))


# Completed in the range, or (never completed) terminated or refused in it.
outcome_in = Dating(
    (DatePart("completed_on", False), DatePart("closed_at", True, Q(completed_on__isnull=True)))
)


FACT = "oversight_fact__"  # the case's CaseFact (see facts.py), joined one to one


def _response_pending(scope: Scope) -> Q:
    """Applied today or on the working day before and not yet answered: window still open."""
    today_ord = ordinal_on(scope.today)
    if today_ord is None:
        return Q(pk__in=[])
    return Q(**{f"{FACT}response_ord__isnull": True, f"{FACT}created_ord__gte": today_ord - 1})


ENDED = Q(completed_on__isnull=False) | Q(
    accepted_on__isnull=False, state__in=(State.TERMINATED, State.ARCHIVED)
)
CONSULTATION_MET = (
    Q(status=ConsultationStatus.ANSWERED)
    | Q(status=ConsultationStatus.REPLIED, replied_at__lt=F("_due_end"))
    | Q(status=ConsultationStatus.REPLIED, reply_due_on__isnull=True)
)
COMPLAINT_MET = Q(contacted_at__lt=F("_contact_end"), replied_at__lt=F("_due_end"))
# A bad review's required return visit was made and reached the client. A condition, not an
# annotation, so it is only evaluated for the real-name bad reviews it is asked about.
VISITED = Q(
    Exists(
        ReturnVisit.objects.filter(
            rectification__evaluation_id=OuterRef("pk"),
            kind=ReturnVisitKind.REQUIRED,
            visited_at__isnull=False,
        ).exclude(outcome=ReturnVisitOutcome.UNREACHABLE)
    )
)


def _consultation_window(scope: Scope) -> Q:
    """Awaiting a reply that is not yet due: not counted either way."""
    return ~Q(status__in=AWAITING_REPLY, reply_due_on__gte=scope.today)


def _complaint_window(scope: Scope) -> Q:
    """Still within both limits: not counted either way."""
    contact_not_late = Q(contacted_at__lt=F("_contact_end")) | Q(
        contacted_at__isnull=True, contact_due_on__gte=scope.today
    )
    return ~(Q(replied_at__isnull=True, due_on__gte=scope.today) & contact_not_late)


@dataclass(frozen=True)
class Metric:
    code: str
    label: str
    source: str  # cases | evaluations | consultations | complaints
    dated: Dating  # dates a row in a range of days (periods, months)
    counts: Callable[[Scope], Q]  # which dated rows count (beyond the date)
    met: Q
    definition: str
    met_label: str = "达标"
    missed_label: str = "未达标"

    def population_q(self, scope: Scope, first: date | None = None, after: date | None = None) -> Q:
        if first is None:
            first, after = span(scope)
        return self.dated(first, after) & self.counts(scope)


def _always(scope: Scope) -> Q:
    return Q()


METRICS: dict[str, Metric] = {
    m.code: m
    for m in (
        Metric(
            "on_time",
            "按时办结率",
            "cases",
            dates_in("completed_on"),
            lambda scope: Q(due_on__isnull=False),
            Q(completed_on__lte=F("due_on")),
            "期内办结的已受理办件中，办结日期不晚于到期日的比例。到期日自受理次日起按工作日计算，"
            "已扣除补正和中止期间（暂停计时）；即办件到期日为受理当日。",
            "按时办结",
            "超期办结",
        ),
        Metric(
            "response",
            "响应率",
            "cases",
            instants_in("created_at"),
            lambda scope: ~_response_pending(scope),
            Q(**{f"{FACT}response_ord__lte": F(f"{FACT}created_ord") + 1}),
            "期内提出的帮办代办申请中，1个工作日内由工作人员响应（窗口登记即为响应；网上申请以"
            "工作人员首次处理为准）的比例。尚在响应期内且未响应的申请不计入。",
            "及时响应",
            "未及时响应",
        ),
        Metric(
            "resolution",
            "解决率",
            "cases",
            outcome_in,
            lambda scope: Q(completed_on__isnull=False) | Q(state__in=ENDED_UNRESOLVED),
            Q(completed_on__isnull=False),
            "期内有结果的办件（办结、终止或不予受理）中，办结的比例。终止和不予受理均计为未解决，"
            "原因见“终止原因”。",
            "已办结",
            "终止或不予受理",
        ),
        Metric(
            "records",
            "记录完整率",
            "cases",
            outcome_in,
            lambda scope: ENDED,
            Q(**{f"{FACT}records_ok": True}),
            "期内办结或受理后终止的办件中，应有的签字确认齐全的比例：帮办申请表或代办服务委托书、"
            "办结（终止）单（续办期满自动终止的除外）、每次中止的中止单和每次续办的续办委托书、"
            "当面交付的签收。",
            "记录齐全",
            "缺少签字确认",
        ),
        Metric(
            "satisfaction",
            "满意率",
            "evaluations",
            instants_in("created_at"),
            lambda scope: Q(excluded=False),
            Q(level__in=GOOD_LEVELS),
            "期内收到的有效评价中，“非常满意”“满意”“基本满意”的比例（GB/T 39734 五级评价；"
            "经申诉复核认定为误评或恶意差评的不计入）。",
            "满意",
            "不满意或非常不满意",
        ),
        Metric(
            "return_visits",
            "实名差评回访率",
            "evaluations",
            instants_in("created_at"),
            lambda scope: Q(level__in=BAD_LEVELS, real_name=True),
            VISITED,
            "期内收到的实名差评（不满意、非常不满意）中，已完成核实回访（联系上服务对象）的比例。",
            "已回访",
            "未回访",
        ),
        Metric(
            "timely_consultations",
            "咨询及时处理率",
            "consultations",
            instants_in("created_at"),
            _consultation_window,
            CONSULTATION_MET,
            "期内登记的咨询中，当场答复或在答复期限（1个工作日）内答复的比例；尚未到期的待答复"
            "咨询不计入。",
            "及时处理",
            "超期或未答复",
        ),
        Metric(
            "timely_complaints",
            "投诉及时处理率",
            "complaints",
            instants_in("received_at"),
            _complaint_window,
            COMPLAINT_MET,
            "期内受理的投诉中，在期限内联系投诉人（1个工作日）并在办结期限内答复（简单投诉5个、"
            "复杂投诉15个工作日）的比例；两个期限均未到的投诉不计入。",
            "及时处理",
            "超期",
        ),
    )
}

TIMELY_DEFINITION = (
    "咨询及时处理率和投诉及时处理率的合并：及时处理的咨询和投诉之和除以应计的咨询和投诉之和。"
)
SOURCES = ("cases", "evaluations", "consultations", "complaints")


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


def source_rows(source: str, scope: Scope, first: date | None = None) -> QuerySet:
    """The rows a source's figures count from, with what their conditions refer to.

    Cases: their facts are brought up to date first. Consultations and complaints: the
    instant their due days end (a lookup per row: these tables are small beside cases).
    """
    first = first or scope.period.start
    if not facts.is_fresh():
        ensure_ordinals(first, scope.period.end)
    if source == "cases":
        facts.ensure_fresh()
        return scoped_cases(scope)
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


def _counted(source: str, codes, scope: Scope, volumes=False, handling=False) -> dict:
    """One row of the period's counts: rolled days from the roll-up, the rest from rows."""
    from . import rollup  # builds on the definitions in this module

    facts.ensure_fresh()  # the roll-up's days and the cases' facts, before either is read
    rolled, live = rollup.split(scope, source)
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
    return _added(row, rows.aggregate(**columns))


def rates(codes, scope: Scope) -> dict[str, Rate]:
    """{code: Rate} for these figures: one aggregate query per source (two with a roll-up)."""
    result = {}
    for source, these in _by_source(codes).items():
        result.update(_rates(_counted(source, these, scope), these))
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


def unit_key(path_field: str, root, children) -> Case:
    """Each row's unit: the child site whose subtree holds it, else the root itself."""
    whens = [When(**{f"{path_field}__startswith": c.path}, then=Value(c.pk)) for c in children]
    return Case(*whens, default=Value(root.pk), output_field=IntegerField())


def group_expression(source: str, by: str, scope: Scope, children=()):
    fields = GROUP_FIELDS[source]
    if by == "unit":
        return unit_key(fields["path"], scope.site, children)
    if by not in fields:
        return None
    return F(fields[by])


def _live_by_month(source: str, codes, scope: Scope, handling: bool) -> dict:
    """{month: row}: one query with a pair of filtered counts per month and figure."""
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


def _live_grouped(source: str, codes, scope: Scope, by: str, children, handling: bool) -> dict:
    """{group key: row} for the scope's own rows: one grouped query."""
    if by == "month":
        return _live_by_month(source, codes, scope, handling)
    key = group_expression(source, by, scope, children)
    if key is None:
        return {}
    columns = _columns(codes, scope, _whole(scope), distinct=by in ("item", "category"))
    extra = []
    if handling:
        columns |= handling_columns(scope)
        extra.append(METRICS["on_time"].dated)
    rows = source_rows(source, scope).filter(_dated_any(codes, scope, extra))
    found = rows.annotate(_k=key).order_by().values("_k").annotate(**columns)
    return {row.pop("_k"): row for row in found}


def _grouped(source: str, codes, scope: Scope, by: str, children, handling: bool) -> dict:
    from . import rollup  # builds on the definitions in this module

    facts.ensure_fresh()
    rolled, live = rollup.split(scope, source, by)
    rows = rollup.grouped(source, codes, scope, rolled, by, children, handling) if rolled else {}
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
    for source, these in sources.items():
        with_days = handling and source == "cases"
        for key, row in _grouped(source, these, scope, by, children, with_days).items():
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
        expr = group_expression(m.source, by, scope, children) if by else None
        if expr is not None and key not in (None, ""):
            rows = rows.annotate(_k=expr).filter(_k=key)
    if part == "met":
        rows = rows.filter(m.met)
    elif part == "missed":
        rows = rows.exclude(m.met)
    return rows.distinct() if by in ("item", "category") else rows


# --- averages, volumes and reasons ---------------------------------------------------


def handling_filter(scope: Scope) -> Q:
    """Which cases of the on-time population have a handling time (not the date)."""
    return METRICS["on_time"].counts(scope) & Q(promised_days__isnull=False)


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


def _terminated_q() -> Q:
    """Terminated (never completed): the case keeps its termination reason when archived."""
    return Q(state__in=(State.TERMINATED, State.ARCHIVED), completed_on__isnull=True) & ~Q(
        reason_code=""
    )


def _refused_q() -> Q:
    return Q(state__in=(State.REFUSED, State.ARCHIVED), completed_on__isnull=True, reason_code="")


# The period's volumes: each dated by the event it counts, among the cases meeting a condition.
VOLUME_RULES = {
    "submitted": (instants_in("created_at"), Q()),
    "accepted": (dates_in("accepted_on"), Q()),
    "completed": (dates_in("completed_on"), Q()),
    "terminated": (instants_in("closed_at"), _terminated_q()),
    "refused": (instants_in("closed_at"), _refused_q()),
}


def overdue_open_q(scope: Scope) -> Q:
    """Running past the due date, as of the scope's today (not dated by the period)."""
    return Q(state__in=RUNNING, due_on__lt=scope.today)


def volume_q(code: str, scope: Scope) -> Q:
    """Which cases a volume counts (dated by the event it counts; overdue_open: today)."""
    if code == "overdue_open":
        return overdue_open_q(scope)
    dating, condition = VOLUME_RULES[code]
    return condition & dating(*span(scope))


def volume_rows(code: str, scope: Scope) -> QuerySet:
    return scoped_cases(scope).filter(volume_q(code, scope))


def volume_columns(scope: Scope) -> dict:
    return {f"_vol_{code}": Count("pk", filter=volume_q(code, scope)) for code in VOLUME_RULES}


def case_summary(scope: Scope, codes) -> tuple[dict, dict, float | None]:
    """The case figures, the volumes and the average handling time (one or two case
    queries, and one for the cases overdue now)."""
    codes = [c for c in codes if METRICS[c].source == "cases"]
    row = _counted("cases", codes, scope, volumes=True, handling=True)
    row["_vol_overdue_open"] = volume_rows("overdue_open", scope).count()
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


def suspensions_by_reason(scope: Scope) -> list[tuple[str, str, int]]:
    """(reason code, label, suspensions) in the period, most frequent first."""
    rows = (
        _events_in_period(scope, ("suspend",))
        .annotate(reason_code=KT("details__reason_code"))
        .order_by()
        .values("reason_code")
        .annotate(n=Count("pk"))
    )
    return sorted(
        (
            (r["reason_code"] or "", SUSPENSION_REASONS.get(r["reason_code"], "其他"), r["n"])
            for r in rows
        ),
        key=lambda t: -t[2],
    )


def terminations_by_reason(scope: Scope) -> list[tuple[str, str, int]]:
    rows = (
        scoped_cases(scope)
        .filter(volume_q("terminated", scope))
        .order_by()
        .values("reason_code")
        .annotate(n=Count("pk"))
    )
    return sorted(
        (
            (r["reason_code"], TERMINATION_REASONS.get(r["reason_code"], "其他原因"), r["n"])
            for r in rows
        ),
        key=lambda t: -t[2],
    )


def reason_rows(kind: str, reason: str, scope: Scope) -> QuerySet:
    """The cases behind a reason count (kind: suspension | termination)."""
    if kind == "suspension":
        events = _events_in_period(scope, ("suspend",)).filter(details__reason_code=reason)
        return scoped_cases(scope).filter(pk__in=events.values("case_id"))
    return scoped_cases(scope).filter(volume_q("terminated", scope), reason_code=reason)
