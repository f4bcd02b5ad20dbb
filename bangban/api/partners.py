"""Partners' systems over the API: a department's progress report (signed, not a staff token).

``POST /api/partners/progress``: the request is signed with the partner's key
(``bangban.partners.signing``: HMAC-SHA256 over ``timestamp + "." + body``); the report
moves the case item through the write path (``bangban.partners.inbound``). See
``docs/integration.md`` §4.
"""

from __future__ import annotations

from typing import Literal

from django.db import transaction
from ninja import Field, Router, Schema
from ninja.errors import AuthenticationError, HttpError

from bangban.apiauth.errors import ApiInvalid, error_responses
from bangban.partners import inbound, signing

router = Router(tags=["对接系统"], auth=None)

ReportStatus = Literal[
    "received", "in_progress", "need_more", "approved", "refused", "result_issued"
]


class ProgressIn(Schema):
    report_id: str = Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9._:-]+$",
        title="报告编号",
        description="部门系统为本次上报生成的唯一编号；同一编号重复上报只记录一次",
        examples=["SP-20250301-0001"],
    )
    case: str = Field(
        min_length=1, max_length=40, title="办件编号", examples=["BB-330102-20250301-0001"]
    )
    case_item_id: int | None = Field(
        None,
        ge=1,
        le=2**53,
        title="事项",
        description="办件中的事项编号；办件只有一个向本部门报件的事项时可不填",
        examples=[1],
    )
    status: ReportStatus = Field(
        title="办理进度",
        description="received 已收件；in_progress 办理中；need_more 要求补充材料；"
        "approved 准予许可；refused 不予许可；result_issued 已出证（须填 result）",
        examples=["in_progress"],
    )
    result: str | None = Field(
        None,
        max_length=200,
        title="结果编号",
        description="证照编号、批复文号等",
        examples=["JY33010220250301001"],
    )


class PartnerProgressOut(Schema):
    report_id: str = Field(title="报告编号")
    case: str = Field(title="办件编号")
    event_id: int = Field(title="办件事件编号")
    status: str = Field(title="办理进度")
    status_label: str = Field(title="办理进度（中文）")
    duplicate: bool = Field(
        title="是否重复上报", description="true：该报告编号此前已记录，本次未再改动办件"
    )


@router.post(
    "/progress",
    response={200: PartnerProgressOut, **error_responses(400, 401, 403, 404, 422)},
    summary="上报部门办理进度",
    description="审批部门的业务系统上报已报件事项的办理进度，效果与联络员在工作台记录相同，"
    "时间线上以对接系统的名称记录。请求须签名：请求头 X-Bangban-Partner（接入编码）、"
    "X-Bangban-Timestamp（Unix 秒）、X-Bangban-Signature（sha256= 加 HMAC-SHA256("
    '密钥, 时间戳 + "." + 请求体) 的十六进制）。时间戳与服务器相差超过 5 分钟、签名不符、'
    "同一签名重复使用，均返回 401。只能上报对接站点（含下级站点）的办件，其他办件返回 404。",
    operation_id="partner_progress",
)
def progress(request, payload: ProgressIn):
    body = request.body
    headers = request.headers
    try:
        with transaction.atomic():
            partner = inbound.authenticate(
                code=headers.get(signing.PARTNER_HEADER),
                timestamp=headers.get(signing.TIMESTAMP_HEADER),
                signed=headers.get(signing.SIGNATURE_HEADER),
                body=body,
            )
            outcome = inbound.report_progress(
                partner,
                report_id=payload.report_id,
                case_number=payload.case,
                status=payload.status,
                result=payload.result,
                case_item_id=payload.case_item_id,
            )
    except signing.SignatureRefused as refused:
        raise AuthenticationError(message=refused.message) from None
    except inbound.NotPermitted as refused:
        raise HttpError(403, str(refused)) from None
    except inbound.ReportInvalid as invalid:
        raise ApiInvalid({invalid.field: invalid.message}) from None
    report = outcome.report
    return {
        "report_id": report.report_id,
        "case": report.case.number,
        "event_id": report.event_id,
        "status": report.status,
        "status_label": inbound.STATUS_LABELS[report.status],
        "duplicate": outcome.duplicate,
    }
