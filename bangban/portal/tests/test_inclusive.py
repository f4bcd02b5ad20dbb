"""shared/INCLUSIVE.md, checked in Debian's Chromium on a phone-sized screen:

* axe-core on every portal page, in the standard version and in 长辈版, in their usual
  and their error states: no serious or critical violations;
* sizes read from the computed styles: text, line height, paragraph gap, the largest text,
  the size of everything meant to be tapped;
* the core journey by keyboard alone, with a focus that can be seen.
"""

import re
from dataclasses import asdict
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from bangban.cases.tests.helpers import (
    SIGNED,
    act,
    finish_items,
    open_case,
    review_all,
    to_handling,
)
from bangban.oversight.records import services as oversight
from bangban.portal.identity import SESSION_KEY, PortalIdentity
from bangban.remote import services as remote_help
from bangban.visits import services as booking

from .browser import PHONE, axe_violations, sizes, small_targets

pytestmark = pytest.mark.django_db(transaction=True)
CITIZEN = "13812345678"


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "locale": "zh-CN"}


@pytest.fixture
def scene(world):
    """One of everything the portal shows, for the citizen 张三 (13812345678)."""
    me = PortalIdentity.of_mobile(CITIZEN)
    waiting = open_case(world)
    act(waiting, world.agent_a, "start_review")
    review_all(waiting, world.agent_a, 食品安全管理制度="missing")
    act(waiting, world.agent_a, "request_supplement")
    done = open_case(world)
    to_handling(done, world.agent_a)
    finish_items(done, world.agent_a, {"SCJG": world.liaison_market, "ZJ": world.liaison_housing})
    act(done, world.agent_a, "complete", confirmation=SIGNED)
    from bangban.cases.access import Actor

    oversight.evaluation_submit(
        case=done,
        actor=Actor.of_client(world.citizen),
        level=2,
        indicators={},
        comment="太慢",
        channel="portal",
    )
    finished = open_case(world, items=[world.building])
    to_handling(finished, world.agent_a)
    finish_items(finished, world.agent_a, {"ZJ": world.liaison_housing})
    act(finished, world.agent_a, "complete", confirmation=SIGNED)
    day = timezone.localdate() + timedelta(days=1)
    slots = booking.slots_open(site=world.village_a, day=day, times=booking.OPENING_SLOTS)
    appointment = booking.appointment_book(
        slot=slots[0], identity=me, name="张三", purpose="开饭店"
    )
    visit = booking.home_visit_request(
        identity=me,
        site=world.village_a,
        name="王奶奶",
        address="东街12号",
        is_elderly=True,
        is_disabled=False,
        needs="高龄津贴",
        preferred_times="上午",
    )
    complaint = oversight.complaint_submit(
        channel="online", complainant_name="张三", contact=CITIZEN, content="太慢", case=done
    )
    call = remote_help.help_ask(me, question="怎么办", item=world.food, site=world.village_a)
    return {
        "call": call,
        "world": world,
        "me": me,
        "waiting": waiting,
        "done": done,
        "finished": finished,
        "slot": slots[1],
        "appointment": appointment,
        "visit": visit,
        "complaint": complaint,
    }


def signed_in(page: Page, base: str, data: dict) -> None:
    session = SessionStore()
    for key, value in data.items():
        session[key] = value
    session.create()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": base}]
    )


def as_staff(page: Page, base: str, user) -> None:
    client = Client()
    client.force_login(user)
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": value, "url": base}])


def portal_pages(s) -> list[tuple[str, str | None]]:
    """(address, a button to press for the error state or None)."""
    waiting, done, finished = s["waiting"], s["done"], s["finished"]
    material = waiting.materials.get(name="食品安全管理制度")
    return [
        ("/", None),
        ("/items/", None),
        ("/items/?q=kfd", None),
        ("/items/?q=不存在的说法", None),
        ("/items/SCJG-001/", None),
        ("/items/bundles/B-FOOD/", None),
        ("/disclosure/", None),
        ("/track/", "查询"),
        (f"/track/?number={waiting.number}", None),
        ("/complaints/track/", "查询"),
        ("/complaints/new/", None),
        ("/appointments/", None),
        ("/appointments/?site=V1", None),
        # signed in from here
        ("/my/", None),
        (f"/my/cases/{waiting.number}/", None),
        (f"/my/cases/{waiting.number}/materials/{material.pk}/", "上传"),
        (f"/my/cases/{waiting.number}/delivery/", "保存"),
        (f"/my/cases/{done.number}/", None),
        (f"/track/{done.number}/", None),
        (f"/track/{finished.number}/evaluate/", "提交评价"),
        (f"/complaints/{s['complaint'].number}/", None),
        ("/apply/item/SCJG-001/service/", "下一步"),
        ("/apply/item/SCJG-001/site/", None),
        (f"/appointments/slots/{s['slot'].pk}/", "确认预约"),
        (f"/appointments/{s['appointment'].number}/reschedule/", "改到这个时段"),
        ("/home-visit/", None),
        ("/remote/ask/?item=SCJG-001", None),
        (f"/remote/calls/{s['call'].pk}/", "请回电给我"),
    ]


def audit_pages(page: Page, base: str, s, elder: bool) -> dict:
    """axe and target sizes on every page, and again after pressing its button with nothing filled."""
    failures, small = {}, {}
    minimum = 60 if elder else 44
    if elder:
        page.context.add_cookies([{"name": "elder", "value": "1", "url": base}])

    def check(name: str) -> None:
        page.wait_for_load_state("load")  # a click that navigates returns before the new page
        assert page.locator("main h1").count() == 1, name
        found = axe_violations(page)
        if found:
            failures[name] = found
        tiny = small_targets(page, minimum)
        if tiny:
            small[name] = tiny

    for address, error_button in portal_pages(s):
        if address == "/my/":
            signed_in(page, base, {SESSION_KEY: asdict(s["me"])})
        page.goto(base + address)
        check(address)
        if error_button:
            page.get_by_role("button", name=error_button, exact=True).click()
            check(address + "（出错时）")
    return {"axe": failures, "small": small}


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
def test_every_portal_page_passes_axe_and_has_big_enough_targets(
    live_server, page: Page, scene, elder
):
    found = audit_pages(page, live_server.url, scene, elder)
    assert not found["axe"], found["axe"]
    assert not found["small"], found["small"]


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
def test_pages_before_and_after_a_mistake_pass_axe(live_server, page: Page, scene, elder):
    """The states the sweep above does not reach: each form sent empty or wrong."""
    base = live_server.url
    if elder:
        page.context.add_cookies([{"name": "elder", "value": "1", "url": base}])
    failures = {}
    checks = [
        ("/login/", lambda: page.get_by_role("button", name="获取短信验证码").click()),
        ("/track/", lambda: page.get_by_role("button", name="查询").click()),
        (
            "/complaints/new/",
            lambda: press_until_refused(page, re.compile("下一步|提交投诉")),
        ),
    ]
    for address, act_wrongly in checks:
        page.goto(base + address)
        act_wrongly()
        expect(page.get_by_role("alert")).to_be_visible()
        # the summary takes the focus, so a screen reader reads the mistakes first
        assert page.evaluate("document.activeElement.id") == "error-summary", address
        found = axe_violations(page)
        if found:
            failures[address] = found
    signed_in(page, base, {SESSION_KEY: asdict(scene["me"])})
    page.goto(base + "/home-visit/")
    press_until_refused(page, re.compile("下一步|提交申请"))
    expect(page.get_by_role("alert")).to_be_visible()
    if axe_violations(page):
        failures["/home-visit/"] = axe_violations(page)
    # the coordinator's 上门服务安排 is a workbench page now (issue 14), not the portal's
    assert not failures, failures


def press_until_refused(page: Page, button) -> None:
    """Send a form empty; in 长辈版 its first steps may hold only optional fields."""
    for _ in range(3):
        page.get_by_role("button", name=button).click()
        if page.get_by_role("alert").count():
            return


def test_the_audit_would_catch_a_real_problem(live_server, page: Page, world):
    """The harness itself: a field without a label and grey-on-white text are reported."""
    page.goto(live_server.url + "/track/")
    page.evaluate(
        """() => {
            document.querySelector('label[for=id_phone]').remove();
            document.querySelector('main p').style.color = '#bbbbbb';
        }"""
    )
    ids = {v["id"] for v in axe_violations(page)}
    assert {"label", "color-contrast"} <= ids


@pytest.mark.parametrize(
    "address", ["/", "/track/", "/items/?q=kfd", "/items/bundles/B-FOOD/", "/complaints/new/"]
)
def test_elder_mode_meets_the_figures(live_server, page: Page, world, address):
    base = live_server.url
    page.goto(base + address)
    standard = sizes(page)
    page.context.add_cookies([{"name": "elder", "value": "1", "url": base}])
    page.goto(base + address)
    elder = sizes(page)
    for measured, body_min, target in ((standard, 18, 44), (elder, 24, 60)):
        assert measured["body"] >= body_min  # 长辈版: 18pt = 24px
        assert measured["lineHeight"] >= 1.3 * measured["body"]
        assert measured["paragraphGap"] >= 1.3 * measured["lineHeight"] - 0.5
        assert "sans-serif" in measured["fontFamily"]
        small = [t for t in measured["targets"] if t["h"] < target - 0.5 or t["w"] < target - 0.5]
        assert not small, small
    assert elder["largest"] >= 40  # 30pt
    assert elder["body"] > standard["body"]


def test_the_switch_to_elder_mode_and_back_is_on_every_page(live_server, page: Page, world):
    base = live_server.url
    for address in ["/", "/items/", "/track/", "/appointments/", "/complaints/new/", "/login/"]:
        page.goto(base + address)
        expect(page.get_by_role("link", name="长辈版")).to_be_visible()
    page.get_by_role("link", name="长辈版").click()
    for address in ["/", "/track/", "/login/"]:
        page.goto(base + address)
        back = page.get_by_role("link", name="标准版")
        expect(back).to_be_visible()
        assert back.bounding_box()["height"] >= 60


def focused(page: Page) -> dict:
    return page.evaluate(
        """() => {
            const e = document.activeElement;
            const s = getComputedStyle(e);
            return {tag: e.tagName, text: (e.innerText || e.value || '').trim(),
                    label: e.labels && e.labels[0] ? e.labels[0].innerText.trim() : '',
                    id: e.id, outline: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth)};
        }"""
    )


def tab_to(page: Page, matches, limit: int = 60) -> dict:
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        if matches(now):
            assert now["outline"] != "none" and now["outlineWidth"] >= 2, now  # focus is seen
            return now
    raise AssertionError("按 Tab 键找不到目标元素")


def test_the_core_journey_by_keyboard_alone(live_server, page: Page, world, sms):
    base = live_server.url
    page.goto(base + "/")
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "跳到正文"
    tab_to(page, lambda f: f["id"] == "home-q")
    page.keyboard.type("kfd")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/items/\?q=kfd"))
    tab_to(page, lambda f: f["text"] == "开饭店一件事")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("开饭店一件事")
    tab_to(page, lambda f: f["text"] == "网上申请帮办代办")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="用手机号码登录")).to_be_visible()
    tab_to(page, lambda f: f["label"].startswith("手机号码"))
    page.keyboard.type("13700001234")
    page.keyboard.press("Enter")
    expect(page.get_by_label("短信验证码")).to_be_visible()
    tab_to(page, lambda f: f["label"].startswith("短信验证码"))
    page.keyboard.type(sms.last_code("13700001234"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="选择服务方式")).to_be_visible()
    tab_to(page, lambda f: f["tag"] == "INPUT" and "代办" in f["label"])
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="选择办理地点")).to_be_visible()
    tab_to(page, lambda f: f["tag"] == "SELECT")
    page.keyboard.press("ArrowDown")  # the first site
    tab_to(page, lambda f: f["text"] == "下一步")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="确认申请人")).to_be_visible()
    tab_to(page, lambda f: f["tag"] == "INPUT" and f["label"].startswith("个人"))
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="填写申请人信息")).to_be_visible()
    tab_to(page, lambda f: f["label"] == "姓名")
    page.keyboard.type("王五")
    tab_to(page, lambda f: f["label"].startswith("居民身份证号码"))
    from bangban.testing import make_resident_id

    page.keyboard.type(make_resident_id("33010219600101002"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="核对并提交")).to_be_visible()
    tab_to(page, lambda f: f["text"] == "提交申请")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("申请已提交")
