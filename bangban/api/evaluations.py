"""Evaluations (好差评), their rectifications (差评整改) and complaints (投诉), read-only.

Rows come from ``oversight.access`` (``visible_evaluations``, ``visible_rectifications``,
``visible_complaints``: an evaluation or rectification is seen with its case, a complaint
by the site's jurisdiction or by its handler), narrowed to a site-tied token's site
(``cases.access.narrowed_to_only_site``). A complainant's contact is shown masked. Not visible: 404.
"""

from __future__ import annotations

from datetime import date, datetime

from django.http import Http404
from ninja import Field, Query, Router, Schema

from bangban.apiauth.errors import error_responses
from bangban.apiauth.security import STAFF_AUTH
from bangban.cases.access import narrowed_to_only_site
from bangban.cases.schemas import SiteOut
from bangban.inputs import id_or_none
from bangban.oversight.access import (
    visible_complaints,
    visible_evaluations,
    visible_rectifications,
)
from bangban.oversight.models import Complaint, Evaluation, Rectification

from .pagination import CursorPage, CursorQuery, paginate

evaluations_router = Router(tags=["评价与整改"], auth=STAFF_AUTH)
complaints_router = Router(tags=["投诉"], auth=STAFF_AUTH)


class EvaluationOut(Schema):
    id: int
    case_number: str = Field(description="办件编号")
    site: SiteOut = Field(description="承办机构")
    service_type: str = Field(description="assist 帮办、proxy 代办")
    agent_name: str | None = Field(description="被评价的帮办代办员")
    level: int = Field(description="评价等级，5 非常满意 … 1 非常不满意（GB/T 39734 五级）")
    level_label: str
    mode: str = Field(description="onsite 现场服务、online 网上服务")
    indicators: dict = Field(description="分项指标评价")
    comment: str = Field(description="评价意见")
    channel: str = Field(description="评价渠道")
    channel_label: str
    real_name: bool = Field(description="实名评价")
    created_at: datetime = Field(description="评价时间")
    excluded: bool = Field(description="经申诉复核不计入统计")


class EvaluationPage(CursorPage):
    items: list[EvaluationOut]


class EvaluationQuery(CursorQuery):
    level: int | None = Field(None, ge=1, le=5, description="只看某一评价等级")


class RectificationOut(Schema):
    id: int
    evaluation_id: int
    case_number: str
    site: SiteOut = Field(description="责任机构")
    owner_name: str | None = Field(description="整改责任人")
    status: str
    status_label: str = Field(description="待回访核实、待确定处理方式、限期整改中、申诉复核中…")
    opened_at: datetime
    due_on: date | None = Field(description="当前期限")
    outcome: str = Field(
        description="immediate 立行立改、deadline 限期整改、explain 解释说明、appeal 申诉复核"
    )
    measures: str = Field(description="整改措施 / 解释说明")
    rectification_result: str = Field(description="整改结果")
    client_level: int | None = Field(description="服务对象对整改的评价等级")
    closed_at: datetime | None


class RectificationPage(CursorPage):
    items: list[RectificationOut]


class ComplaintStepOut(Schema):
    action: str
    stage: str
    actor_name: str = Field(description="经办人")
    note: str
    at: datetime


class ComplaintOut(Schema):
    number: str = Field(description="投诉编号")
    channel: str
    channel_label: str
    complainant_name: str = Field(description="投诉人")
    contact_masked: str = Field(description="联系方式（脱敏）")
    content: str = Field(description="投诉内容")
    case_number: str | None = Field(description="相关办件")
    site: SiteOut = Field(description="被投诉机构")
    kind: str = Field(description="simple 简单投诉、complex 复杂投诉")
    stage: str = Field(
        description="accepted 已受理 → investigating → handling → replied → archived"
    )
    stage_label: str
    assigned_to_name: str | None = Field(description="承办人")
    received_at: datetime
    due_on: date = Field(description="办结期限")
    reply: str = Field(description="答复内容")
    replied_at: datetime | None
    steps: list[ComplaintStepOut] | None = Field(None, description="办理经过（仅详情）")


class ComplaintPage(CursorPage):
    items: list[ComplaintOut]


def _evaluations(request):
    rows = visible_evaluations(request.auth.staff).select_related("case", "site", "agent")
    return narrowed_to_only_site(request.auth, rows)


def _rectifications(request):
    rows = visible_rectifications(request.auth.staff).select_related("case", "site", "owner")
    return narrowed_to_only_site(request.auth, rows)


def _complaints(request):
    rows = visible_complaints(request.auth.staff).select_related("case", "site", "assigned_to")
    return narrowed_to_only_site(request.auth, rows)


def evaluation_out(e: Evaluation) -> dict:
    return {
        "id": e.pk,
        "case_number": e.case.number,
        "site": e.site,
        "service_type": e.service_type,
        "agent_name": e.agent.name if e.agent_id else None,
        "level": e.level,
        "level_label": e.get_level_display(),
        "mode": e.mode,
        "indicators": e.indicators or {},
        "comment": e.comment,
        "channel": e.channel,
        "channel_label": e.get_channel_display(),
        "real_name": e.real_name,
        "created_at": e.created_at,
        "excluded": e.excluded,
    }


def rectification_out(r: Rectification) -> dict:
    return {
        "id": r.pk,
        "evaluation_id": r.evaluation_id,
        "case_number": r.case.number,
        "site": r.site,
        "owner_name": r.owner.name if r.owner_id else None,
        "status": r.status,
        "status_label": r.get_status_display(),
        "opened_at": r.opened_at,
        "due_on": r.due_on,
        "outcome": r.outcome,
        "measures": r.measures,
        "rectification_result": r.rectification_result,
        "client_level": r.client_level,
        "closed_at": r.closed_at,
    }


def complaint_out(c: Complaint, steps=None) -> dict:
    return {
        "number": c.number,
        "channel": c.channel,
        "channel_label": c.get_channel_display(),
        "complainant_name": c.complainant_name,
        "contact_masked": c.contact_masked,
        "content": c.content,
        "case_number": c.case.number if c.case_id else None,
        "site": c.site,
        "kind": c.kind,
        "stage": c.stage,
        "stage_label": c.get_stage_display(),
        "assigned_to_name": c.assigned_to.name if c.assigned_to_id else None,
        "received_at": c.received_at,
        "due_on": c.due_on,
        "reply": c.reply,
        "replied_at": c.replied_at,
        "steps": steps,
    }


@evaluations_router.get(
    "/evaluations",
    response={200: EvaluationPage, **error_responses(400, 401, 403)},
    summary="好差评列表",
    description="本人可见办件的服务评价（一事一评），新评价在前；用 next_cursor 翻页。",
)
def evaluation_list(request, query: Query[EvaluationQuery]):
    rows = _evaluations(request)
    if query.level:
        rows = rows.filter(level=query.level)
    page, next_cursor = paginate(rows, name="evaluations", cursor=query.cursor, limit=query.limit)
    return {"items": [evaluation_out(e) for e in page], "next_cursor": next_cursor}


@evaluations_router.get(
    "/evaluations/{int:evaluation_id}",
    response={200: EvaluationOut, **error_responses(401, 403, 404)},
    summary="评价详情",
    description="一条本人可见办件的评价；办件不可见的返回 404。",
)
def evaluation_detail(request, evaluation_id: int):
    found = _evaluations(request).filter(pk=id_or_none(evaluation_id)).first()
    if found is None:
        raise Http404("评价不存在")
    return evaluation_out(found)


@evaluations_router.get(
    "/rectifications",
    response={200: RectificationPage, **error_responses(400, 401, 403)},
    summary="差评整改列表",
    description="本人可见办件的差评整改，以及本人负责的整改，新发起的在前；用 next_cursor 翻页。",
)
def rectification_list(request, query: Query[CursorQuery]):
    rows = _rectifications(request)
    page, next_cursor = paginate(
        rows, name="rectifications", cursor=query.cursor, limit=query.limit
    )
    return {"items": [rectification_out(r) for r in page], "next_cursor": next_cursor}


@evaluations_router.get(
    "/rectifications/{int:rectification_id}",
    response={200: RectificationOut, **error_responses(401, 403, 404)},
    summary="差评整改详情",
    description="整改的核实、处理方式、措施、结果和服务对象的再评价。",
)
def rectification_detail(request, rectification_id: int):
    found = _rectifications(request).filter(pk=id_or_none(rectification_id)).first()
    if found is None:
        raise Http404("整改记录不存在")
    return rectification_out(found)


@complaints_router.get(
    "",
    response={200: ComplaintPage, **error_responses(400, 401, 403)},
    summary="投诉列表",
    description="本人辖区内机构的投诉和交本人承办的投诉，新受理的在前；用 next_cursor 翻页。",
)
def complaint_list(request, query: Query[CursorQuery]):
    page, next_cursor = paginate(
        _complaints(request), name="complaints", cursor=query.cursor, limit=query.limit
    )
    return {"items": [complaint_out(c) for c in page], "next_cursor": next_cursor}


@complaints_router.get(
    "/{number}",
    response={200: ComplaintOut, **error_responses(401, 403, 404)},
    summary="投诉详情",
    description="投诉的受理、调查、处理、答复和归档经过；不在本人辖区的返回 404。",
)
def complaint_detail(request, number: str):
    found = _complaints(request).filter(number=number).first()
    if found is None:
        raise Http404("投诉不存在")
    steps = [
        {
            "action": s.action,
            "stage": s.stage,
            "actor_name": s.actor_name,
            "note": s.note,
            "at": s.at,
        }
        for s in found.steps.order_by("at", "id")
    ]
    return complaint_out(found, steps)
