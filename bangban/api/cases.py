"""Cases over the API: list, submit, detail, events, timeline, materials; public progress.

Every handler loads cases through ``access.get_case_for`` or, for the list,
``selectors.case_list`` (the workbench ledger's list, built on ``access.visible_cases``) and
changes them only through ``services.case_submit`` / ``services.case_transition``, so the
API can do exactly what the pages can, for exactly the people the pages allow.
"""

from __future__ import annotations

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Status
from ninja.throttling import AnonRateThrottle
from pydantic_core import to_json

from bangban.api.pagination import CursorPage, decode_cursor, encode_cursor
from bangban.apiauth.errors import ApiInvalid, error_responses
from bangban.apiauth.security import STAFF_AUTH
from bangban.cases import application
from bangban.cases.access import (
    Actor,
    case_roles,
    get_case_for,
    get_client_for,
    may_register_at,
)
from bangban.cases.guards import required_form
from bangban.cases.models import Case, CaseEvent
from bangban.cases.schemas import (
    CaseApplication,
    CaseDetail,
    CaseFilters,
    CaseIn,
    CaseList,
    CaseMaterials,
    EvaluationIn,
    EventIn,
    EventOut,
    EventResult,
    ProgressOut,
    ProgressQuery,
)
from bangban.cases.selectors import (
    LIST_ROW_FIELDS,
    CaseListFilters,
    application_answers_for,
    case_list_page,
    client_case,
    deadline_status,
    event_label,
    progress,
    public_progress,
    state_label,
)
from bangban.cases.services import case_deadline, case_submit, case_transition
from bangban.cases.transitions import events_from
from bangban.cases.workflow import (
    CLOCK_RUNNING_STATES,
    FORM_LABELS,
    ServiceType,
    State,
    TransitionRefused,
)
from bangban.catalogue.models import Bundle, ServiceItem
from bangban.clients.models import Client
from bangban.clients.services import ClientInput, client_register
from bangban.netaddr import client_ip
from bangban.network.models import Site
from bangban.workdays.services import current_calendar

router = Router(tags=["办件"], auth=STAFF_AUTH)
progress_router = Router(tags=["进度查询"], auth=None)

JSON = "application/json; charset=utf-8"  # as the API's renderer answers
_instant = DjangoJSONEncoder().default  # an instant as the API's renderer writes it
DEADLINE_STATUS = {"ok": "正常", "warning": "即将到期", "overdue": "已超期", "paused": "计时暂停"}


# --- building the answers ---------------------------------------------------------------


def summary(case: Case, today=None) -> dict:
    """The case as the list shows it (``list_item``), read from the loaded row and its
    site, agent and client."""
    row = {field: _follow(case, field) for field in LIST_ROW_FIELDS}
    return list_item(row, today or timezone.localdate())


def _follow(case: Case, field: str):
    """``client__name`` read as ``values()`` would: the value across the relation, or None."""
    if field.endswith("_id"):
        return getattr(case, field)
    value = case
    for part in field.split("__"):
        value = getattr(value, part) if value is not None else None
    return value


def _day(value) -> str | None:
    return value.isoformat() if value else None


def _site_ref(site) -> dict | None:
    return {"code": site.code, "name": site.name} if site else None


SERVICE_TYPE_LABELS = {str(k): str(v) for k, v in Case._meta.get_field("service_type").flatchoices}
CHANNEL_LABELS = {str(k): str(v) for k, v in Case._meta.get_field("channel").flatchoices}


def list_item(row: dict, today) -> dict:
    """A row of ``selectors.LIST_ROW_FIELDS`` as ``summary`` shows its case (``CaseSummary``);
    ``test_a_list_item_says_what_the_detail_says`` holds the two to the same answer."""
    due_on, accepted_on, state = row["due_on"], row["accepted_on"], row["state"]
    return {
        "id": row["id"],
        "number": row["number"],
        "title": row["title"],
        "service_type": row["service_type"],
        "service_type_label": SERVICE_TYPE_LABELS.get(row["service_type"], row["service_type"]),
        "state": state,
        "state_label": state_label(state),
        "channel": row["channel"],
        "channel_label": CHANNEL_LABELS.get(row["channel"], row["channel"]),
        "external_number": row["external_number"],
        "site": {"code": row["site__code"], "name": row["site__name"]},
        "agent_name": row["agent__name"],
        "client": {
            "id": row["client_id"],
            "kind": row["client__kind"],
            "name": row["client__name"],
            "id_number_masked": row["client__id_number_masked"],
            "mobile_masked": row["client__mobile_masked"],
            "is_priority": row["client__is_elderly"] or row["client__is_disabled"],
        },
        # the instants and dates as the API's renderer writes them (ninja's JSON encoder)
        "created_at": _instant(row["created_at"]),
        "accepted_on": accepted_on.isoformat() if accepted_on else None,
        "due_on": due_on.isoformat() if due_on else None,
        "overdue": bool(due_on and due_on < today and state in CLOCK_RUNNING_STATES),
        "version": row["version"],
    }


def deadline_info(case: Case) -> dict | None:
    """The deadline as the pages judge it (``selectors.deadline_status``: one warning rule).

    A finished case is judged on the day it finished: on time or late, never a warning.
    While the clock is paused (``provisional``) the status is "paused" (计时暂停), as the pages
    show it, and the days left are those frozen when it stopped (negative if it stopped late).
    """
    found = case_deadline(case)
    if found is None:
        return None
    calendar = current_calendar()
    today = timezone.localdate()
    finished = case.completed_on or (case.closed_at and timezone.localdate(case.closed_at))
    if finished:
        left = calendar.workdays_between(finished, found.due_on)
        status = "overdue" if finished > found.due_on else "ok"
    else:
        status, left = deadline_status(case, today, calendar)
    if status == "none":  # accepted, yet no due date stored (not expected): the computed one
        left = calendar.workdays_between(today, found.due_on)
        status = "overdue" if left < 0 else "ok"
    return {
        "accepted_on": _day(case.accepted_on),
        "promised_days": case.promised_days,
        "due_on": _day(found.due_on),
        "workdays_left": left,
        "status": status,
        "status_label": DEADLINE_STATUS[status],
        "provisional": found.provisional,
        "lines": found.explanation.lines(),
    }


def material_info(m) -> dict:
    return {
        "id": m.pk,
        "case_item_id": m.case_item_id,
        "name": m.name,
        "required": m.required,
        "accept_with_gaps": m.accept_with_gaps,
        "obtain_from": m.obtain_from,
        "status": m.status,
        "status_label": m.get_status_display(),
        "note": m.note,
        "checked_at": _instant(m.checked_at) if m.checked_at else None,
    }


def allowed_events(actor: Actor, case: Case) -> list[dict]:
    roles = case_roles(actor, case)
    allowed = []
    for transition in events_from(State(case.state), ServiceType(case.service_type), roles):
        form = required_form(case, transition, {})
        allowed.append(
            {
                "event": transition.event,
                "label": transition.label,
                "hint": transition.hint,
                "signs": FORM_LABELS[form] if form else None,
            }
        )
    return allowed


DETAIL_TTL = 60 * 60 * 24  # a new version or a new day is a new key; this only bounds memory


def detail(actor: Actor, case: Case) -> dict:
    """The case's detail, in the JSON types the API writes (``CaseDetail``): the summary read
    fresh from the loaded row (its client block changes with a correction, which does not
    bump the version), the rest from the cache.

    The cached part is keyed by what decides it: the case's version (items, materials and
    their checks, deadline fields: everything ``case_transition`` writes), the day and the
    calendar (the deadline's days left and lines), and the viewer's roles on the case (the
    allowed events). It holds nothing personal."""
    roles = case_roles(actor, case)
    calendar = current_calendar()
    today = timezone.localdate()
    who = ",".join(sorted(roles)) or "-"
    key = f"api:case:2:{case.pk}:{case.version}:{today.isoformat()}:{calendar.content_key()}:{who}"
    rest = cache.get(key)
    if rest is None:
        rest = _detail_rest(actor, case)
        cache.set(key, rest, DETAIL_TTL)
    return {**summary(case, today), "relay_to_site": _site_ref(case.relay_to_site), **rest}


def _detail_rest(actor: Actor, case: Case) -> dict:
    items = case.items.select_related("item_version__item", "department")
    return {
        "needs": case.needs,
        "items": [
            {
                "id": ci.pk,
                "item_code": ci.item_version.item.code,
                "item_name": ci.item_version.item.name,
                "department": {"code": ci.department.code, "name": ci.department.name},
                "status": ci.status,
                "status_label": ci.get_status_display(),
                "filed_on": _day(ci.filed_on),
                "result": ci.result,
                "result_on": _day(ci.result_on),
            }
            for ci in items
        ],
        "materials": [material_info(m) for m in case.materials.all()],
        "deadline": deadline_info(case),
        "supplement_due_on": _day(case.supplement_due_on),
        "resumption_due_on": _day(case.resumption_due_on),
        "completed_on": _day(case.completed_on),
        "reason_code": case.reason_code,
        "reason_text": case.reason_text,
        "delivery_method": case.delivery_method,
        "allowed_events": allowed_events(actor, case),
    }


def event_info(event: CaseEvent) -> dict:
    return {
        "seq": event.seq,
        "event": event.event,
        "label": event_label(event.event),
        "from_state": event.from_state,
        "from_state_label": state_label(event.from_state),
        "to_state": event.to_state,
        "to_state_label": state_label(event.to_state),
        "at": event.at,
        "actor_kind": event.actor_kind,
        "actor_name": event.actor_name,
        "reason": event.reason,
        "details": event.details,
    }


# --- what a submission names ------------------------------------------------------------


def submission_site(staff, code: str | None) -> Site:
    """The site a new case opens at: one where the submitter works as agent or coordinates."""
    site = Site.objects.filter(code=code, is_active=True).first() if code else staff.site
    if site is None:
        raise ApiInvalid({"site": f"服务机构不存在：{code}"})
    own = staff.is_agent and site.pk == staff.site_id
    if not (own or staff.covers(site)):
        raise TransitionRefused(f"您不能为{site.name}登记办件", "forbidden")
    return site


def submission_client(actor: Actor, site: Site, client_id: int | None, data) -> Client:
    """The client a new case at ``site`` is for, by the one access rule for clients.

    ``client_id`` must name a client this person may see (``get_client_for``, 404 as for an
    id in a URL). ``client`` registers a new client at ``site``, or matches a known ID
    number there (the desk has the person and the ID card in front of it) without writing
    anything typed now onto the existing client.
    """
    if (client_id is None) == (data is None):
        raise ApiInvalid(
            {"client": "请提供 client_id（已登记的服务对象）或 client（新服务对象）之一"}
        )
    if data is None:
        return get_client_for(actor, client_id)
    if not may_register_at(actor, site):
        raise TransitionRefused(f"您不能在{site.name}登记服务对象", "forbidden")
    return client_register(data=ClientInput(**data.dict()), staff=actor.staff, site=site)


def submission_matters(codes: list[str], bundle_code: str | None):
    """(item versions, bundle version) for the codes; unpublished ones are refused."""
    if bool(codes) == bool(bundle_code):
        raise ApiInvalid({"items": "请提供事项编码 items 或一件事编码 bundle 之一"})
    if bundle_code:
        bundle = (
            Bundle.objects.select_related("current_version__bundle")
            .filter(code=bundle_code)
            .first()
        )
        if bundle is None:
            raise ApiInvalid({"bundle": f"一件事不存在：{bundle_code}"})
        if bundle.current_version is None:
            raise TransitionRefused(f"一件事“{bundle.name}”未发布，不能申请")
        return [], bundle.current_version
    codes = list(dict.fromkeys(codes))
    found = {
        item.code: item
        for item in ServiceItem.objects.select_related("current_version__item").filter(
            code__in=codes
        )
    }
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise ApiInvalid({"items": "事项不存在：" + "、".join(unknown)})
    unpublished = [found[c].name for c in codes if found[c].current_version is None]
    if unpublished:
        raise TransitionRefused("以下事项未发布，不能申请：" + "、".join(unpublished))
    return [found[c].current_version for c in codes], None


def list_filters(query: CaseFilters, today) -> CaseListFilters:
    """The list's query string as the one set of case-list filters (``selectors.case_list``)."""
    return CaseListFilters(
        state=query.state,
        site_code=query.site,
        service_type=query.service_type,
        overdue=query.overdue,
        number_prefix=query.q.strip() if query.q else None,
        today=today,
    )


# --- staff endpoints --------------------------------------------------------------------


class CaseListQuery(CaseFilters):
    cursor: str | None = Field(
        None, max_length=200, description="上一页返回的 next_cursor（与 after 二选一）"
    )


class CaseListPage(CaseList, CursorPage):
    """``next_after`` (the case id) stays for the workbench; ``next_cursor`` is the API's."""


@router.get(
    "",
    response={200: CaseListPage, **error_responses(400, 401, 403)},
    summary="办件列表",
    description="本人可见的办件，按登记先后倒序；用 next_cursor 翻页（?cursor=，也可用 next_after"
    "作 ?after=），每页至多 100 件。服务对象信息均为脱敏显示。",
)
def case_list(request, filters: Query[CaseListQuery]):
    """One query for the page's rows (``selectors.case_list_page``: only the columns shown,
    no model instances), each built straight into the ``CaseSummary`` shape (``list_item``)
    and written as JSON at once: the answer ninja would give for the declared schema
    (``CaseList``, as /api/openapi.json says), without validating rows built here from
    typed columns (``test_the_list_answers_what_ninja_would_for_its_schema``)."""
    today = timezone.localdate()
    after = decode_cursor("cases", filters.cursor) if filters.cursor else filters.after
    rows, next_after = case_list_page(
        request.auth, list_filters(filters, today), after=after, limit=filters.limit
    )
    body = {
        "items": [list_item(row, today) for row in rows],
        "next_after": next_after,
        "next_cursor": encode_cursor("cases", next_after) if next_after else None,
    }
    return HttpResponse(to_json(body), content_type=JSON)


@router.post(
    "",
    response={201: CaseDetail, **error_responses(400, 401, 403, 404, 422)},
    summary="提交办件申请",
    description="为已登记或新登记的服务对象，就一个或多个事项（或一件事）提交帮办代办申请。"
    "client_id 须为本人可见的服务对象（否则 404）；client 中的证件号码已登记的，使用原登记信息，"
    "本次填写的姓名、手机号码、地址不覆盖原信息（变化的请登记更正）。",
)
def case_create(request, payload: CaseIn):
    actor = request.auth
    with transaction.atomic():
        site = submission_site(actor.staff, payload.site)
        client = submission_client(actor, site, payload.client_id, payload.client)
        versions, bundle_version = submission_matters(payload.items, payload.bundle)
        case = case_submit(
            actor=actor,
            client=client,
            service_type=payload.service_type,
            channel=payload.channel,
            external_number=payload.external_number,
            site=site,
            item_versions=versions,
            bundle_version=bundle_version,
            needs=payload.needs,
        )
    return Status(201, detail(actor, get_case_for(actor, case.number)))


@router.get(
    "/{number}",
    response={200: CaseDetail, **error_responses(401, 403, 404)},
    summary="办件详情",
    description="状态、事项及部门办理进度、材料、时限说明，以及本人此时可进行的操作。",
)
def case_detail(request, number: str):
    """Written as JSON at once (``detail`` builds the JSON types): the answer ninja would give
    for ``CaseDetail`` (``test_the_detail_answers_what_ninja_would_for_its_schema``)."""
    actor = request.auth
    return HttpResponse(to_json(detail(actor, get_case_for(actor, number))), content_type=JSON)


@router.post(
    "/{number}/events",
    response={201: EventResult, **error_responses(400, 401, 403, 404, 409, 422)},
    summary="办件流转操作",
    description="按状态表进行一项操作（受理、承办、办结等）。expected_version 须为读取时的版本号，"
    "办件已被他人更新时返回 409；状态表或条件不允许时返回 422 及原因。",
)
def case_event(request, number: str, payload: EventIn):
    actor = request.auth
    case = get_case_for(actor, number)
    details = payload.details.model_dump(mode="json", exclude_unset=True)
    event = case_transition(
        case=case,
        event=payload.event,
        actor=actor,
        expected_version=payload.expected_version,
        **details,
    )
    return Status(
        201,
        {
            **event_info(event),
            "version": case.version,
            "state": case.state,
            "state_label": case.state_label,
        },
    )


@router.get(
    "/{number}/timeline",
    response={200: list[EventOut], **error_responses(401, 403, 404)},
    summary="办件时间线",
    description="办件的全部事件，按发生顺序；每一项都记录了操作人、时间、状态变化和说明。",
)
def case_timeline(request, number: str):
    case = get_case_for(request.auth, number)
    return [event_info(e) for e in case.events.order_by("seq")]


@router.get(
    "/{number}/materials",
    response={200: CaseMaterials, **error_responses(401, 403, 404)},
    summary="办件材料",
    description="材料清单及预审结果，以及出具过的一次性告知单。",
)
def case_materials(request, number: str):
    case = get_case_for(request.auth, number)
    return {
        "materials": [material_info(m) for m in case.materials.all()],
        "notices": list(case.notices.all()),
    }


@router.get(
    "/{number}/application",
    response={200: CaseApplication, **error_responses(401, 403, 404)},
    summary="一表申请",
    description="办件各事项申请表的字段：多个事项共用的字段只列一次（items 列出使用它的事项），"
    "以及已填写的内容。个人信息只有可填写的帮办代办员看到全文，其他人看到脱敏值。"
    "填写或修改用 POST /api/cases/{number}/events，event 为 application_answered。",
)
def case_application(request, number: str):
    actor = request.auth
    case = get_case_for(actor, number)
    form = application.case_form(case)
    codes = {item.pk: item.item_version.item.code for item in form.items}
    values, masked = application_answers_for(actor, case, form.plan.fields)
    asked = form.plan.shared + [a for _, own in form.plan.own for a in own]
    return {
        "fields": [
            {
                "code": a.code,
                "label": a.spec.label,
                "type": a.spec.type,
                "required": a.spec.required,
                "pattern_hint": a.spec.pattern_hint,
                "help": a.spec.help,
                "personal": bool(a.spec.mask),
                "items": [codes[owner] for owner in a.owners],
                "value": values.get(a.code, ""),
            }
            for a in asked
        ],
        "masked": masked,
        "answered": application.has_answers(case),
    }


# --- public progress --------------------------------------------------------------------


class ProgressThrottle(AnonRateThrottle):
    """Per address, so that nobody tries phone numbers against a case number at speed."""

    scope = "progress"

    def get_ident(self, request) -> str | None:
        return client_ip(request)  # the proxy's header only when configured (CLIENT_IP_HEADER)


@progress_router.get(
    "/progress",
    response={200: ProgressOut, **error_responses(400, 404, 429)},
    summary="办件进度查询（公众）",
    description="凭办件编号和申请时登记的手机号码查询进度；两者不匹配时一律返回 404。",
    throttle=ProgressThrottle("30/m"),
)
def progress_lookup(request, query: Query[ProgressQuery]):
    """One indexed query and, for a case whose version was seen today, the steps from the
    cache (``selectors.public_progress``), written as JSON at once: the answer ninja would
    give for ``ProgressOut`` (``test_the_lookup_answers_what_ninja_would_for_its_schema``),
    with no session read and nothing that varies by cookie."""
    return HttpResponse(to_json(public_progress(query.number, query.phone)), content_type=JSON)


@progress_router.post(
    "/progress/evaluation",
    response={201: ProgressOut, **error_responses(400, 404, 422, 429)},
    summary="服务评价（好差评）",
    description="服务对象凭办件编号和手机号码对办结、交付或终止的办件进行评价：等级为所在中心"
    "采用的等级（默认五级 非常满意…非常不满意；四级 很满意/较满意/一般/不满意 计入五级）。",
    throttle=ProgressThrottle("30/m"),
)
def progress_evaluate(request, payload: EvaluationIn):
    actor, case = client_case(payload.number, payload.phone)
    case_transition(
        case=case, event="evaluate", actor=actor, level=payload.level, comment=payload.comment
    )
    return Status(201, progress(case))
