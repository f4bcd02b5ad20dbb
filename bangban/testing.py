"""Shared test personas (pytest plugin, loaded by the root conftest).

A small county: county centre C, town T1 with villages V1 (A) and V2 (B), town T2; two
departments (market regulation, housing) each with a liaison; published items with
material checklists and a two-department bundle. The personas are the ones every
feature's refusal tests use: agent of village A, agent of village B, town agent, county
agent, coordinator, liaison of each department, supervisor, citizen, another citizen.
"""

import os
from contextlib import contextmanager
from datetime import date, datetime, time
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model

from bangban.browser import CHROMIUM, CHROMIUM_ARGS
from bangban.clients.identity import resident_id_check_char
from bangban.clients.services import ClientInput, client_register
from bangban.network.models import Department, Site, SiteLevel
from bangban.staff.models import StaffMember

# pytest-playwright's sync page runs an event loop in the test thread; the ORM calls made
# by live_server tests there are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


COUNTY_ZONE = ZoneInfo("Asia/Shanghai")

# The whole suite can run on another day: BANGBAN_TEST_TODAY=2027-01-04 (CI runs it once so,
# to catch tests that only pass on the day they were written). The clock ticks from 10:00
# county time on that day.
TEST_TODAY_VARIABLE = "BANGBAN_TEST_TODAY"


@contextmanager
def travel_to(day: date, hour: int = 10):
    """The clock at ``day`` ``hour``:00 county time, ticking, for a ``with`` block.

    Everything that reads the time moves with it (``timezone.now``, ``date.today``,
    ``time.time``), so tests that depend on today say which today they mean.
    """
    moment = datetime.combine(day, time(hour), tzinfo=COUNTY_ZONE)
    with time_machine.travel(moment, tick=True):
        yield moment


@pytest.fixture
def real_clock():
    """The machine's own clock for a test whose other processes (a job worker, a browser)
    read it: under ``BANGBAN_TEST_TODAY`` this process would otherwise be on another day
    than they are."""
    if not time_machine.escape_hatch.is_travelling():
        yield datetime.now(COUNTY_ZONE)
        return
    real = datetime.fromtimestamp(time_machine.escape_hatch.time.time(), tz=COUNTY_ZONE)
    with time_machine.travel(real, tick=True):
        yield real


def pytest_configure(config):
    moved = os.environ.get(TEST_TODAY_VARIABLE, "").strip()
    if moved:
        day = date.fromisoformat(moved)
        config._bangban_clock = travel_to(day)
        config._bangban_clock.__enter__()


def pytest_unconfigure(config):
    clock = getattr(config, "_bangban_clock", None)
    if clock is not None:
        clock.__exit__(None, None, None)


def pytest_report_header(config):
    moved = os.environ.get(TEST_TODAY_VARIABLE, "").strip()
    if moved:
        return f"时钟：本次测试的“今天”移至 {moved}（{TEST_TODAY_VARIABLE}）"
    return None


# Every staff persona of the ``world`` fixture, for tests that try something as each of them.
STAFF_PERSONAS = (
    "agent_a",
    "agent_a2",
    "agent_b",
    "town_agent",
    "county_agent",
    "coordinator",
    "liaison_market",
    "liaison_housing",
    "supervisor",
)


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


# --- browser tests: Debian's Chromium, driven by Playwright -----------------------------


# A test that drives a browser is marked ``browser``: `make test` leaves them to
# `make test-browser`, and the summary says how many did not run and why.
BROWSER_FIXTURES = {"page", "context", "browser"}
NO_CHROMIUM = "浏览器测试需要 Debian 的 chromium（sudo bash scripts/system-deps）"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
    # In a run with both kinds (`make test-postgres`), the browser tests go last: once
    # Playwright's sync API has started, its event loop stays the thread's running loop for
    # the session, and a test that drives an ASGI application with ``async_to_sync``
    # (bangban/remote/tests/test_realtime.py) can no longer run in that thread.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    stats = terminalreporter.stats
    deselected = [i for i in stats.get("deselected", []) if i.get_closest_marker("browser")]
    skipped = [r for r in stats.get("skipped", []) if "browser" in getattr(r, "keywords", {})]
    ran = [
        r
        for key in ("passed", "failed", "error")
        for r in stats.get(key, [])
        if getattr(r, "when", "call") == "call" and "browser" in getattr(r, "keywords", {})
    ]
    lines = []
    if ran:
        lines.append(f"浏览器测试：运行 {len(ran)} 个（Debian chromium）")
    if deselected:
        lines.append(
            f"浏览器测试：{len(deselected)} 个本次未运行（make test 只做快速检查；"
            "make test-browser 或 make test-all 运行它们）"
        )
    if skipped:
        reasons = sorted({str(r.longrepr[-1]) for r in skipped if isinstance(r.longrepr, tuple)})
        lines.append(f"浏览器测试：跳过 {len(skipped)} 个，原因：" + "；".join(reasons))
    if lines:
        terminalreporter.write_sep("-", "浏览器测试")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("CI 缺少 Debian chromium：scripts/system-deps 应已安装")
        pytest.skip(NO_CHROMIUM)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


# --- signing in, for the browser tests ---------------------------------------------------


def staff_signs_in(page, live_server, staff, path: str = "/work/") -> None:
    """A staff member of the world (password ``pw-<username>``) signs in through the login
    page and lands on ``path``."""
    from playwright.sync_api import expect

    page.set_default_timeout(15_000)
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/?next={path}")
    page.get_by_label("账号").fill(staff.user.username)
    page.get_by_label("密码").fill("pw-" + staff.user.username)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".wb-who")).to_contain_text(staff.name)
