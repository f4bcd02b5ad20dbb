"""Shared test personas (pytest plugin, loaded by the root conftest).

A small county: county centre C, town T1 with villages V1 (A) and V2 (B), town T2; two
departments (market regulation, housing) each with a liaison; published items with
material checklists and a two-department bundle. The personas are the ones every
feature's refusal tests use: agent of village A, agent of village B, town agent, county
agent, coordinator, liaison of each department, supervisor, citizen, another citizen.
"""

import os
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model

from bangban.browser import CHROMIUM, CHROMIUM_ARGS
from bangban.cases.access import Actor
from bangban.clients.identity import resident_id_check_char
from bangban.clients.services import ClientInput, client_register
from bangban.network.models import Department, Site, SiteLevel
from bangban.staff.models import StaffMember

# pytest-playwright's sync page runs an event loop in the test thread; the ORM calls made
# by live_server tests there are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def make_resident_id(body17: str = "11010519491231002") -> str:
    return body17 + resident_id_check_char(body17)


def _staff(username, site, **roles):
    user = get_user_model().objects.create_user(username=username, password="pw-" + username)
    return StaffMember.objects.create(
        user=user, name=roles.pop("name", username), site=site, **roles
    )


def _item(code, name, department, category, days, materials, **guide):
    from bangban.catalogue.models import ItemVersion, Material, ServiceItem
    from bangban.catalogue.services import item_version_publish

    item = ServiceItem.objects.create(
        code=code, name=name, category=category, department=department
    )
    version = ItemVersion.objects.create(
        item=item,
        number=1,
        statutory_limit_days=days * 2,
        promised_limit_days=days,
        channels=["window"],
        **guide,
    )
    for position, (material_name, required, gaps) in enumerate(materials):
        Material.objects.create(
            version=version,
            position=position,
            name=material_name,
            required=required,
            accept_with_gaps=gaps,
            obtain_from="申请人自备",
        )
    item_version_publish(version=version)
    item.refresh_from_db()
    return item


@pytest.fixture
def world(db):
    from bangban.catalogue.models import Bundle, BundleEntry, BundleVersion, ItemCategory
    from bangban.catalogue.services import bundle_version_publish

    county = Site.objects.create(name="示范县政务服务中心", code="C", level=SiteLevel.COUNTY)
    town = Site.objects.create(
        name="城关镇便民服务中心", code="T1", level=SiteLevel.TOWN, parent=county
    )
    town2 = Site.objects.create(
        name="青山镇便民服务中心", code="T2", level=SiteLevel.TOWN, parent=county
    )
    village_a = Site.objects.create(
        name="东街社区便民服务站", code="V1", level=SiteLevel.VILLAGE, parent=town
    )
    village_b = Site.objects.create(
        name="西湖村便民服务站", code="V2", level=SiteLevel.VILLAGE, parent=town
    )
    market = Department.objects.create(name="县市场监督管理局", code="SCJG", county=county)
    housing = Department.objects.create(name="县住房和城乡建设局", code="ZJ", county=county)

    coordinator = _staff("coordinator", county, is_coordinator=True, name="协调员老周")
    coordinator.covered_sites.add(county)
    people = SimpleNamespace(
        agent_a=_staff("agent_a", village_a, is_agent=True, name="村A代办员"),
        agent_a2=_staff("agent_a2", village_a, is_agent=True, name="村A代办员二"),
        agent_b=_staff("agent_b", village_b, is_agent=True, name="村B代办员"),
        town_agent=_staff("town_agent", town, is_agent=True, name="镇代办员"),
        county_agent=_staff("county_agent", county, is_agent=True, name="县代办员"),
        coordinator=coordinator,
        liaison_market=_staff(
            "liaison_market", county, is_liaison=True, department=market, name="市场监管对接人"
        ),
        liaison_housing=_staff(
            "liaison_housing", county, is_liaison=True, department=housing, name="住建对接人"
        ),
        supervisor=_staff("supervisor", county, is_supervisor=True, name="督查员"),
    )
    citizen = client_register(
        data=ClientInput(
            kind="person", name="张三", id_number=make_resident_id(), mobile="13812345678"
        )
    )
    other = client_register(
        data=ClientInput(
            kind="person",
            name="李四",
            id_number=make_resident_id("11010519800101001"),
            mobile="13900001111",
        )
    )
    category = ItemCategory.objects.get_or_create(
        code="business_startup", defaults={"name": "企业开办"}
    )[0]
    food = _item(
        "SCJG-001",
        "食品经营许可",
        market,
        category,
        10,
        [
            ("食品经营许可申请书", True, False),
            ("营业执照", True, False),
            ("食品安全管理制度", True, True),
            ("场所平面图", False, False),
        ],
    )
    building = _item(
        "ZJ-001",
        "建筑工程施工许可证核发",
        housing,
        category,
        7,
        [("施工许可申请表", True, False), ("施工合同", True, False)],
    )
    assist_only = _item(
        "SCJG-002",
        "个体工商户登记",
        market,
        category,
        3,
        [("登记申请书", True, False)],
        offers_proxy=False,
    )
    bundle = Bundle.objects.create(code="B-FOOD", name="开饭店一件事")
    bundle_version = BundleVersion.objects.create(bundle=bundle, number=1)
    first = BundleEntry.objects.create(bundle_version=bundle_version, item=food, position=0)
    second = BundleEntry.objects.create(bundle_version=bundle_version, item=building, position=1)
    second.depends_on.add(first)
    bundle_version_publish(version=bundle_version)
    bundle_version.refresh_from_db()
    return SimpleNamespace(
        county=county,
        town=town,
        town2=town2,
        village_a=village_a,
        village_b=village_b,
        market=market,
        housing=housing,
        citizen=citizen,
        other_citizen=other,
        food=food,
        building=building,
        assist_only=assist_only,
        bundle_version=bundle_version,
        **vars(people),
    )


def as_staff(staff) -> Actor:
    return Actor.of_staff(staff)


# --- browser tests: Debian's Chromium, driven by Playwright -----------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("CI 缺少 Debian chromium：scripts/system-deps 应已安装")
        pytest.skip("浏览器测试需要 Debian 的 chromium（sudo bash scripts/system-deps）")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}
