"""API shapes for clients. Personal data goes out masked; the full value only via reveal."""

from datetime import datetime
from typing import Literal

from ninja import Field, Schema


class ClientIn(Schema):
    kind: Literal["person", "organisation"] = Field(
        description="person 自然人；organisation 法人或其他组织"
    )
    name: str = Field(max_length=200, description="姓名或名称")
    id_number: str = Field("", description="居民身份证号码或统一社会信用代码")
    mobile: str = Field("", description="手机号码")
    address: str = Field("", max_length=200, description="地址")
    legal_representative: str = Field("", max_length=50, description="法定代表人（组织必填）")
    contact_person: str = Field("", max_length=50, description="经办人")
    is_elderly: bool = Field(False, description="老年人")
    is_disabled: bool = Field(False, description="残疾人")
    credit_code_override: str = Field(
        "", description="统一社会信用代码校验未通过但确认真实有效时的理由（将被记录）"
    )


class ClientBrief(Schema):
    """Who a case is for, masked: enough to recognise the client, not to impersonate them."""

    id: int
    kind: str
    name: str
    id_number_masked: str = Field(description="证件号码（脱敏）")
    mobile_masked: str = Field(description="手机号码（脱敏）")
    is_priority: bool = Field(description="特殊群体（老年人、残疾人）")


class ClientOut(ClientBrief):
    kind_label: str
    address_masked: str = Field(description="地址（脱敏）")
    legal_representative: str
    contact_person: str
    is_elderly: bool
    is_disabled: bool
    created_at: datetime

    @staticmethod
    def resolve_kind_label(client) -> str:
        return client.get_kind_display()


class RevealIn(Schema):
    field: Literal["id_number", "mobile", "address"] = Field(
        description="id_number 证件号码；mobile 手机号码；address 地址"
    )
    reason: str = Field(min_length=1, max_length=200, description="查看理由（将被记录）")
    case: str | None = Field(None, description="为之查看的办件编号")


class RevealOut(Schema):
    field: str
    value: str = Field(description="完整信息；本次查看已记录")


class ClientLookup(Schema):
    id_number: str = Field(
        min_length=1, max_length=40, description="居民身份证号码或统一社会信用代码"
    )
    kind: Literal["person", "organisation"] = Field("person", description="person 或 organisation")


class CorrectionIn(Schema):
    field: Literal["mobile", "address"] = Field(description="mobile 手机号码；address 地址")
    value: str = Field(min_length=1, max_length=200, description="更正后的手机号码或地址")
    reason: str = Field(min_length=1, max_length=200, description="更正理由（将被记录）")


class CorrectionOut(Schema):
    id: int
    field: str
    field_label: str
    old_masked: str = Field(description="原信息（脱敏）")
    new_masked: str = Field(description="新信息（脱敏）")
    reason: str
    staff_name: str = Field(description="更正人")
    site_name: str = Field(description="更正机构")
    at: datetime

    @staticmethod
    def resolve_field_label(correction) -> str:
        return correction.get_field_display()

    @staticmethod
    def resolve_staff_name(correction) -> str:
        return correction.staff.name

    @staticmethod
    def resolve_site_name(correction) -> str:
        return correction.site.name
