"""Demo catalogue: 53 real-world items of a county, three bundles, one item with history.

``load(county)`` runs after the network and staff demos (see the ``demo`` command). Items
are published through the services, so the demo data passes the same checks as real data.
"""

from bangban.network.models import Department, Site

from . import services
from .demo_items import FORM, ITEMS, LICENCE, TOWNS, m
from .demo_items_social import ITEMS_SOCIAL
from .models import Bundle, ItemCategory, ItemVersion, Material, ServiceItem

CATEGORIES = [
    ("investment_construction", "投资建设", 10),
    ("business_startup", "企业开办", 20),
    ("livelihood", "民生事务", 30),
]
# Departments the catalogue needs beyond the network demo's list.
EXTRA_DEPARTMENTS = [("TYJR", "县退役军人事务局")]

# The food licence before 《食品经营许可和备案管理办法》 (2023): version 1, now retired.
FOOD_LICENCE_V1 = {
    "legal_basis": "《中华人民共和国食品安全法》第三十五条\n《食品经营许可管理办法》",
    "statutory_limit_days": 20,
    "promised_limit_days": 10,
    "channels": ["window"],
    "materials": [
        FORM("《食品经营许可申请书》"),
        LICENCE,
        m("法定代表人（负责人）身份证件", "copy"),
        m("与食品经营相适应的主要设备设施布局、操作流程等文件"),
        m("经营场所平面图"),
        m("食品安全管理制度文本"),
        m("食品安全管理人员健康证明", "copy"),
        m("食品安全管理人员培训合格证明", "copy"),
    ],
}

BUNDLES = [
    {
        "code": "KYFD",
        "name": "开饭店一件事（餐饮店开业）",
        "life_event": "开饭店、开餐馆、开小吃店",
        "keywords": "开饭店 开餐馆 餐饮 开店 小吃店 奶茶店",
        "description": "一次申请，营业执照、食品经营许可、排水许可和税务信息确认由帮办代办员统一跟进。"
        "饭馆、咖啡馆、酒吧、茶座自2016年起不再办理公共场所卫生许可。",
        # (item code, prerequisites)
        "entries": [
            ("SCJG-001", []),
            ("SCJG-005", ["SCJG-001"]),
            ("ZJ-002", ["SCJG-001"]),
            ("SW-001", ["SCJG-001"]),
        ],
    },
    {
        "code": "XSECS",
        "name": "新生儿出生一件事",
        "life_event": "孩子出生",
        "keywords": "孩子出生 新生儿 上户口 出生证 宝宝 医保 社保卡",
        "description": "出生医学证明、户口登记、医保参保和社保卡申领一次办，材料只交一次。",
        "entries": [
            ("WJ-004", []),
            ("GA-003", ["WJ-004"]),
            ("YB-001", ["GA-003"]),
            ("RS-005", ["GA-003"]),
        ],
    },
    {
        "code": "CJRFW",
        "name": "残疾人服务一件事",
        "life_event": "办理残疾人证及相关补贴、辅具",
        "keywords": "残疾证 残疾人补贴 轮椅 辅具 护理补贴",
        "description": "残疾人证核发后，两项补贴和辅助器具适配同步申请；行动不便的可预约上门服务。",
        "entries": [
            ("CL-001", []),
            ("MZ-006", ["CL-001"]),
            ("CL-002", ["CL-001"]),
        ],
    },
]

GUIDE_KEYS = (
    "legal_basis",
    "conditions",
    "process",
    "statutory_limit_days",
    "promised_limit_days",
    "is_immediate",
    "channels",
)


def _version(item: ServiceItem, number: int, spec: dict, sites: dict[str, Site]) -> ItemVersion:
    version = ItemVersion.objects.create(
        item=item,
        number=number,
        **{key: spec[key] for key in GUIDE_KEYS},
        fees=spec.get("fees", "不收费"),
        offers_assist=spec.get("offers_assist", True),
        offers_proxy=spec.get("offers_proxy", True),
    )
    if spec.get("sites"):
        version.sites.set([sites[code] for code in spec["sites"]])
    Material.objects.bulk_create(
        Material(version=version, position=position, **material)
        for position, material in enumerate(spec["materials"], start=1)
    )
    return version


def load(county: Site) -> dict[str, int]:
    """Create the demo catalogue; return counts for the loader's summary."""
    categories = {}
    for code, name, position in CATEGORIES:
        categories[code], _ = ItemCategory.objects.get_or_create(
            code=code, defaults={"name": name, "position": position}
        )
    for code, name in EXTRA_DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name, "county": county})
    departments = {d.code: d for d in Department.objects.all()}
    sites = {s.code: s for s in Site.objects.all()}
    # Town-level items are offered at the county centre and the three demo towns.
    assert set(TOWNS) <= set(sites), "network demo must be loaded first"

    items = {}
    for spec in ITEMS + ITEMS_SOCIAL:
        item = ServiceItem.objects.create(
            code=spec["code"],
            name=spec["name"],
            category=categories[spec["category"]],
            department=departments[spec["department"]],
            keywords=spec["keywords"],
        )
        items[item.code] = item
        if spec["code"] == "SCJG-005":
            services.item_version_publish(
                version=_version(item, 1, {**spec, **FOOD_LICENCE_V1}, sites)
            )
            _version_replacing(item, spec, sites)
            continue
        version = _version(item, 1, spec, sites)
        if not spec.get("draft_only"):
            services.item_version_publish(version=version)

    for spec in BUNDLES:
        bundle = Bundle.objects.create(
            code=spec["code"],
            name=spec["name"],
            life_event=spec["life_event"],
            keywords=spec["keywords"],
            description=spec["description"],
        )
        version = services.bundle_version_draft(bundle=bundle)
        entries = {}
        for code, prerequisites in spec["entries"]:
            entries[code] = services.bundle_entry_add(
                version=version, item=items[code], depends_on=[entries[p] for p in prerequisites]
            )
        services.bundle_version_publish(version=version)
    return {"items": len(items), "bundles": len(BUNDLES)}


def _version_replacing(item: ServiceItem, spec: dict, sites: dict[str, Site]) -> None:
    """Version 2 of an item, made the way an editor would: draft from v1, edit, publish."""
    draft = services.item_version_draft(item=item)
    for key in GUIDE_KEYS:
        setattr(draft, key, spec[key])
    draft.save()
    draft.materials.all().delete()
    Material.objects.bulk_create(
        Material(version=draft, position=position, **material)
        for position, material in enumerate(spec["materials"], start=1)
    )
    services.item_version_publish(version=draft)
