"""The details each case event takes: one schema per event, declared once.

A row of the state table (``cases.transitions``) names its schema; ``case_transition``
validates the details against it before any guard runs, the API's event body is the
union of these schemas (``cases.schemas.EventIn``), and the workbench builds its forms
from their fields. So a range, a label or a required field is written here and nowhere
else. Titles are the words the service hall uses; ``refusal_message`` turns a validation
error into a sentence in them.

Plain pydantic: no Django, so it is type-checked with the pure core.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)
from pydantic.fields import FieldInfo
from pydantic.json_schema import JsonDict

from .workflow import (
    DeliveryMethod,
    Form,
    SuspensionReason,
    TerminationReason,
)

TEXT_MAX = 2000
# Marks a detail another area records in-process (the signature pad's image digest, the
# SMS code used, a document's number): never taken from the API or a form.
RECORDED = "x-recorded-by"
# Marks a field whose value is picked from a list (a reason, a site, a staff member):
# the message for a missing one says 选择, not 填写; the workbench draws a picker.
CHOICE: JsonDict = {"x-choice": True}

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=TEXT_MAX)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)]
FilledText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TEXT_MAX)
]
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]

# Termination for a lapsed resumption period is the scheduler's (``lapse``), not a choice.
StaffTerminationReason = Literal[
    "client_withdrew",
    "false_materials",
    "conditions_unmet",
    "law_changed",
    "force_majeure",
    "other",
]
assert set(StaffTerminationReason.__args__) == set(TerminationReason) - {  # type: ignore[attr-defined]
    TerminationReason.RESUMPTION_LAPSED
}


class Details(BaseModel):
    """Base of every event's details: unknown fields are refused, text is trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Signature(Details):
    """The client's signature given with the event (on paper, on screen or by SMS code)."""

    method: Literal["signature", "sms_code", "paper"] = Field("paper", title="签字方式")
    signer: Name = Field("", title="签字人", description="默认为服务对象本人", examples=["张三"])
    # recorded by the signature pad and the SMS confirmation (bangban.documents)
    signature_sha256: str | None = Field(
        None, max_length=64, title="签名图像摘要", json_schema_extra={RECORDED: "documents"}
    )
    sms_phone: str | None = Field(
        None,
        max_length=20,
        title="短信确认手机号（脱敏）",
        json_schema_extra={RECORDED: "documents"},
    )
    sms_code_id: Id | None = Field(
        None, title="短信验证码记录", json_schema_extra={RECORDED: "documents"}
    )


def _signature() -> Any:
    return Field(None, title="服务对象签字确认", description="服务对象随本操作签字确认")


class NoDetails(Details):
    """An event that needs nothing besides its name."""


class Needs(Details):
    needs: Text | None = Field(
        None,
        title="需求分析",
        description="如：老人行动不便，需全程代办",
        examples=["老人行动不便，需全程代办"],
    )


class SupplementRequest(Details):
    days: int = Field(5, ge=1, le=60, title="补正期限（工作日）")


class Supplement(Details):
    received: list[Id] = Field(default_factory=list, title="本次收到的材料")


class Refusal(Details):
    reason: FilledText = Field(
        title="不予受理的书面理由",
        description="书面告知服务对象",
        examples=["所申请事项不属于本服务点受理范围"],
    )


class Signed(Details):
    confirmation: Signature | None = _signature()


# 元, at most two decimal places; kept with both (120.5 -> 120.50)
Yuan = Annotated[
    Decimal,
    Field(ge=0, le=Decimal("99999999.99"), max_digits=10, decimal_places=2),
    AfterValidator(lambda v: v.quantize(Decimal("0.01"))),
]


class Suspension(Details):
    reason_code: SuspensionReason = Field(
        title="中止原因", json_schema_extra=CHOICE, examples=["client_pause"]
    )
    reason: Text | None = Field(None, title="补充说明")
    # for fees_unpaid (guards.fee_details_complete): what to pay and where, printed on the
    # 中止单 and sent in the SMS
    fee_amount: Yuan | None = Field(
        None, title="应缴金额（元）", description="中止原因为未缴纳行政事业性收费时必填"
    )
    fee_payee: ShortText | None = Field(
        None,
        title="缴费地点或方式",
        description="如：县政务服务中心收费窗口，或缴费通知书上的网上缴费方式",
    )
    resumption_days: int = Field(20, ge=1, le=120, title="续办期限（工作日）")
    confirmation: Signature | None = _signature()


class Termination(Details):
    reason_code: StaffTerminationReason = Field(
        title="终止原因", json_schema_extra=CHOICE, examples=["client_withdrew"]
    )
    reason: Text | None = Field(None, title="具体说明", description="原因为“其他”时必填")
    confirmation: Signature | None = _signature()


class Delivery(Details):
    method: DeliveryMethod = Field(
        title="交付方式", json_schema_extra=CHOICE, examples=["in_person"]
    )
    use_client_choice: bool = Field(
        False,
        title="按服务对象网上选择的方式交付",
        description="邮寄时使用其填写的地址，无需查看或重新填写",
    )
    recipient: Name | None = Field(None, title="领取人", description="当面交付", examples=["张三"])
    licence_no: str | None = Field(None, max_length=100, title="电子证照编号")
    address: ShortText | None = Field(None, title="邮寄地址", description="邮寄送达")
    carrier: Name | None = Field(None, title="快递公司")
    tracking_no: Name | None = Field(None, title="快递单号")
    confirmation: Signature | None = _signature()


class Assignment(Details):
    agent_id: Id = Field(title="帮办代办员", json_schema_extra=CHOICE)


class RelayOut(Details):
    to_site: str = Field(max_length=40, title="接收机构", json_schema_extra=CHOICE, examples=["T1"])
    note: FilledText = Field(
        title="移交说明",
        description="已收材料、办理进度、注意事项",
        examples=["已收身份证复印件，服务对象住在城关镇"],
    )


class RelayAccept(Details):
    note: Text | None = Field(None, title="接收说明")


class RelayReturn(Details):
    reason: FilledText = Field(title="退回理由", examples=["材料在村里，仍由村服务站办理"])


class MaterialCheck(Details):
    material_id: Id = Field(title="材料")
    status: Literal["received", "missing", "needs_correction", "deferred", "not_applicable"] = (
        Field(title="预审结果")
    )
    note: str = Field("", max_length=300, title="说明", description="必要材料标为“不适用”时必填")
    # the client's material vault (bangban.vault): a kept material of the same kind ticked at
    # once (the vault checks it is the client's and still valid), or, for a material received
    # now, how long it is valid when it is kept
    vault_material_id: Id | None = Field(
        None, title="取自材料库", description="服务对象材料库中已核验的同种材料"
    )
    valid_until: date | None = Field(None, title="有效期至", description="证件、执照的有效期")


class PreReview(Details):
    checks: list[MaterialCheck] = Field(min_length=1, title="预审结果")


class Filing(Details):
    case_item_id: Id = Field(title="事项", json_schema_extra=CHOICE)
    # filing on 政务服务网 gives the application its number there (seed 001 §10.1.2.2)
    external_number: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)] | None
    ) = Field(None, title="政务服务网申办编号", description="在政务服务网报件后生成，可不填")


class DepartmentStep(Details):
    case_item_id: Id = Field(title="事项", json_schema_extra=CHOICE)
    status: Literal["received", "in_progress", "needs_more", "approved", "denied"] = Field(
        "in_progress", title="部门办理进度", json_schema_extra=CHOICE
    )
    result: ShortText | None = Field(
        None, title="办理结果", description="如证照编号、批复文号", examples=["JY13301230000001"]
    )


class Expedite(Details):
    case_item_id: Id = Field(title="事项", json_schema_extra=CHOICE)
    message: Text = Field("请加快办理进度", title="促办内容")


class ExpediteReply(Details):
    expedite_id: Id = Field(title="待答复的促办", json_schema_extra=CHOICE)
    reply: FilledText = Field(title="答复内容", examples=["已在审批，本周五出证"])


class Confirm(Details):
    form: Form = Field(title="签字确认的文书", json_schema_extra=CHOICE, examples=["entrustment"])
    confirmation: Signature | None = _signature()
    # 告知承诺书: the case's material committed to (bangban.vault records it as level D)
    material_id: int | None = Field(None, title="告知承诺的材料")


class Note(Details):
    text: FilledText = Field(title="日志内容", examples=["电话联系服务对象，约定周一来窗口"])
    # a form issued on demand is recorded on the timeline as a note (bangban.documents)
    document: str | None = Field(
        None, max_length=60, title="文书编号", json_schema_extra={RECORDED: "documents"}
    )


class ApplicationAnswers(Details):
    """一表申请: the one answer set of the case's items' application forms, by field code
    (``catalogue.FormFieldKind``). The guard checks it against the fields the forms ask
    (``cases.application``); answering again replaces the whole set."""

    answers: dict[
        Annotated[str, StringConstraints(max_length=40)],
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)],
    ] = Field(title="申请表内容", max_length=60, examples=[{"applicant_name": "张记小吃店"}])


class Reminder(Details):
    # set by the reminder jobs (bangban.notifications); a person's reminder has none
    kind: Literal["due_soon", "overdue", "resumption"] | None = Field(
        None, title="催告类别", json_schema_extra={RECORDED: "notifications"}
    )
    days_left: int | None = Field(
        None, ge=0, title="剩余工作日", json_schema_extra={RECORDED: "notifications"}
    )


class Evaluation(Details):
    """一事一评. The evaluation rules (levels, indicators, channels) are bangban.oversight's,
    which checks them in its guard; the shape is here."""

    level: int | str = Field(
        title="评价等级",
        description="1–5，或所在中心评价等级的名称（cases.ratings）",
        examples=[5, "非常满意"],
    )
    indicators: dict[str, int] | None = Field(None, title="分项评价")
    comment: str = Field("", max_length=500, title="评价意见", examples=["回访满意"])
    channel: str | None = Field(None, max_length=30, title="评价渠道", examples=["return_visit"])
    real_name: bool | None = Field(None, title="实名评价")


def recorded_by_others(info: FieldInfo) -> bool:
    extra = info.json_schema_extra
    return isinstance(extra, dict) and RECORDED in extra


# --- a validation error in the service hall's words -----------------------------------------


def _field(model: type[BaseModel], loc: tuple[int | str, ...]) -> tuple[str, FieldInfo | None]:
    """The title of the field an error is about (nested fields: the outer title)."""
    name = str(loc[0]) if loc else ""
    info = model.model_fields.get(name)
    if info is None:
        return name, None
    return info.title or name, info


def _is_choice(info: FieldInfo | None) -> bool:
    extra = info.json_schema_extra if info else None
    return isinstance(extra, dict) and bool(extra.get("x-choice"))


def refusal_message(model: type[BaseModel], error: ValidationError, label: str) -> str:
    """The first problem of ``error`` as one sentence, e.g. 补正期限（工作日）应在 1 到 60 之间."""
    first = error.errors()[0]
    kind, ctx = first["type"], first.get("ctx") or {}
    loc = tuple(first["loc"])
    title, info = _field(model, loc)
    if kind == "extra_forbidden":
        return f"“{label}”没有“{title}”这一项"
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return f"请选择{title}" if _is_choice(info) else f"请填写{title}"
    if kind in {"literal_error", "enum"} or (_is_choice(info) and kind != "string_too_long"):
        return f"{title}选择有误，请重新选择"
    if kind in {"greater_than_equal", "less_than_equal"} and info is not None:
        low = next((m.ge for m in info.metadata if hasattr(m, "ge")), None)
        high = next((m.le for m in info.metadata if hasattr(m, "le")), None)
        if low is not None and high is not None:
            return f"{title}应在 {low} 到 {high} 之间"
    if kind == "string_too_long":
        return f"{title}不能超过 {ctx.get('max_length')} 个字"
    if kind.startswith("int_"):
        return f"{title}应为整数"
    if kind == "decimal_max_places":
        return f"{title}最多保留两位小数"
    if kind.startswith("decimal_") or kind in {"greater_than_equal", "less_than_equal"}:
        return f"{title}应为不小于 0 的金额"
    return f"{title}格式不正确"
