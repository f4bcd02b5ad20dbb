"""Sites and the staff directory over the API: what the 五公开 pages publish, no more.

A site: name, level, address, hours, phone, the 帮办代办 area and the complaint phone. The
staff directory of a site: its active 帮办代办员 by name, post (岗位) and roles, as the
site's public disclosure page lists them; never a phone number, an ID or an account.
No token needed.
"""

from __future__ import annotations

from django.http import Http404
from ninja import Field, Query, Router, Schema

from bangban.apiauth.errors import error_responses
from bangban.network.models import Site, SiteLevel
from bangban.staff.models import StaffMember

from .pagination import CursorPage, CursorQuery, paginate

router = Router(tags=["服务机构与工作人员"], auth=None)

SITE_NOT_FOUND = "服务机构不存在"


class DirectorySiteOut(Schema):
    code: str = Field(description="机构编码")
    name: str = Field(description="名称")
    level: str = Field(description="county 政务服务中心、town 便民服务中心、village 便民服务站")
    level_label: str
    parent_code: str | None = Field(description="上级机构编码")
    address: str = Field(description="地址")
    opening_hours: str = Field(description="办公时间")
    phone: str = Field(description="联系电话")
    service_area: str = Field(description="帮办代办窗口或区域位置")
    complaint_phone: str = Field(description="投诉电话")


class SitePage(CursorPage):
    items: list[DirectorySiteOut]


class SiteQuery(CursorQuery):
    level: SiteLevel | None = Field(None, description="只看某一层级")


class StaffOut(Schema):
    name: str = Field(description="姓名")
    title: str = Field(description="岗位")
    roles: str = Field(description="角色")
    site_code: str
    site_name: str


class StaffPage(CursorPage):
    items: list[StaffOut]


def site_out(site: Site) -> dict:
    return {
        "code": site.code,
        "name": site.name,
        "level": site.level,
        "level_label": site.get_level_display(),
        "parent_code": site.parent.code if site.parent_id else None,
        "address": site.address,
        "opening_hours": site.opening_hours,
        "phone": site.phone,
        "service_area": site.service_area,
        "complaint_phone": site.complaint_phone,
    }


def _site(code: str) -> Site:
    site = Site.objects.select_related("parent").filter(code=code, is_active=True).first()
    if site is None:
        raise Http404(SITE_NOT_FOUND)
    return site


@router.get(
    "",
    response={200: SitePage, **error_responses(400)},
    summary="服务机构名录",
    description="启用中的政务服务中心、便民服务中心和便民服务站：地址、办公时间、电话、"
    "帮办代办区和投诉电话，按机构编码排序；用 next_cursor 翻页。无需令牌。",
)
def site_list(request, query: Query[SiteQuery]):
    sites = Site.objects.filter(is_active=True).select_related("parent")
    if query.level:
        sites = sites.filter(level=query.level)
    page, next_cursor = paginate(
        sites, name="sites", cursor=query.cursor, limit=query.limit, order="code"
    )
    return {"items": [site_out(s) for s in page], "next_cursor": next_cursor}


@router.get(
    "/{code}",
    response={200: DirectorySiteOut, **error_responses(404)},
    summary="服务机构信息",
    description="一个启用中的服务机构的公开信息。",
)
def site_detail(request, code: str):
    return site_out(_site(code))


@router.get(
    "/{code}/staff",
    response={200: StaffPage, **error_responses(400, 404)},
    summary="服务机构的帮办代办员",
    description="该机构在岗的帮办代办员：姓名、岗位和角色，与机构“五公开”页面公布的一致；"
    "不含手机号码、证件号码等个人信息。用 next_cursor 翻页。",
)
def site_staff(request, code: str, query: Query[CursorQuery]):
    site = _site(code)
    staff = StaffMember.objects.active().agents().filter(site=site)
    page, next_cursor = paginate(
        staff, name="staff", cursor=query.cursor, limit=query.limit, order="id"
    )
    return {
        "items": [
            {
                "name": s.name,
                "title": s.title,
                "roles": s.role_labels,
                "site_code": site.code,
                "site_name": site.name,
            }
            for s in page
        ],
        "next_cursor": next_cursor,
    }
