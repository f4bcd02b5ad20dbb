"""Journey (issue 14): a proxy case relayed village → town → county, in a real browser.

The village agent receives and pre-reviews it and hands it up; the town passes it on; the
county accepts it, suspends it for an unpaid fee, resumes, completes and posts the result;
the client rates it 非常不满意 through the SMS link; the bad review reaches the county agent
who must fix it. At each step the test looks at what each role sees: their home, the
outbox, the client's page, and the figures of every site on the path.
"""

from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from bangban.cases.access import Actor
from bangban.cases.evaluation_links import token_for
from bangban.cases.tests.helpers import SIGNED, act, finish_items, open_case, review_all
from bangban.notifications.models import Message
from bangban.oversight.figures.jobs import count_new_events
from bangban.oversight.figures.metrics import Period, Scope
from bangban.oversight.figures.path import path_steps
from bangban.oversight.models import Rectification
from bangban.testing import staff_signs_in as sign_in

pytestmark = pytest.mark.django_db(transaction=True)

LIAISONS = ("SCJG", "ZJ")


def outbox(template: str, case, **who) -> bool:
    return Message.objects.filter(template_key=template, case=case, **who).exists()


def test_journey_a_proxy_case_relayed_up_suspended_posted_and_badly_rated(
    live_server, page: Page, world
):
    # 1. received and pre-reviewed at the village station
    case = open_case(world)
    act(case, world.agent_a, "start_review")
    review_all(case, world.agent_a)

    # 2. the village agent hands it up to the town from the case page
    sign_in(page, live_server, world.agent_a, f"/work/cases/{case.number}/")
    page.locator(".actions").get_by_role("button", name="移交其他服务点").click()
    panel = page.locator("#action-panel")
    panel.get_by_label("接收机构").select_option(label=f"上级：{world.town.name}")
    panel.get_by_label("移交说明").fill("材料已收齐并预审，需镇级办理")
    panel.get_by_role("button", name="确认移交其他服务点").click()
    expect(page.locator("#case-flash")).to_contain_text("已完成：移交其他服务点")
    assert outbox("staff.relay_in", case, staff=world.town_agent)

    # 3. the town receives it and passes it to the county, which receives it
    sign_in(page, live_server, world.town_agent)
    expect(page.get_by_role("region", name="移交给本站、待接收")).to_contain_text(case.number)
    act(case, world.town_agent, "relay_accept", note="已接收")
    act(case, world.town_agent, "relay_out", to_site=world.county.code, note="涉及县级审批")
    act(case, world.county_agent, "relay_accept", note="已接收")

    # the village agent still follows it: where it is now
    sign_in(page, live_server, world.agent_a)
    relayed = page.get_by_role("region", name="我移交的办件")
    expect(relayed).to_contain_text(case.number)
    expect(relayed).to_contain_text(world.county.name)

    # 4. the county accepts, suspends for an unpaid fee, resumes, completes, posts
    act(case, world.county_agent, "accept", confirmation=SIGNED)
    act(case, world.county_agent, "start_handling")
    act(
        case,
        world.county_agent,
        "suspend",
        reason_code="fees_unpaid",
        fee_amount="86.50",
        fee_payee="县政务服务中心收费窗口",
        confirmation=SIGNED,
    )
    suspended = Message.objects.filter(template_key="client.suspended", case=case).first()
    assert suspended is not None and "86.50" in suspended.body
    act(case, world.county_agent, "resume", confirmation=SIGNED)
    finish_items(
        case, world.county_agent, {"SCJG": world.liaison_market, "ZJ": world.liaison_housing}
    )
    act(case, world.county_agent, "complete", confirmation=SIGNED)
    act(
        case,
        world.county_agent,
        "deliver",
        method="post",
        address="东街村12号",
        recipient="张三",
        carrier="EMS",
        tracking_no="EA123456789CN",
    )
    assert outbox("client.delivered", case, client=world.citizen)

    # 5. the client's page shows the tracking number
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/track/")
    page.get_by_label("办件编号").fill(case.number)
    page.get_by_label("申请时登记的手机号码").fill("13812345678")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("main")).to_contain_text("EA123456789CN")

    # 6. the client rates it through the SMS link, with nothing to type
    page.goto(f"{live_server.url}/e/{token_for(case)}/")
    page.get_by_label("非常不满意").check()
    page.get_by_role("button", name="提交评价").click()
    expect(page.locator("main")).to_contain_text("感谢")

    # 7. the bad review reaches the county agent who handled it: outbox and home
    rectification = Rectification.objects.get(case=case)
    assert rectification.owner == world.county_agent
    assert Message.objects.filter(
        template_key="staff.rectification_due", staff=world.county_agent, ref=case.number
    ).exists()
    sign_in(page, live_server, world.county_agent)
    expect(page.get_by_role("region", name="差评整改、投诉和回访")).to_contain_text(case.number)

    # 8. the figures credit every site on the path for the step it did
    count_new_events()
    today = timezone.localdate()
    scope = Scope(
        actor=Actor.of_staff(world.supervisor),
        period=Period(date(today.year, today.month, 1), today),
        site=world.county,
        today=today,
    )
    totals, rows = path_steps(scope)
    by_site = {row.site: row.counts for row in rows}
    assert by_site[world.village_a]["received"] == 1
    assert by_site[world.village_a]["pre_reviewed"] == 1
    assert by_site[world.village_a]["relayed"] == 1
    assert by_site[world.town]["relayed"] == 1
    assert by_site[world.county]["accepted"] == 1
    assert by_site[world.county]["completed"] == 1
    assert totals["received"] == 1 and totals["relayed"] == 1  # the region counts the case once
