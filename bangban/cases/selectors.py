"""Reads for the pages: where a case stands against its deadline, the work log, the list of
cases, and the public progress an applicant sees (shared by ``/api/progress`` and the portal).

The work log (工作日志) and the list of cases (``case_list``: the 台账, its export and the
API's list) are views of what the write path already records — events and cases — never a
second record kept by hand. Every list is a bounded number of queries however many rows it
has; ``case_list`` starts from ``visible_cases``, so it shows a person nothing they could
not open.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from bangban.clients import pii
from bangban.clients.identity import IdentityError, validate_mobile
from bangban.clients.masking import mask_name
from bangban.workdays.rules import WorkCalendar

from . import application
from .access import NEWEST_FIRST, Actor, case_roles, visible_cases
from .models import Case, CaseEvent, CaseItem
from .transitions import BY_EVENT, PUBLIC_EVENTS, check_table
from .workflow import (
    CLOCK_PAUSED_STATES,
    CLOCK_RUNNING_STATES,
    STATE_LABELS,
    ServiceType,
    State,
    TransitionRefused,
)

WARNING_WORKDAYS = 2  # a warning when this few working days are left ...
WARNING_SHARE = 0.2  # ... or this share of the promised limit, whichever is more


def deadline_status(case: Case, today: date, calendar: WorkCalendar) -> tuple[str, int | None]:
    """("ok" | "warning" | "overdue" | "paused" | "none", working days left).

    Working days left are those after ``today`` up to and including ``due_on``: 0 on the
    due date itself (still on time, with a warning), negative once overdue (minus the
    working days late; 0 on a day off right after the due date). While the clock is
    paused, the days left are frozen at what was left when it stopped. "none" (with None)
    when the clock does not apply: not accepted yet, or finished, refused or terminated.
    """
    if not case.accepted_on or case.due_on is None:
        return "none", None
    state = State(case.state)
    if state in CLOCK_PAUSED_STATES:
        since = case.paused_since or today
        # due_on was computed as if the pause ended on its first day, which it pushed by
        # one working day if that was one: the working days after it are what remain.
        return "paused", calendar.workdays_between(since, case.due_on)
    if state not in CLOCK_RUNNING_STATES:
        return "none", None
    if today > case.due_on:
        # minus the working days late; 0 on a weekend right after the due date
        return "overdue", -calendar.workdays_between(case.due_on, today)
    left = calendar.workdays_between(today, case.due_on)
    limit = case.promised_days or 0
    if left <= WARNING_WORKDAYS or left <= limit * WARNING_SHARE:
        return "warning", left
    return "ok", left


def _day_bounds(first: date, last: date | None = None) -> tuple[datetime, datetime]:
    """The local-time instants [start of ``first``, start of the day after ``last``)."""
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(first, time.min), zone)
    end = timezone.make_aware(datetime.combine((last or first) + timedelta(days=1), time.min), zone)
    return start, end


def work_log(staff, day: date) -> QuerySet[CaseEvent]:
    """工作日志: what this staff member did on ``day`` (local time), oldest first.

    A range on ``at`` rather than ``at__date`` so that the (actor_staff, at) index serves it.
    """
    start, end = _day_bounds(day)
    return (
        CaseEvent.objects.filter(actor_staff=staff, at__gte=start, at__lt=end)
        .select_related("case", "site")
        .order_by("at", "id")
    )


@dataclass(frozen=True)
class CaseListFilters:
    """What a list of cases can be narrowed by: the 台账, its Excel export and the API's
    ``GET /api/cases`` all read this, each face parsing its own input into it. Every field
    is optional.

    ``site``/``agent``/``item`` take an object or its id; ``item`` is a catalogue
    ``ServiceItem`` (any version of it). ``site_code`` names the site by its code instead.
    ``state`` takes one state or several. ``date_from``/``date_to`` bound the application
    date (local, inclusive). ``overdue``: True keeps only cases whose running clock is
    past ``due_on`` on ``today``, False leaves those out, None does not ask.
    ``number_prefix`` keeps the cases whose number starts with it, or whose 政务服务网
    application number (``external_number``) is exactly it.
    """

    site: object = None
    site_code: str | None = None
    agent: object = None
    item: object = None
    state: str | Iterable[str] | None = None
    service_type: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    overdue: bool | None = None
    number_prefix: str | None = None
    today: date | None = None

    @classmethod
    def of(cls, filters: CaseListFilters | Mapping | None) -> CaseListFilters:
        if filters is None:
            return cls()
        if isinstance(filters, cls):
            return filters
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in filters.items() if k in known and v not in ("", None)})


def _pk(value) -> object:
    return getattr(value, "pk", value)


def case_list(
    actor: Actor | None, filters: CaseListFilters | Mapping | None = None
) -> QuerySet[Case]:
    """The cases this person may see, narrowed by ``filters``, newest first: the one list
    behind the 台账, its export and the API's list.

    One query for the rows with their site, agent, client and pending relay target, however
    many rows there are (after the coordinator's covered sites); callers page by
    ``newest__lt`` (the ``newest`` of the last row seen).
    """
    f = CaseListFilters.of(filters)
    cases = visible_cases(actor)
    if f.site is not None:
        cases = cases.filter(site_id=_pk(f.site))
    if f.site_code:
        cases = cases.filter(site__code=f.site_code)
    if f.agent is not None:
        cases = cases.filter(agent_id=_pk(f.agent))
    if f.item is not None:
        with_item = CaseItem.objects.filter(item_version__item_id=_pk(f.item)).values("case_id")
        cases = cases.filter(pk__in=with_item)
    if f.state:
        states = [f.state] if isinstance(f.state, str) else list(f.state)
        cases = cases.filter(state__in=states)
    if f.service_type:
        cases = cases.filter(service_type=f.service_type)
    if f.date_from or f.date_to:
        if f.date_from:
            cases = cases.filter(created_at__gte=_day_bounds(f.date_from)[0])
        if f.date_to:
            cases = cases.filter(created_at__lt=_day_bounds(f.date_to)[1])
    if f.overdue is not None:
        overdue = Q(state__in=CLOCK_RUNNING_STATES, due_on__lt=f.today or timezone.localdate())
        cases = cases.filter(overdue) if f.overdue else cases.exclude(overdue)
    if f.number_prefix:
        # or the 政务服务网 number it was filed under, whole (an indexed equality)
        prefix = f.number_prefix
        cases = cases.filter(Q(number__startswith=prefix) | Q(external_number=prefix))
    return cases.select_related("site", "agent", "client", "relay_to_site").order_by(NEWEST_FIRST)


# The columns a row of the API's list shows (``api.cases.list_item``), read as plain values:
# no model instances, and none of the client's encrypted fields (the list shows them masked).
LIST_ROW_FIELDS = (
    "id",
    "number",
    "title",
    "service_type",
    "state",
    "channel",
    "external_number",
    "site__code",
    "site__name",
    "agent__name",
    "client_id",
    "client__kind",
    "client__name",
    "client__id_number_masked",
    "client__mobile_masked",
    "client__is_elderly",
    "client__is_disabled",
    "created_at",
    "accepted_on",
    "due_on",
    "version",
)


def case_list_page(
    actor: Actor | None,
    filters: CaseListFilters | Mapping | None = None,
    *,
    after: int | None = None,
    limit: int = 20,
) -> tuple[list[dict], int | None]:
    """One page of ``case_list`` as rows of ``LIST_ROW_FIELDS`` (the cases newer than none,
    or older than ``after``, newest first), and the ``after`` of the next page (None on the
    last one). One query, whatever the page's size and the number of cases."""
    cases = case_list(actor, filters)
    if after:
        cases = cases.filter(newest__lt=after)
    rows = list(cases.values(*LIST_ROW_FIELDS)[: limit + 1])
    more = len(rows) > limit
    del rows[limit:]
    return rows, (rows[-1]["id"] if more else None)


# --- what the applicant sees: the public progress (API /api/progress and the portal) -----

EVENT_LABELS = {"submit": "提交申请"}  # the opening event is not a row of the table


def event_label(event: str) -> str:
    transition = BY_EVENT.get(event)
    return transition.label if transition else EVENT_LABELS.get(event, event)


def state_label(state: str) -> str:
    return STATE_LABELS[State(state)] if state else ""


NOT_FOUND = "办件不存在或手机号码不符"


def client_case(number: str, phone: str) -> tuple[Actor, Case]:
    """The case, seen as its client, when the phone is the client's; the same 404 otherwise."""
    try:
        mobile = validate_mobile(phone)
    except IdentityError:
        raise Http404(NOT_FOUND) from None
    return client_case_by_mobile_hash(number, pii.lookups("mobile", mobile))


def client_case_by_mobile_hash(number: str, mobile_hash: str | list[str]) -> tuple[Actor, Case]:
    """As ``client_case``, for a mobile already proven and kept only as its lookup hash
    (or every hash it may be stored under, ``pii.lookups``)."""
    hashes = [mobile_hash] if isinstance(mobile_hash, str) else list(mobile_hash)
    hashes = [h for h in hashes if h]
    if not hashes:
        raise Http404(NOT_FOUND)
    # One indexed query (the case's number, then its client's mobile hash): the case is the
    # client's own, so it is exactly what ``get_case_for`` would give the client.
    case = (
        Case.objects.select_related("client", "site", "agent", "relay_to_site")
        .filter(number=number, client__mobile_hash__in=hashes)
        .first()
    )
    if case is None:
        raise Http404(NOT_FOUND)
    return Actor.of_client(case.client), case


def step_label(event: CaseEvent) -> str:
    label, details = event_label(event.event), event.details
    if event.event == "relay_accept":
        return f"转至{details.get('to_site', '')}办理"
    if event.event == "department_step":
        return f"{details.get('department', '')}：{details.get('status_label', '')}"
    if details.get("department"):
        return f"{label}（{details['department']}）"
    return label


def awaiting(case: Case) -> tuple[list[str], object]:
    if case.state == State.AWAITING_SUPPLEMENT:
        notice = case.notices.first()
        needed = notice.needed if notice else []
        lines = [
            n["name"]
            + (f"（{n['note']}）" if n.get("note") else "")
            + (f"，获取途径：{n['obtain_from']}" if n.get("obtain_from") else "")
            for n in needed
        ]
        return ["请补充或补正以下材料：", *lines], case.supplement_due_on
    if case.state == State.SUSPENDED:
        lines = [f"办件已中止（{case.reason_text}），如需继续办理，请在续办期限前签订续办委托书"]
        suspended = case.events.filter(event="suspend").order_by("-seq").first()
        fee = (suspended.details or {}) if suspended else {}
        if fee.get("fee_amount"):  # an unpaid fee: how much, and where to pay it
            lines.append(
                f"应缴金额：{fee['fee_amount']}元，缴费地点或方式：{fee.get('fee_payee', '')}"
            )
        return lines, case.resumption_due_on
    return [], None


# The columns the public progress shows from the case row, and what keys its cached part.
PROGRESS_FIELDS = (
    "id",
    "version",
    "number",
    "title",
    "service_type",
    "state",
    "due_on",
    "supplement_due_on",
    "resumption_due_on",
    "reason_text",
    "client__name",
)
PROGRESS_TTL = 60 * 60 * 24  # a new version or a new day is a new key; this only bounds memory


def progress_key(case_id: int, version: int, today: date) -> str:
    """The cache key of a case's public steps and what it awaits (``public_progress``). It
    covers the timeline's public events, the one-time notice's materials and the suspension's
    fee (all written by ``case_transition``, which bumps ``version``); the day bounds it."""
    return f"progress:1:{case_id}:{version}:{today.isoformat()}"


def public_progress(number: str, phone: str) -> dict:
    """``progress`` of the case with this number whose client has this phone, as JSON-ready
    values, or the same 404 as ``client_case``. One indexed query (the number, then the
    client's mobile hash) for only the columns shown; the steps and what the case awaits come
    from the cache keyed by the case's version (``progress_key``), read only when missing."""
    try:
        mobile = validate_mobile(phone)
    except IdentityError:
        raise Http404(NOT_FOUND) from None
    hashes = [h for h in pii.lookups("mobile", mobile) if h]
    row = (
        Case.objects.filter(number=number, client__mobile_hash__in=hashes)
        .values(*PROGRESS_FIELDS)
        .first()
        if hashes
        else None
    )
    if row is None:
        raise Http404(NOT_FOUND)
    key = progress_key(row["id"], row["version"], timezone.localdate())
    cached = cache.get(key)
    if cached is None:
        case = Case(
            id=row["id"],
            number=row["number"],
            state=row["state"],
            reason_text=row["reason_text"],
            supplement_due_on=row["supplement_due_on"],
            resumption_due_on=row["resumption_due_on"],
        )
        wanted, _ = awaiting(case)
        steps = case.events.filter(event__in=PUBLIC_EVENTS).only("case", "event", "details", "at")
        cached = {
            "awaiting": wanted,
            "steps": [
                {"label": step_label(e), "on": timezone.localdate(e.at).isoformat()}
                for e in steps.order_by("seq")
            ],
        }
        cache.set(key, cached, PROGRESS_TTL)
    state, due_on = row["state"], row["due_on"]
    # the due date of what is awaited, as ``awaiting`` gives it, from the row read now
    wanted_by = (
        row["supplement_due_on"]
        if state == State.AWAITING_SUPPLEMENT
        else row["resumption_due_on"]
        if state == State.SUSPENDED
        else None
    )
    return {
        "number": row["number"],
        "title": row["title"],
        "service_type_label": SERVICE_TYPE_LABELS.get(row["service_type"], row["service_type"]),
        "client_name": mask_name(row["client__name"]),
        "state_label": state_label(state),
        "awaiting": cached["awaiting"],
        "awaiting_due_on": wanted_by.isoformat() if wanted_by else None,
        "due_on": due_on.isoformat() if due_on else None,
        "steps": cached["steps"],
    }


SERVICE_TYPE_LABELS = {str(k): str(v) for k, v in Case._meta.get_field("service_type").flatchoices}


def progress(case: Case) -> dict:
    wanted, wanted_by = awaiting(case)
    steps = case.events.filter(event__in=PUBLIC_EVENTS).order_by("seq")
    return {
        "number": case.number,
        "title": case.title,
        "service_type_label": case.get_service_type_display(),
        "client_name": mask_name(case.client.name),
        "state_label": case.state_label,
        "awaiting": wanted,
        "awaiting_due_on": wanted_by,
        "due_on": case.due_on,
        "steps": [{"label": step_label(e), "on": timezone.localdate(e.at)} for e in steps],
    }


# --- 一表申请 -----------------------------------------------------------------------------


def may_answer_application(actor, case) -> bool:
    """Whether the state table lets this person answer now (the case's agent, open case)."""
    try:
        check_table(
            application.EVENT,
            State(case.state),
            ServiceType(case.service_type),
            case_roles(actor, case),
        )
    except TransitionRefused:
        return False
    return True


def application_answers_for(actor, case, fields) -> tuple[dict[str, str], bool]:
    """The answer set as this person may see it, and whether it is masked: in full for the
    one who may answer (they edit what they typed), personal values masked for anyone else."""
    if may_answer_application(actor, case):
        return application.current_answers(case), False
    return application.shown_answers(case, fields), True
