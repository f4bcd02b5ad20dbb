"""The metric definitions: what each quality figure counts, and nothing that counts it.

Scopes and periods, the datings (which days a row falls on), each ``Metric``'s population
and condition, the volume rules. Pure definitions over querysets: the live counting
(``metrics``) and the daily roll-up (``rollup``) both build on them, so there is one
definition of every figure, and imports run one way only:
``definitions`` → ``rollup`` → ``facts`` → ``metrics`` (live counting, the figures as read).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import reduce
from operator import or_

from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from bangban.cases.access import Actor, visible_cases
from bangban.cases.models import Case as CaseModel
from bangban.cases.models import CaseEvent, CaseItem
from bangban.cases.workflow import (
    CLOCK_RUNNING_STATES,
    State,
)
from bangban.consultations.models import AWAITING_REPLY, ConsultationStatus

from ..models import (
    BAD_LEVELS,
    GOOD_LEVELS,
    ReturnVisit,
    ReturnVisitKind,
    ReturnVisitOutcome,
)
from .ordinals import ordinal_on

RUNNING = CLOCK_RUNNING_STATES  # past due in these is overdue (one home: cases.workflow)


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
    return _narrowed(_site_filter(visible_cases(scope.actor), scope), scope)


# --- credit along the path ----------------------------------------------------------------
# Each step counts at the site that did it (``CaseEvent.site``: the owner at the time), kept
# per case in its fact: the application (申请件数, 响应率) at the site that received it, the
# acceptance (受理件数) at the site that accepted it, even after the case was relayed on.
# Everything dated otherwise (completion, the outcome, the due date) counts at the case's
# current site, which did the completing. A fact not computed yet: the current site.
CREDITED = {
    "created_at": "oversight_fact__received_site",
    "accepted_on": "oversight_fact__accepted_site",
}
CURRENT = "site"


def credited_site(column: str) -> str | None:
    """The fact's field naming the site credited for rows dated by ``column`` (None: the
    case's current site)."""
    return CREDITED.get(column)


def credit_of(dating: Dating) -> str:
    """The site field a dating's rows are credited to (every part of a dating agrees)."""
    fields = {credited_site(p.column) or CURRENT for p in dating.parts}
    if len(fields) != 1:
        raise ValueError("一个统计日期口径只能归属一个机构")
    return fields.pop()


# Credit along the path, step by step (``path.py``, rolled up in ``DailyPathStep``): a
# (case, step) counts at a site on the day that site first did the step for the case, and
# for a region on the day the case first had it done anywhere in the region, each case
# once. "First": the lowest ``seq`` among the case's events of that step (events are
# append-only, so the first never moves and every pair falls on one day: the days add up).
PATH_EVENTS = {
    "submit": "received",
    "pre_review": "pre_reviewed",
    "accept": "accepted",
    "relay_out": "relayed",
    "complete": "completed",
}


def done_before(**where) -> Exists:
    """The same step of the same case was done earlier (``where``: at which sites)."""
    return Exists(
        CaseEvent.objects.filter(
            case_id=OuterRef("case_id"), event=OuterRef("event"), seq__lt=OuterRef("seq"), **where
        )
    )


def _under(field: str, scope: Scope) -> Q:
    if scope.rollup:
        return Q(**{f"{field}__path__startswith": scope.site.path})
    return Q(**{f"{field}_id": scope.site.pk})


def credit_q(field: str, scope: Scope) -> Q:
    """Rows credited to the scope's site (or below it) through ``field``."""
    if scope.site is None:
        return Q()
    if field == CURRENT:
        return _under(CURRENT, scope)
    return _under(field, scope) | (Q(**{f"{field}__isnull": True}) & _under(CURRENT, scope))


def credited_cases(scope: Scope) -> QuerySet[CaseModel]:
    """The cases any step of which is credited to the scope's site: now there, received
    there or accepted there. Each figure then keeps the rows credited to it (``credit_q``)."""
    cases = visible_cases(scope.actor)
    if scope.site is not None:
        cases = cases.filter(
            reduce(or_, (credit_q(f, scope) for f in (CURRENT, *CREDITED.values())))
        )
    return _narrowed(cases, scope)


def overdue_open_q(scope: Scope) -> Q:
    """Running past the due date, as of the scope's today (not dated by the period)."""
    return Q(state__in=RUNNING, due_on__lt=scope.today) & credit_q(CURRENT, scope)


def _narrowed(cases: QuerySet[CaseModel], scope: Scope) -> QuerySet[CaseModel]:
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

    @property
    def credit(self) -> str:
        """The site field this figure's rows count at (cases; others: their own site)."""
        return credit_of(self.dated) if self.source == "cases" else CURRENT

    def population_q(self, scope: Scope, first: date | None = None, after: date | None = None) -> Q:
        if first is None:
            first, after = span(scope)
        sited = credit_q(self.credit, scope) if self.source == "cases" else Q()
        return self.dated(first, after) & self.counts(scope) & sited


def _always(scope: Scope) -> Q:
    return Q()


# 按时办结率: completed in the period, or due in it and still running past the due date
# (as of the scope's today): an overdue case never completed lowers the rate too.
on_time_dated = Dating(
    (
        DatePart("completed_on", False),
        DatePart("due_on", False, Q(completed_on__isnull=True, state__in=RUNNING)),
    )
)


def _on_time_counts(scope: Scope) -> Q:
    return Q(due_on__isnull=False) & (Q(completed_on__isnull=False) | Q(due_on__lt=scope.today))


RECORDS_DEFINITION = (
    "统计口径（000 §5 e：日志、信息公开、咨询、投诉、满意度评价等记录完整）：期内办结或受理后终止的"
    "办件中，下列记录齐全的比例。①签字确认：帮办申请表或代办服务委托书、办结（终止）单（续办期满"
    "自动终止的除外）、每次中止的中止单和每次续办的续办委托书、当面交付的签收；②工作日志：办件"
    "时间线逐条连续、无缺号；③咨询：由咨询转来的办件，该咨询已有答复；④满意度评价：已交付或已"
    "归档的办件，已发出评价邀请或已有评价。投诉记录按投诉受理、调查、处理、答复、归档逐环节登记，"
    "其时效计入投诉及时处理率；信息公开计入信息公开透明度。计入办件当前所在的机构。"
)


METRICS: dict[str, Metric] = {
    m.code: m
    for m in (
        Metric(
            "on_time",
            "按时办结率",
            "cases",
            on_time_dated,
            _on_time_counts,
            Q(completed_on__lte=F("due_on")),
            "统计口径：分母为期内办结的已受理办件，加上到期日在期内、至今已超期仍未办结的办件；"
            "分子为办结日期不晚于到期日的办件（超期未办结的计为未按时）。到期日自受理次日起按工作日"
            "计算，已扣除补正和中止期间（暂停计时）；即办件到期日为受理当日。计入办结的机构。",
            "按时办结",
            "超期办结或超期未办结",
        ),
        Metric(
            "response",
            "响应率",
            "cases",
            instants_in("created_at"),
            lambda scope: ~_response_pending(scope),
            Q(**{f"{FACT}response_ord__lte": F(f"{FACT}created_ord") + 1}),
            "统计口径：期内提出的帮办代办申请中，1个工作日内由工作人员响应（窗口登记即为响应；"
            "网上申请以工作人员首次处理为准）的比例。尚在响应期内且未响应的申请不计入。"
            "计入接收申请的机构，移交上级后仍计在原机构。",
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
            "统计口径：期内有结果的办件（办结、终止或不予受理）中，办结的比例。终止和不予受理均"
            "计为未解决，原因见“终止原因”。计入办件当前所在（作出结果）的机构。",
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
            RECORDS_DEFINITION,
            "记录齐全",
            "记录不全",
        ),
        Metric(
            "satisfaction",
            "满意率",
            "evaluations",
            instants_in("created_at"),
            lambda scope: Q(excluded=False),
            Q(level__in=GOOD_LEVELS),
            "统计口径：期内收到的有效评价中，“非常满意”“满意”“基本满意”的比例（GB/T 39734 五级"
            "评价；经申诉复核认定为误评或恶意差评的不计入）。计入办件当前所在的机构。",
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
            "统计口径：期内收到的实名差评（不满意、非常不满意）中，已完成核实回访（联系上服务对象）"
            "的比例。",
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
            "统计口径：期内登记的咨询中，当场答复或在答复期限（1个工作日）内答复的比例；尚未到期"
            "的待答复咨询不计入。计入登记咨询的机构。",
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
            "统计口径：期内受理的投诉中，在期限内联系投诉人（1个工作日）并在办结期限内答复（简单"
            "投诉5个、复杂投诉15个工作日）的比例；两个期限均未到的投诉不计入。",
            "及时处理",
            "超期",
        ),
    )
}


TIMELY_DEFINITION = "统计口径：咨询及时处理率和投诉及时处理率的合并：及时处理的咨询和投诉之和除以应计的咨询和投诉之和。"


SOURCES = ("cases", "evaluations", "consultations", "complaints")


def unit_key(path_field: str, root, children) -> Case:
    """Each row's unit: the child site whose subtree holds it, else the root itself."""
    whens = [When(**{f"{path_field}__startswith": c.path}, then=Value(c.pk)) for c in children]
    return Case(*whens, default=Value(root.pk), output_field=IntegerField())


def handling_filter(scope: Scope) -> Q:
    """Which cases of the on-time population have a handling time (not the date): the
    completed ones (an overdue open case has none yet)."""
    return (
        METRICS["on_time"].counts(scope)
        & Q(promised_days__isnull=False, completed_on__isnull=False)
        & credit_q(CURRENT, scope)
    )


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
