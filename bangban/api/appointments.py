"""Appointments (预约) and home visits (上门服务) over the API, read-only.

The rows are those the caller handles in the workbench (``visits.services.appointments_for``
and ``visits_for``: a coordinator's covered sites, an agent's own site and the visits it is
sent on), narrowed to a site-tied token's site (``cases.access.narrowed_to_only_site``). Phone numbers and
addresses are shown masked, as on the pages. What the caller may not see is 404.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.http import Http404
from ninja import Field, Query, Router, Schema

from bangban.apiauth.errors import error_responses
from bangban.apiauth.security import STAFF_AUTH
from bangban.cases.access import narrowed_to_only_site
from bangban.cases.schemas import SiteOut
from bangban.visits.models import (
    Appointment,
    AppointmentStatus,
    HomeVisitRequest,
    HomeVisitStatus,
)
from bangban.visits.services import appointments_for, visits_for

from .pagination import CursorPage, CursorQuery, paginate

router = Router(tags=["预约与上门服务"], auth=STAFF_AUTH)

APPOINTMENT_NOT_FOUND = "预约不存在"
VISIT_NOT_FOUND = "上门服务申请不存在"


def local_time(schema: dict) -> None:
    """A slot's time of day is local (北京时间) and has no UTC offset, so it is not a JSON
    Schema "time" (RFC 3339 wants the offset): declared as the HH:MM:SS text it is."""
    schema.pop("format", None)
    schema["pattern"] = r"^\d{2}:\d{2}:\d{2}$"


class AppointmentOut(Schema):
    number: str = Field(description="预约编号")
    site: SiteOut = Field(description="预约的服务机构")
    day: date = Field(description="日期")
    start: time = Field(description="开始时间（北京时间，HH:MM:SS）", json_schema_extra=local_time)
    end: time = Field(description="结束时间（北京时间，HH:MM:SS）", json_schema_extra=local_time)
    name: str = Field(description="称呼")
    mobile_masked: str = Field(description="手机号码（脱敏）")
    purpose: str = Field(description="办理事项")
    status: str = Field(
        description="booked 已预约、cancelled 已取消、attended 已到场、missed 未到场"
    )
    status_label: str
    channel: str = Field(description="online 网上、phone 电话")
    case_number: str | None = Field(description="关联的办件编号")
    created_at: datetime = Field(description="预约时间")


class AppointmentPage(CursorPage):
    items: list[AppointmentOut]


class AppointmentQuery(CursorQuery):
    status: AppointmentStatus | None = Field(None, description="只看某一状态")
    day: date | None = Field(None, description="只看某一天（YYYY-MM-DD）")


class HomeVisitOut(Schema):
    number: str = Field(description="申请编号")
    site: SiteOut
    name: str = Field(description="称呼")
    mobile_masked: str = Field(description="手机号码（脱敏）")
    address_masked: str = Field(description="上门地址（脱敏）")
    groups: list[str] = Field(description="特殊群体：老年人、残疾人、孕妇、伤病或其他行动不便")
    needs: str = Field(description="需要办理的事情")
    preferred_times: str = Field(description="方便的时间")
    status: str = Field(
        description="requested 待安排、scheduled 已安排、done 已上门、declined 不予安排、"
        "cancelled 已撤回"
    )
    status_label: str
    scheduled_for: datetime | None = Field(description="上门时间")
    agent_name: str | None = Field(description="上门的帮办代办员")
    reply: str = Field(description="答复")
    visited_at: datetime | None = Field(description="上门完成时间")
    case_number: str | None = Field(description="关联的办件编号")
    created_at: datetime = Field(description="申请时间")


class HomeVisitPage(CursorPage):
    items: list[HomeVisitOut]


class HomeVisitQuery(CursorQuery):
    status: HomeVisitStatus | None = Field(None, description="只看某一状态")


def _appointments(request):
    rows = appointments_for(request.auth.staff).select_related("slot__site", "case")
    return narrowed_to_only_site(request.auth, rows, "slot__site")


def _visits(request):
    rows = visits_for(request.auth.staff).select_related("site", "agent", "case")
    return narrowed_to_only_site(request.auth, rows)


def appointment_out(a: Appointment) -> dict:
    return {
        "number": a.number,
        "site": a.slot.site,
        "day": a.slot.day,
        "start": a.slot.start,
        "end": a.slot.end,
        "name": a.name,
        "mobile_masked": a.mobile_masked,
        "purpose": a.purpose,
        "status": a.status,
        "status_label": a.get_status_display(),
        "channel": a.channel,
        "case_number": a.case.number if a.case_id else None,
        "created_at": a.created_at,
    }


GROUPS = {"is_elderly": "老年人", "is_disabled": "残疾人", "is_pregnant": "孕妇", "is_ill": "伤病"}


def visit_out(v: HomeVisitRequest) -> dict:
    return {
        "number": v.number,
        "site": v.site,
        "name": v.name,
        "mobile_masked": v.mobile_masked,
        "address_masked": v.address_masked,
        "groups": [label for field, label in GROUPS.items() if getattr(v, field)],
        "needs": v.needs,
        "preferred_times": v.preferred_times,
        "status": v.status,
        "status_label": v.get_status_display(),
        "scheduled_for": v.scheduled_for,
        "agent_name": v.agent.name if v.agent_id else None,
        "reply": v.reply,
        "visited_at": v.visited_at,
        "case_number": v.case.number if v.case_id else None,
        "created_at": v.created_at,
    }


@router.get(
    "/appointments",
    response={200: AppointmentPage, **error_responses(400, 401, 403)},
    summary="预约列表",
    description="本人负责机构的到场预约（协调员：负责协调的机构；帮办代办员：本机构），"
    "新预约的在前；用 next_cursor 翻页。",
)
def appointment_list(request, query: Query[AppointmentQuery]):
    rows = _appointments(request)
    if query.status:
        rows = rows.filter(status=query.status)
    if query.day:
        rows = rows.filter(slot__day=query.day)
    page, next_cursor = paginate(rows, name="appointments", cursor=query.cursor, limit=query.limit)
    return {"items": [appointment_out(a) for a in page], "next_cursor": next_cursor}


@router.get(
    "/appointments/{number}",
    response={200: AppointmentOut, **error_responses(401, 403, 404)},
    summary="预约详情",
    description="一条本人负责机构的预约；不在本人工作范围内的返回 404。",
)
def appointment_detail(request, number: str):
    found = _appointments(request).filter(number=number).first()
    if found is None:
        raise Http404(APPOINTMENT_NOT_FOUND)
    return appointment_out(found)


@router.get(
    "/home-visits",
    response={200: HomeVisitPage, **error_responses(400, 401, 403)},
    summary="上门服务申请列表",
    description="本人负责机构的上门服务申请，以及派本人上门的申请，新申请的在前；"
    "用 next_cursor 翻页。",
)
def home_visit_list(request, query: Query[HomeVisitQuery]):
    rows = _visits(request)
    if query.status:
        rows = rows.filter(status=query.status)
    page, next_cursor = paginate(rows, name="home-visits", cursor=query.cursor, limit=query.limit)
    return {"items": [visit_out(v) for v in page], "next_cursor": next_cursor}


@router.get(
    "/home-visits/{number}",
    response={200: HomeVisitOut, **error_responses(401, 403, 404)},
    summary="上门服务申请详情",
    description="一条本人负责的上门服务申请；不在本人工作范围内的返回 404。",
)
def home_visit_detail(request, number: str):
    found = _visits(request).filter(number=number).first()
    if found is None:
        raise Http404(VISIT_NOT_FOUND)
    return visit_out(found)
