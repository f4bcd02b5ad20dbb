"""Small helpers that build a network, staff and catalogue rows for the catalogue tests."""

import itertools

from django.contrib.auth import get_user_model

from bangban.catalogue import services
from bangban.catalogue.models import (
    Bundle,
    ItemCategory,
    ItemVersion,
    Material,
    MaterialForm,
    ServiceItem,
)
from bangban.network.models import Department, Site, SiteLevel
from bangban.staff.models import Employment, StaffMember

_numbers = itertools.count(1)


def county(code="C01", **fields) -> Site:
    fields.setdefault("name", "示范县政务服务中心")
    fields.setdefault("phone", "0571-88000001")
    fields.setdefault("address", "示范县人民路88号")
    fields.setdefault("complaint_phone", "12345")
    return Site.objects.create(code=code, level=SiteLevel.COUNTY, **fields)


def town(parent: Site, code="T01", **fields) -> Site:
    fields.setdefault("name", "城关镇便民服务中心")
    fields.setdefault("phone", "0571-88000110")
    return Site.objects.create(code=code, level=SiteLevel.TOWN, parent=parent, **fields)


def department(county_site: Site, code="SCJG", name="县市场监督管理局") -> Department:
    return Department.objects.create(code=code, name=name, county=county_site)


def category(code="business_startup") -> ItemCategory:
    return ItemCategory.objects.get(code=code)  # seeded by migration 0002


def agent(
    site: Site, name=None, *, is_active=True, employment=Employment.FULL_TIME, **fields
) -> StaffMember:
    n = next(_numbers)
    user = get_user_model().objects.create_user(username=f"agent{n}", password=None)
    fields.setdefault("title", "帮办代办员")
    fields.setdefault("phone", f"1380000{n:04d}")
    return StaffMember.objects.create(
        user=user,
        name=name or f"帮办员{n}",
        site=site,
        is_agent=True,
        is_active=is_active,
        employment=employment,
        **fields,
    )


GUIDE = {
    "legal_basis": "《中华人民共和国食品安全法》第三十五条",
    "conditions": "有与经营的食品品种相适应的经营场所。",
    "process": "申请、受理、审查、决定",
    "statutory_limit_days": 10,
    "promised_limit_days": 5,
    "is_immediate": False,
    "channels": ["window", "online"],
}


def draft_item(
    code=None,
    name="食品经营许可",
    *,
    dept: Department,
    cat: ItemCategory | None = None,
    keywords="开饭店 开餐馆",
    materials=3,
    sites=(),
    **guide,
) -> ItemVersion:
    """An item with version 1 as a draft, with ``materials`` materials."""
    item = ServiceItem.objects.create(
        code=code or f"T-{next(_numbers):04d}",
        name=name,
        category=cat or category(),
        department=dept,
        keywords=keywords,
    )
    version = ItemVersion.objects.create(item=item, number=1, **{**GUIDE, **guide})
    if sites:
        version.sites.set(sites)
    Material.objects.bulk_create(
        Material(
            version=version,
            position=i,
            name=f"材料{i}" if i > 1 else "《食品经营许可申请书》",
            required=i != materials,
            form=MaterialForm.ORIGINAL if i % 2 else MaterialForm.COPY,
            copies=1,
            accept_with_gaps=i == 2,
            obtain_from="政务服务网下载",
        )
        for i in range(1, materials + 1)
    )
    return version


def published_item(code=None, name="食品经营许可", **kwargs) -> ServiceItem:
    version = draft_item(code, name, **kwargs)
    services.item_version_publish(version=version)
    version.item.refresh_from_db()
    return version.item


def bundle(code="KYFD", name="开饭店一件事", items_and_deps=()) -> Bundle:
    """A published bundle; ``items_and_deps`` is [(item, [indexes of prerequisites])]."""
    b = Bundle.objects.create(code=code, name=name, life_event="开饭店")
    version = services.bundle_version_draft(bundle=b)
    entries = []
    for item, deps in items_and_deps:
        entries.append(
            services.bundle_entry_add(
                version=version, item=item, depends_on=[entries[i] for i in deps]
            )
        )
    services.bundle_version_publish(version=version)
    b.refresh_from_db()
    return b
