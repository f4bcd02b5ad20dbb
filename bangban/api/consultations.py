"""Consultations over the API: record, list the register, escalate, reply, turn into a case."""

from __future__ import annotations

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.http import Http404
from ninja import Field, Query, Router, Status

from bangban.api import cases as cases_api
from bangban.api.pagination import CursorPage, decode_cursor, encode_cursor
from bangban.apiauth.errors import ApiInvalid, error_responses
from bangban.apiauth.security import STAFF_AUTH
from bangban.cases.access import get_case_for
from bangban.cases.models import Case
from bangban.cases.schemas import CaseDetail
from bangban.catalogue.models import ServiceItem
from bangban.consultations import services
from bangban.consultations.models import Consultation
from bangban.consultations.schemas import (
    ConsultationFilters,
    ConsultationIn,
    ConsultationList,
    ConsultationOut,
    EscalateIn,
    ReplyIn,
    ToCaseIn,
)
from bangban.consultations.selectors import visible_consultations
from bangban.network.models import Department

router = Router(tags=["咨询"], auth=STAFF_AUTH)


class ConsultationListQuery(ConsultationFilters):
    cursor: str | None = Field(
        None, max_length=200, description="上一页返回的 next_cursor（与 after 二选一）"
    )


class ConsultationPage(ConsultationList, CursorPage):
    pass


NOT_FOUND = "咨询记录不存在"


def _register(staff):
    case_number = Case.objects.filter(consultation=OuterRef("pk")).values("number")[:1]
    return (
        visible_consultations(staff)
        .select_related("site", "handled_by", "item", "department", "replied_by")
        .annotate(case_number=Subquery(case_number))
    )


def _visible(staff, consultation_id: int) -> Consultation:
    consultation = _register(staff).filter(pk=consultation_id).first()
    if consultation is None:
        raise Http404(NOT_FOUND)
    return consultation


def _out(c: Consultation) -> dict:
    return {
        "id": c.pk,
        "site": c.site,
        "handled_by_name": c.handled_by.name,
        "client_name": c.client_name,
        "contact_masked": c.contact_masked,
        "channel": c.channel,
        "channel_label": c.get_channel_display(),
        "item": c.item,
        "content": c.content,
        "answer": c.answer,
        "status": c.status,
        "status_label": c.get_status_display(),
        "department": c.department,
        "escalated_at": c.escalated_at,
        "reply_due_on": c.reply_due_on,
        "replied_at": c.replied_at,
        "replied_by_name": c.replied_by.name if c.replied_by_id else None,
        "created_at": c.created_at,
        "case_number": getattr(c, "case_number", None),
    }


@router.post(
    "",
    response={201: ConsultationOut, **error_responses(400, 401, 403, 422)},
    summary="登记咨询",
    description="首问负责：当场答复的填写 answer；不能当场答复的留空，1 个工作日内答复或转交部门。",
)
def consultation_create(request, payload: ConsultationIn):
    staff = request.auth.staff
    item = None
    if payload.item:
        item = ServiceItem.objects.filter(code=payload.item).first()
        if item is None:
            raise ApiInvalid({"item": f"事项不存在：{payload.item}"})
    consultation = services.consultation_record(
        staff=staff,
        client_name=payload.client_name,
        contact=payload.contact,
        channel=payload.channel,
        content=payload.content,
        item=item,
        answer=payload.answer,
    )
    return Status(201, _out(_visible(staff, consultation.pk)))


@router.get(
    "",
    response={200: ConsultationPage, **error_responses(400, 401, 403)},
    summary="咨询登记簿",
    description="本人可见的咨询（本机构、负责协调的机构、转交本部门的），新登记的在前；"
    "用 next_cursor 翻页（?cursor=，也可用 next_after 作 ?after=），每页至多 100 条。",
)
def consultation_list(request, filters: Query[ConsultationListQuery]):
    register = _register(request.auth.staff)
    if filters.status:
        register = register.filter(status=filters.status)
    after = decode_cursor("consultations", filters.cursor) if filters.cursor else filters.after
    if after:
        register = register.filter(pk__lt=after)
    limit = filters.limit
    page = list(register.order_by("-id")[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    last = page[-1].pk if more else None
    return {
        "items": [_out(c) for c in page],
        "next_after": last,
        "next_cursor": encode_cursor("consultations", last) if last else None,
    }


@router.post(
    "/{int:consultation_id}/escalate",
    response={200: ConsultationOut, **error_responses(400, 401, 403, 404, 422)},
    summary="转交审批部门",
    description="不能当场答复的咨询转交部门，答复期限为 1 个工作日。",
)
def consultation_escalate(request, consultation_id: int, payload: EscalateIn):
    staff = request.auth.staff
    consultation = _visible(staff, consultation_id)
    department = Department.objects.select_related("county").filter(code=payload.department).first()
    if department is None:
        raise ApiInvalid({"department": f"审批部门不存在：{payload.department}"})
    services.consultation_escalate(consultation=consultation, staff=staff, department=department)
    return _out(_visible(staff, consultation_id))


@router.post(
    "/{int:consultation_id}/reply",
    response={200: ConsultationOut, **error_responses(400, 401, 403, 404, 422)},
    summary="答复咨询",
    description="首问责任人或转交部门的对接人员记录答复。",
)
def consultation_reply(request, consultation_id: int, payload: ReplyIn):
    staff = request.auth.staff
    consultation = _visible(staff, consultation_id)
    services.consultation_reply(consultation=consultation, staff=staff, answer=payload.answer)
    return _out(_visible(staff, consultation_id))


@router.post(
    "/{int:consultation_id}/to-case",
    response={201: CaseDetail, **error_responses(400, 401, 403, 404, 422)},
    summary="咨询转为办件申请",
    description="一键将咨询转为办件申请；每条咨询至多转成一个办件。",
)
def consultation_to_case(request, consultation_id: int, payload: ToCaseIn):
    actor = request.auth
    consultation = _visible(actor.staff, consultation_id)
    with transaction.atomic():
        client = cases_api.submission_client(
            actor, consultation.site, payload.client_id, payload.client
        )
        versions, bundle_version = [], None
        if payload.items or payload.bundle:
            versions, bundle_version = cases_api.submission_matters(payload.items, payload.bundle)
        case = services.consultation_to_case(
            consultation=consultation,
            staff=actor.staff,
            client=client,
            service_type=payload.service_type,
            item_versions=versions,
            bundle_version=bundle_version,
            channel=payload.channel,
        )
    return Status(201, cases_api.detail(actor, get_case_for(actor, case.number)))
