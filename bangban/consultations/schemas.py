"""API shapes for consultations (咨询登记). The contact goes out masked."""

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

from bangban.cases.schemas import ChannelCode, DepartmentOut, ServiceTypeCode, SiteOut
from bangban.clients.schemas import ClientIn


class ConsultationIn(Schema):
    client_name: str = Field(max_length=200, description="服务对象姓名或名称")
    contact: str = Field(max_length=40, description="手机号码或固定电话")
    channel: Literal["visit", "phone", "online"] = Field(description="来访、电话、网上")
    content: str = Field(description="咨询内容")
    item: str | None = Field(None, description="咨询事项编码")
    answer: str = Field("", description="当场答复的内容；留空表示待答复")


class ItemOut(Schema):
    code: str
    name: str


class ConsultationOut(Schema):
    id: int
    site: SiteOut
    handled_by_name: str = Field(description="首问责任人")
    client_name: str
    contact_masked: str = Field(description="联系方式（脱敏）")
    channel: str
    channel_label: str
    item: ItemOut | None
    content: str
    answer: str
    status: str = Field(
        description="pending 待答复、answered 已当场答复、escalated 已转部门、replied 已答复"
    )
    status_label: str
    department: DepartmentOut | None = Field(description="转交部门")
    escalated_at: datetime | None
    reply_due_on: date | None = Field(description="答复期限")
    replied_at: datetime | None
    replied_by_name: str | None
    created_at: datetime
    case_number: str | None = Field(description="转成的办件编号")


class ConsultationList(Schema):
    items: list[ConsultationOut]
    next_after: int | None = Field(description="下一页请求 ?after= 的值；为空表示没有更多")


class EscalateIn(Schema):
    department: str = Field(description="审批部门编码")


class ReplyIn(Schema):
    answer: str = Field(description="答复内容")


class ToCaseIn(Schema):
    client_id: int | None = Field(None, description="已登记的服务对象序号")
    client: ClientIn | None = Field(None, description="或：新服务对象的信息")
    service_type: ServiceTypeCode
    items: list[str] = Field(default_factory=list, description="事项编码；都不填则为咨询事项")
    bundle: str | None = Field(None, description="一件事编码")
    channel: ChannelCode | None = Field(
        None, description="默认按咨询方式：来访→窗口，电话→电话，网上→网上"
    )


class ConsultationFilters(Schema):
    status: Literal["pending", "answered", "escalated", "replied"] | None = Field(
        None, description="状态"
    )
    after: int | None = Field(None, ge=1, description="上一页的 next_after")
    limit: int = Field(20, ge=1, le=100, description="每页条数，至多 100")
