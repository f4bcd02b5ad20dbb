"""A day at the desk in a real browser (Debian's Chromium): consultation to delivery, and a
coordinator reassigning a case. Waits are on what htmx swaps in, never on the clock."""

import re

import pytest
from playwright.sync_api import Page, expect

from bangban.cases.models import Case
from bangban.cases.workflow import State
from bangban.testing import make_resident_id
from bangban.testing import staff_signs_in as sign_in

from .conftest import open_case

pytestmark = pytest.mark.django_db(transaction=True)


def do(page: Page, action: str, fill=None, confirm: str | None = None):
    """Open an action's form from the action bar, fill it, confirm, and wait for the result."""
    page.locator(".actions").get_by_role("button", name=action, exact=False).click()
    panel = page.locator("#action-panel")
    expect(panel.get_by_role("heading", name=action)).to_be_visible()
    if fill:
        fill(panel)
    panel.get_by_role("button", name=confirm or f"确认{action}").click()
    expect(page.locator("#case-flash")).to_contain_text(f"已完成：{action}")


def state(page: Page):
    return page.locator(".case-head .state")


def test_a_full_day_from_walk_in_consultation_to_delivery(live_server, page: Page, world):
    # 1. a walk-in consultation at the village station, recorded in under a minute
    sign_in(page, live_server, world.agent_a, "/work/desk/")
    page.get_by_label("服务对象姓名或名称").fill("王大爷")
    page.get_by_label("联系方式（手机或固定电话）").fill("13700001111")
    page.get_by_label("咨询事项（可不选）").fill("食品")
    page.get_by_label(re.compile("食品经营许可")).check()
    page.get_by_label("咨询内容").fill("想开一家小饭店，行动不便，希望代办")
    page.get_by_role("button", name="登记并转为办件申请").click()

    # 2. the client's ID is checked as it is typed; the consultation becomes a proxy case
    expect(page.get_by_role("heading", name="转为办件申请")).to_be_visible()
    page.get_by_label("身份证号码或统一社会信用代码").fill("330122195001010010")
    expect(page.locator("#id-check")).to_contain_text("校验位错误")
    page.get_by_label("身份证号码或统一社会信用代码").fill(make_resident_id("33012219500101001"))
    expect(page.locator("#id-check")).to_contain_text("身份证号码有效")
    page.get_by_label("手机号码").fill("13700001111")
    page.get_by_label("老年人").check()
    page.get_by_role("radio", name=re.compile("代办（服务对象委托")).check()
    page.get_by_role("button", name="登记办件").click()
    expect(state(page)).to_have_text("已申请（待处理）")
    number = page.locator("#case-facts dd").first.inner_text()

    # 3. pre-review: one click per material (the keyboard too), the rest at once
    do(page, "开始预审")
    expect(state(page)).to_have_text("预审中")
    licence = page.get_by_role("form", name="预审：营业执照")
    licence.get_by_label("营业执照 说明").fill("未带原件")
    licence.get_by_role("button", name="缺少").click()
    expect(page.locator("#case-flash")).to_contain_text("预审：营业执照，缺少")
    page.locator("body").press("m")  # the first material still to check
    page.keyboard.press("Enter")  # … marked received
    expect(page.locator("#case-flash")).to_contain_text("已收取")
    page.get_by_role("button", name="其余未预审材料全部标为“已收取”").click()
    expect(page.locator("#case-flash")).to_contain_text("份材料标为已收取")

    # 4. the one-time notice lists everything missing, said once
    do(page, "出具一次性告知单（待补正）")
    expect(state(page)).to_have_text("待补正")
    expect(page.get_by_role("region", name="一次性告知单")).to_contain_text("营业执照（未带原件）")

    # 5. the supplement, checked against the notice; then acceptance with the signed entrustment
    do(page, "补正材料", fill=lambda panel: panel.get_by_label(re.compile("营业执照")).check())
    expect(state(page)).to_have_text("预审中")
    page.locator(".actions").get_by_role("button", name="受理", exact=True).click()
    page.locator("#action-panel").get_by_role("button", name="确认受理").click()
    expect(page.locator("#action-panel")).to_contain_text("须由服务对象签字确认《代办服务委托书》")
    page.get_by_label("服务对象已签字确认《代办服务委托书》").check()
    page.locator("#action-panel").get_by_role("button", name="确认受理").click()
    expect(page.locator("#case-flash")).to_contain_text("已完成：受理")
    expect(state(page)).to_have_text("已受理")
    expect(page.locator(".case-head")).to_contain_text("剩 10 个工作日")

    # 6. the village hands the case to the county centre, which accepts it
    do(
        page,
        "移交其他服务点",
        fill=lambda panel: (
            panel.get_by_label("接收机构").select_option(label="示范县政务服务中心"),
            panel.get_by_label(re.compile("移交说明")).fill("材料已收齐，需县级窗口办理"),
        ),
    )
    expect(page.locator("#case-facts")).to_contain_text("正移交至示范县政务服务中心")
    sign_in(page, live_server, world.county_agent)
    waiting = page.get_by_role("region", name=re.compile("移交给本站"))
    waiting.get_by_role("link", name=number).click()
    do(page, "接收移交")
    expect(page.locator("#case-facts")).to_contain_text("县代办员")

    # 7. handling: filed with the department, then chased
    do(page, "开始承办")
    do(page, "向审批部门报件")
    do(
        page,
        "促办",
        fill=lambda panel: panel.get_by_label("促办内容").fill("已报件三天，请尽快审查"),
    )

    # 8. the department's liaison answers the expedite request and records the result
    sign_in(page, live_server, world.liaison_market)
    chased = page.get_by_role("region", name=re.compile("待本部门答复"))
    expect(chased).to_contain_text("已报件三天")
    chased.get_by_role("link", name=number).click()
    panel = page.locator("#action-panel")
    expect(panel.get_by_role("heading", name="答复促办")).to_be_visible()  # opened by the link
    panel.get_by_label("答复内容").fill("已审查完毕，明日出证")
    panel.get_by_role("button", name="确认答复促办").click()
    expect(page.locator("#case-flash")).to_contain_text("已完成：答复促办")
    do(
        page,
        "记录部门办理进度",
        fill=lambda panel: (
            panel.get_by_label("部门办理进度", exact=True).select_option(label="已出结果"),
            panel.get_by_label(re.compile("办理结果")).fill("食品经营许可证 JY1330122000001"),
        ),
    )

    # 9. back at the county: completion and delivery in person, each signed for
    sign_in(page, live_server, world.county_agent, f"/work/cases/{number}/")
    do(page, "办结", fill=lambda panel: panel.get_by_label(re.compile("已签字确认")).check())
    expect(state(page)).to_have_text("已办结")
    do(page, "结果交付", fill=lambda panel: panel.get_by_label(re.compile("已签收")).check())
    expect(state(page)).to_have_text("已交付")
    expect(page.locator(".timeline")).to_contain_text("答复：已审查完毕，明日出证")

    case = Case.objects.get(number=number)
    assert case.state == State.DELIVERED and case.site == world.county
    assert list(case.events.order_by("seq").values_list("event", flat=True)) == [
        "submit", "start_review", "pre_review", "pre_review", "pre_review",
        "request_supplement", "supplement", "accept", "relay_out", "relay_accept",
        "start_handling", "file_with_department", "expedite", "expedite_reply",
        "department_step", "complete", "deliver",
    ]  # fmt: skip


def test_a_coordinator_assigns_and_reassigns_seeing_each_agent_load(live_server, page: Page, world):
    from bangban.cases.access import Actor
    from bangban.cases.services import case_submit

    online = case_submit(
        actor=Actor.of_client(world.citizen),
        client=world.citizen,
        service_type="assist",
        channel="online",
        site=world.village_a,
        item_versions=[world.food.current_version],
    )
    held = open_case(world, agent=world.agent_a)
    sign_in(page, live_server, world.coordinator)
    unassigned = page.get_by_role("region", name=re.compile("未分派办件"))
    unassigned.get_by_role("row", name=re.compile(online.number)).get_by_role(
        "link", name="分派"
    ).click()
    panel = page.locator("#action-panel")
    expect(panel).to_contain_text("村A代办员（在办 1 件）")
    panel.get_by_label(re.compile("村A代办员二")).check()
    panel.get_by_role("button", name="确认分派帮办代办员").click()
    expect(page.locator("#case-flash")).to_contain_text("已完成：分派帮办代办员")
    expect(page.locator("#case-facts")).to_contain_text("村A代办员二")

    # "?" lists the page's shortcuts; reassign a held case reached by keyboard: "/" to the
    # number box, then the action's number key
    page.locator("body").press("?")
    dialog = page.get_by_role("dialog", name="本页键盘快捷键")
    expect(dialog).to_contain_text("分派帮办代办员")
    dialog.get_by_role("button", name="关闭").click()
    expect(dialog).to_be_hidden()
    page.locator("body").press("/")
    page.keyboard.type(held.number)
    page.keyboard.press("Enter")
    expect(page.locator("#case-facts")).to_contain_text("村A代办员")
    buttons = page.locator(".actions button")
    index = [b.get_attribute("id") for b in buttons.all()].index("act-assign") + 1
    page.locator("body").press(str(index))
    expect(panel).to_contain_text("村A代办员二（在办 1 件）")
    expect(
        panel.get_by_role("radio", name=re.compile("^村A代办员（"))
    ).to_be_disabled()  # the current one
    panel.get_by_label(re.compile("村A代办员二")).check()
    panel.get_by_role("button", name="确认分派帮办代办员").click()
    expect(page.locator("#case-flash")).to_contain_text("已完成：分派帮办代办员")
    held.refresh_from_db()
    assert held.agent == world.agent_a2
