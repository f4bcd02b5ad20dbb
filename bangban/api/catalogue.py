"""The public catalogue over the API: items with their current guide, an item's versions,
the materials of a version, and bundles (一件事) with their entries.

What the portal publishes, and nothing else: published items and bundles; versions that
were published (current or retired), never a draft. No token needed.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Prefetch
from django.http import Http404
from ninja import Field, Query, Router, Schema

from bangban.apiauth.errors import error_responses
from bangban.catalogue.models import (
    Bundle,
    BundleEntry,
    ItemVersion,
    Material,
    ServiceItem,
    VersionStatus,
)
from bangban.catalogue.selectors import published_items

from .pagination import CursorPage, CursorQuery, paginate

router = Router(tags=["事项目录"], auth=None)

ITEM_NOT_FOUND = "事项不存在或未发布"
VERSION_NOT_FOUND = "办事指南版本不存在"


class VersionOut(Schema):
    number: int = Field(description="版本号")
    status: str = Field(description="published 已发布（当前版本）或 retired 已停用")
    status_label: str
    published_at: datetime | None
    retired_at: datetime | None
    statutory_limit_days: int = Field(description="法定时限（工作日）")
    promised_limit_days: int = Field(description="承诺时限（工作日）")
    is_immediate: bool = Field(description="即办件")
    channels: list[str] = Field(description="办理渠道")
    offers_assist: bool = Field(description="提供帮办")
    offers_proxy: bool = Field(description="提供代办")
    fees: str = Field(description="收费标准")


class CatalogueItemOut(Schema):
    code: str = Field(description="事项编码")
    name: str = Field(description="事项名称")
    category: str = Field(description="事项类别")
    department_code: str
    department_name: str = Field(description="审批部门")
    current_version: VersionOut | None = Field(description="当前发布的办事指南")


class ItemPage(CursorPage):
    items: list[CatalogueItemOut]


class CatalogueMaterialOut(Schema):
    position: int = Field(description="序号")
    name: str = Field(description="材料名称")
    required: bool = Field(description="必需")
    form: str = Field(description="材料形式")
    form_label: str
    copies: int = Field(description="份数")
    accept_with_gaps: bool = Field(description="可容缺受理")
    obtain_from: str = Field(description="来源渠道")
    note: str = Field(description="备注")


class EntryOut(Schema):
    item_code: str
    item_name: str
    position: int = Field(description="顺序")
    depends_on: list[str] = Field(description="须先办结的事项编码")


class BundleOut(Schema):
    code: str = Field(description="一件事编码")
    name: str
    description: str
    life_event: str = Field(description="办事场景")
    version: int | None = Field(description="当前发布版本号")
    entries: list[EntryOut] = Field(description="包含的事项，按办理顺序")


class BundlePage(CursorPage):
    items: list[BundleOut]


class ItemQuery(CursorQuery):
    category: str | None = Field(None, max_length=40, description="事项类别编码")


def version_out(v: ItemVersion | None) -> dict | None:
    if v is None:
        return None
    return {
        "number": v.number,
        "status": v.status,
        "status_label": v.get_status_display(),
        "published_at": v.published_at,
        "retired_at": v.retired_at,
        "statutory_limit_days": v.statutory_limit_days,
        "promised_limit_days": v.promised_limit_days,
        "is_immediate": v.is_immediate,
        "channels": list(v.channels or []),
        "offers_assist": v.offers_assist,
        "offers_proxy": v.offers_proxy,
        "fees": v.fees,
    }


def item_out(item: ServiceItem) -> dict:
    return {
        "code": item.code,
        "name": item.name,
        "category": item.category.name,
        "department_code": item.department.code,
        "department_name": item.department.name,
        "current_version": version_out(item.current_version),
    }


def _item(code: str) -> ServiceItem:
    item = published_items().filter(code=code).first()
    if item is None:
        raise Http404(ITEM_NOT_FOUND)
    return item


@router.get(
    "/items",
    response={200: ItemPage, **error_responses(400)},
    summary="事项目录",
    description="已发布的政务服务事项及其当前办事指南（时限、渠道、是否提供帮办代办），按事项编码"
    "排序；用 next_cursor 翻页。无需令牌。",
)
def catalogue_items(request, query: Query[ItemQuery]):
    items = published_items().select_related("current_version")
    if query.category:
        items = items.filter(category__code=query.category)
    page, next_cursor = paginate(
        items, name="items", cursor=query.cursor, limit=query.limit, order="code"
    )
    return {"items": [item_out(i) for i in page], "next_cursor": next_cursor}


@router.get(
    "/items/{code}",
    response={200: CatalogueItemOut, **error_responses(404)},
    summary="事项详情",
    description="一个已发布事项及其当前办事指南。",
)
def catalogue_item(request, code: str):
    return item_out(_item(code))


@router.get(
    "/items/{code}/versions",
    response={200: list[VersionOut], **error_responses(404)},
    summary="事项的办事指南版本",
    description="事项发布过的全部版本（当前版本和已停用的版本），新版本在前；草稿不公开。"
    "办件按受理时的版本办理，可据此查到当时的指南。",
)
def catalogue_item_versions(request, code: str):
    item = _item(code)
    versions = ItemVersion.objects.filter(item=item).exclude(status=VersionStatus.DRAFT)
    return [version_out(v) for v in versions.order_by("-number")]


@router.get(
    "/items/{code}/versions/{int:number}/materials",
    response={200: list[CatalogueMaterialOut], **error_responses(404)},
    summary="办事指南版本的材料清单",
    description="该版本要求的申请材料：是否必需、形式、份数、可否容缺受理、在哪里取得。",
)
def catalogue_version_materials(request, code: str, number: int):
    version = (
        ItemVersion.objects.filter(item__code=code, item__is_published=True, number=number)
        .exclude(status=VersionStatus.DRAFT)
        .first()
    )
    if version is None:
        raise Http404(VERSION_NOT_FOUND)
    materials = Material.objects.filter(version=version).order_by("position", "id")
    return [
        {
            "position": m.position,
            "name": m.name,
            "required": m.required,
            "form": m.form,
            "form_label": m.get_form_display(),
            "copies": m.copies,
            "accept_with_gaps": m.accept_with_gaps,
            "obtain_from": m.obtain_from,
            "note": m.note,
        }
        for m in materials
    ]


@router.get(
    "/bundles",
    response={200: BundlePage, **error_responses(400)},
    summary="一件事目录",
    description="已发布的“一件事”及其当前版本包含的事项（按办理顺序，含前置事项），按编码排序；"
    "用 next_cursor 翻页。无需令牌。",
)
def catalogue_bundles(request, query: Query[CursorQuery]):
    entries = BundleEntry.objects.select_related("item").order_by("position", "id")
    bundles = (
        Bundle.objects.filter(is_published=True)
        .select_related("current_version")
        .prefetch_related(
            Prefetch("current_version__entries", queryset=entries),
            Prefetch("current_version__entries__depends_on", queryset=entries),
        )
    )
    page, next_cursor = paginate(
        bundles, name="bundles", cursor=query.cursor, limit=query.limit, order="code"
    )
    return {
        "items": [
            {
                "code": b.code,
                "name": b.name,
                "description": b.description,
                "life_event": b.life_event,
                "version": b.current_version.number if b.current_version else None,
                "entries": [
                    {
                        "item_code": e.item.code,
                        "item_name": e.item.name,
                        "position": e.position,
                        "depends_on": [d.item.code for d in e.depends_on.all()],
                    }
                    for e in (b.current_version.entries.all() if b.current_version else [])
                ],
            }
            for b in page
        ],
        "next_cursor": next_cursor,
    }
