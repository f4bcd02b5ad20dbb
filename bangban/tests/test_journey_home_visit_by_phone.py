"""Journey (issue 14): a home visit booked by phone, in a real browser, across areas.

An elderly villager phones the village station. The agent enters the request on the
workbench; the coordinator sees it waiting on their home and schedules it; the booking
is confirmed by SMS; the agent finds the visit on their home, goes, and records it.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from bangban.portal.tests.browser import citizen_signs_in
from bangban.testing import staff_signs_in as sign_in
from bangban.testing import travel_to
from bangban.visits.models import HomeVisitRequest, HomeVisitStatus

pytestmark = pytest.mark.django_db(transaction=True)


def test_journey_a_home_visit_booked_by_phone(live_server, page: Page, world):
    # 1. the village agent takes the call and enters the request
    sign_in(page, live_server, world.agent_a, "/work/visits/")
    form = page.locator("form", has=page.locator("#save-phone-visit"))
    form.get_by_label("由哪个服务机构上门").select_option(label=world.village_a.name)
    form.get_by_label("称呼（填办件编号可不填）").fill("李奶奶")
    form.get_by_label("手机号码（填办件编号可不填）").fill("13700002222")
    form.get_by_label("上门地址").fill("东街村12号")
    form.get_by_label("老年人").check()
    form.get_by_label("需要办理的事情（填办件编号可不填）").fill("办理高龄津贴")
    form.get_by_label("方便的时间").fill("工作日上午")
    page.locator("#save-phone-visit").click()
    expect(page.get_by_text("已登记上门服务申请")).to_be_visible()
    visit = HomeVisitRequest.objects.get(name="李奶奶")
    assert visit.channel == "phone" and visit.recorded_by == world.agent_a
    assert visit.status == HomeVisitStatus.REQUESTED and visit.is_elderly

    # 2. the coordinator sees it waiting on their home and schedules it
    sign_in(page, live_server, world.coordinator)
    waiting = page.get_by_role("region", name="待安排的上门服务申请")
    expect(waiting).to_contain_text("李奶奶")
    waiting.get_by_role("link", name="安排上门服务").click()
    page.get_by_role("link", name=visit.number).click()
    page.get_by_label("上门帮办代办员").select_option(
        label=f"{world.agent_a.name}（{world.agent_a.site.name}）"
    )
    when = (timezone.localtime() + timedelta(days=1)).replace(hour=10, minute=0)
    page.get_by_label("上门时间").fill(when.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="安排并短信告知").click()
    expect(page.get_by_text(f"已安排上门服务 {visit.number}")).to_be_visible()
    visit.refresh_from_db()
    assert visit.status == HomeVisitStatus.SCHEDULED and visit.agent == world.agent_a
    # the confirmation SMS went out after the save (the console gateway in tests)
    assert visit.confirmation_sent_at is not None

    # the villager's own page (signed in with the phone they called from) shows the booking
    citizen_signs_in(page, live_server.url, "13700002222")
    page.goto(f"{live_server.url}/my/")
    booked = page.get_by_role("region", name="上门服务申请")
    expect(booked).to_contain_text(world.agent_a.name)
    expect(booked).to_contain_text("上门时间")

    # 3. on the day, the agent finds it on their home, goes, and records the visit
    with travel_to(when.date(), 11):
        sign_in(page, live_server, world.agent_a)
        today = page.get_by_role("region", name="今日预约和上门服务")
        expect(today).to_contain_text("李奶奶")
        expect(today).to_contain_text("安排我上门服务 1 次")
        page.goto(f"{live_server.url}/work/visits/")
        page.get_by_label("上门情况（可不填）").fill("已代为提交高龄津贴申请")
        page.locator(f"#done-{visit.number}").click()
        expect(page.get_by_text(f"上门服务 {visit.number} 已登记为已上门")).to_be_visible()
        visit.refresh_from_db()
        assert visit.status == HomeVisitStatus.DONE and visit.visited_at is not None
        assert visit.visit_note == "已代为提交高龄津贴申请"
