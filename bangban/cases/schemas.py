"""API shapes for cases: list, detail, events, timeline, materials, submission, progress.

Field names follow the glossary; every label a person reads is the Chinese term from the
state table or the model choices, so the API and the pages say the same thing.
"""

from datetime import date, datetime
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Annotated, Literal, Union, get_args

from ninja import Field, Schema
from pydantic import BaseModel, ConfigDict, create_model

from bangban.clients.schemas import ClientBrief, ClientIn

from . import ratings
from .details import recorded_by_others
from .models import EXTERNAL_NUMBER_MAX, Channel
from .transitions import TRANSITIONS
from .workflow import State, Transition

ServiceTypeCode = Literal["assist", "proxy"]
# The events of the state table, one name each (cases.transitions).
EventName = StrEnum("EventName", {t.event: t.event for t in TRANSITIONS})
# The case's channels, from the one list (cases.models.Channel).
if TYPE_CHECKING:
    ChannelCode = str
else:
    ChannelCode = Literal[tuple(Channel.values)]


class SiteOut(Schema):
    code: str
    name: str


class DepartmentOut(Schema):
    code: str
    name: str


class CaseSummary(Schema):
    id: int = Field(description="内部序号，用于列表翻页（after）")
    number: str = Field(description="办件编号")
    title: str = Field(description="办理事项或一件事名称")
    service_type: str = Field(description="assist 帮办；proxy 代办")
    service_type_label: str
    state: str
    state_label: str
    channel: str
    channel_label: str
    external_number: str = Field(description="政务服务网申办编号（网上、自助、掌上帮办）")
    site: SiteOut = Field(description="承办机构")
    agent_name: str | None = Field(description="帮办代办员")
    client: ClientBrief = Field(description="服务对象（脱敏）")
    created_at: datetime
    accepted_on: date | None
    due_on: date | None = Field(description="到期日（承诺时限，工作日计）")
    overdue: bool = Field(description="已超期且未办结")
    version: int = Field(description="版本号：提交操作时作为 expected_version")


class CaseList(Schema):
    items: list[CaseSummary]
    next_after: int | None = Field(description="下一页请求 ?after= 的值；为空表示没有更多")


class CaseItemOut(Schema):
    id: int = Field(description="办件事项序号（case_item_id）")
    item_code: str
    item_name: str
    department: DepartmentOut
    status: str = Field(
        description="pending 待报件、filed 已报件、in_progress 部门办理中、approved 已出结果、denied 不予许可"
    )
    status_label: str
    filed_on: date | None
    result: str
    result_on: date | None


class MaterialOut(Schema):
    id: int = Field(description="材料序号（material_id）")
    case_item_id: int
    name: str
    required: bool
    accept_with_gaps: bool = Field(description="可容缺受理")
    obtain_from: str = Field(description="获取途径")
    status: str = Field(
        description="pending 未预审、received 已收取、missing 缺少、needs_correction 需补正、deferred 容缺后补、not_applicable 不适用"
    )
    status_label: str
    note: str
    checked_at: datetime | None


class NoticeOut(Schema):
    number: str = Field(description="一次性告知单编号")
    issued_at: datetime
    accepted: list[dict] = Field(description="已符合要求的材料")
    needed: list[dict] = Field(description="需补充或补正的材料及获取途径")
    not_applicable: list[dict] = Field(description="不适用的材料及原因")
    due_on: date | None = Field(description="补正期限")


class CaseMaterials(Schema):
    materials: list[MaterialOut]
    notices: list[NoticeOut] = Field(description="一次性告知单，最新在前")


class DeadlineOut(Schema):
    accepted_on: date
    promised_days: int = Field(description="承诺时限（工作日）")
    due_on: date
    workdays_left: int = Field(
        description="剩余工作日（负数为已超期的工作日）；计时暂停时为停表时所剩，恢复后从此续算"
    )
    status: Literal["ok", "warning", "overdue", "paused"] = Field(
        description="ok 正常、warning 即将到期、overdue 已超期、paused 计时暂停（受理后待补正或已中止）"
    )
    status_label: str
    provisional: bool = Field(description="计时暂停中，到期日待恢复后重新计算")
    lines: list[str] = Field(description="到期日的计算说明")


class AllowedEvent(Schema):
    event: EventName
    label: str
    hint: str
    signs: str | None = Field(description="须服务对象签字确认的文书")


class CaseDetail(CaseSummary):
    needs: str = Field(description="需求分析")
    relay_to_site: SiteOut | None = Field(description="待接收的移交机构")
    items: list[CaseItemOut]
    materials: list[MaterialOut]
    deadline: DeadlineOut | None = Field(description="受理后才有")
    supplement_due_on: date | None
    resumption_due_on: date | None
    completed_on: date | None
    reason_code: str
    reason_text: str
    delivery_method: str
    allowed_events: list[AllowedEvent] = Field(
        description="按状态表，当前用户此时可进行的操作（条件在提交时检查）"
    )


class CaseIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "client": {
                        "kind": "person",
                        "name": "王建国",
                        "id_number": "110105195501010027",
                        "mobile": "13812345678",
                    },
                    "service_type": "proxy",
                    "items": ["SCJG-001"],
                    "needs": "老人行动不便，需全程代办",
                }
            ]
        }
    )

    client_id: int | None = Field(None, description="已登记的服务对象序号", examples=[1])
    client: ClientIn | None = Field(None, description="或：新服务对象的信息")
    service_type: ServiceTypeCode = Field(examples=["proxy"])
    channel: ChannelCode = Field("window", examples=["window"])
    external_number: str = Field(
        "",
        max_length=EXTERNAL_NUMBER_MAX,
        description="政务服务网申办编号：网上、自助、掌上帮办（channel 为 online、kiosk、mobile）时填写",
    )
    site: str | None = Field(None, description="承办机构编码；默认为本人所在机构", examples=["V1"])
    items: list[str] = Field(default_factory=list, description="事项编码", examples=[["SCJG-001"]])
    bundle: str | None = Field(None, description="或：一件事编码", examples=["B-FOOD"])
    needs: str = Field(
        "", max_length=2000, description="需求说明", examples=["老人行动不便，需全程代办"]
    )


@cache
def _as_taken(model: type[BaseModel]) -> type[BaseModel]:
    """The details schema as a caller may send it: without the fields other areas record
    in-process (``details.RECORDED``), which a caller must not be able to claim."""
    fields: dict = {}
    for name, info in model.model_fields.items():
        if recorded_by_others(info):
            continue
        annotation = info.annotation
        inner = [
            a for a in get_args(annotation) if isinstance(a, type) and issubclass(a, BaseModel)
        ]
        if inner and len(get_args(annotation)) == 2 and type(None) in get_args(annotation):
            annotation = _as_taken(inner[0]) | None
        fields[name] = (annotation, info)
    return create_model(
        model.__name__, __config__=model.model_config, __doc__=model.__doc__, **fields
    )


def _event_body(transition: Transition) -> type[BaseModel]:
    """The API body of one event: its name, the version read, and the row's details schema."""
    details = _as_taken(transition.details)
    required = any(f.is_required() for f in details.model_fields.values())
    hint = f"。{transition.hint}" if transition.hint else ""
    return create_model(
        "".join(part.title() for part in transition.event.split("_")) + "Event",
        __config__=ConfigDict(extra="forbid"),
        __doc__=f"{transition.label}{hint}",
        event=(Literal[transition.event], Field(description=transition.label)),
        expected_version=(
            int,
            Field(ge=0, description="读取办件时的 version；已被他人更新则返回 409"),
        ),
        details=(details, Field(...) if required else Field(default_factory=details)),
    )


# The event body: one schema per row of the state table, told apart by ``event`` (an enum
# in /api/openapi.json); nothing about an event is written here that its row does not say.
EventIn = Annotated[
    Union[tuple(_event_body(t) for t in TRANSITIONS)],  # noqa: UP007 (a runtime tuple)
    Field(discriminator="event"),
]


class EventOut(Schema):
    seq: int
    event: str
    label: str
    from_state: str
    from_state_label: str
    to_state: str
    to_state_label: str
    at: datetime
    actor_kind: str
    actor_name: str
    reason: str
    details: dict


class EventResult(EventOut):
    version: int = Field(description="办件的新版本号")
    state: str
    state_label: str


class ProgressStep(Schema):
    label: str
    on: date


class ProgressOut(Schema):
    number: str
    title: str
    service_type_label: str
    client_name: str = Field(description="服务对象（脱敏）")
    state_label: str = Field(description="当前环节")
    awaiting: list[str] = Field(description="需要您办理或补充的事项")
    awaiting_due_on: date | None = Field(description="以上事项的期限")
    due_on: date | None = Field(description="承诺办结日期")
    steps: list[ProgressStep] = Field(description="已完成的环节")


class EvaluationIn(Schema):
    number: str = Field(description="办件编号", examples=["BJ-V1-2025-000001"])
    phone: str = Field(description="申请时登记的手机号码", examples=["13812345678"])
    level: ratings.Label = Field(examples=["非常满意"])
    comment: str = Field("", max_length=500, examples=["代办员很耐心，一次办好"])


class CaseFilters(Schema):
    state: State | None = Field(None, description="状态")
    site: str | None = Field(None, description="承办机构编码")
    service_type: ServiceTypeCode | None = Field(None, description="assist 或 proxy")
    overdue: bool | None = Field(None, description="true：只看已超期未办结的；false：排除它们")
    q: str | None = Field(None, max_length=40, description="办件编号前缀", examples=["BJ-V1-"])
    after: int | None = Field(None, ge=1, description="上一页的 next_after")
    limit: int = Field(20, ge=1, le=100, description="每页件数，至多 100")


class ProgressQuery(Schema):
    number: str = Field(max_length=40, description="办件编号", examples=["BJ-V1-2025-000001"])
    phone: str = Field(max_length=20, description="申请时登记的手机号码", examples=["13812345678"])


class ApplicationFieldOut(Schema):
    code: str = Field(description="字段编码（填写时 answers 的键）")
    label: str
    type: Literal["text", "date", "number"] = Field(description="text 文字；date 日期；number 数字")
    required: bool
    pattern_hint: str = Field(description="格式说明")
    help: str = Field(description="填写说明")
    personal: bool = Field(description="个人信息：以密文保存，非填写人看到的是脱敏值")
    items: list[str] = Field(description="使用本字段的事项编码；两项及以上即为共用字段，只填一次")
    value: str = Field(description="已填写的内容（未填为空）")


class CaseApplication(Schema):
    fields: list[ApplicationFieldOut] = Field(description="共用字段在前，其后按事项排列")
    masked: bool = Field(description="个人信息是否脱敏显示（只有可填写的帮办代办员看到全文）")
    answered: bool = Field(description="是否已填写过")
