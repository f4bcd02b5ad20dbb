"""Emergency plans and surge mode in a browser (issue 19): a coordinator records a plan and
a drill, sees the sites with no current plan, switches a site into surge, lends a staff
member, changes the surge and ends it early; screenshots at phone and tablet sizes."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from bangban.cases import clock
from bangban.cases.surge import Surge
from bangban.preparedness.models import Drill, EmergencyPlan, SurgeChange
from bangban.testing import staff_signs_in as sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 820, "height": 1180}
SHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"


def shoot(page: Page, name: str):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("phone", PHONE), ("tablet", TABLET)):
        page.set_viewport_size(size)
        page.screenshot(path=str(SHOTS / f"preparedness-{name}-{label}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_coordinator_keeps_plans_and_runs_a_surge_from_declaring_to_ending_it(
    live_server, page: Page, world
):
    today = clock.today()
    day = today.isoformat

    sign_in(page, live_server, world.coordinator, "/work/preparedness/")
    # a plan for the village station
    page.locator("#plan-site").select_option(str(world.village_b.pk))
    page.locator("#plan-kind").select_option("peak")
    page.locator("#plan-title").fill("西湖村社保缴费高峰预案")
    page.locator("#plan-steps").fill("增开一个窗口；启用取号；请镇中心派人支援")
    page.locator("#plan-contacts").fill("老周 13800000000")
    page.locator("#plan-reviewed").fill(day())
    page.get_by_role("button", name="登记").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("西湖村社保缴费高峰预案")
    # a drill of it
    page.locator("#drill-day").fill(day())
    page.locator("#drill-people").fill("村B代办员、协调员老周")
    page.locator("#drill-findings").fill("取号机不足，需再借一台")
    page.get_by_role("button", name="记录演练").click()
    expect(page.get_by_text("取号机不足，需再借一台")).to_be_visible()
    assert Drill.objects.get().plan == EmergencyPlan.objects.get()

    # the sites with no current plan: every covered site but the village station
    page.goto(f"{live_server.url}/work/preparedness/")
    missing = page.locator("#missing")
    for site in (world.county, world.town, world.town2, world.village_a):
        expect(missing).to_contain_text(site.name)
    expect(missing).not_to_contain_text(world.village_b.name)
    shoot(page, "plans")

    # switch the station into surge from today for a week
    page.locator("#surge-site").select_option(str(world.village_b.pk))
    page.locator("#surge-start").fill(day())
    page.locator("#surge-end").fill((today + timedelta(days=7)).isoformat())
    page.locator("#surge-reason").fill("社保集中缴费")
    page.locator("#surge-extra").fill("2")
    page.locator("#surge-wait").fill("40")
    page.get_by_role("button", name="启动").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("高峰期")

    # lend the agent of the other village
    page.locator("#assign-member").select_option(str(world.agent_a.pk))
    page.get_by_role("button", name="调配", exact=True).click()
    expect(page.locator("table.rows").first).to_contain_text(world.agent_a.name)

    # a bad end is refused in the hall's words, then the surge is shortened
    page.locator("#change-end").evaluate("el => el.removeAttribute('min')")
    page.locator("#change-end").fill((today - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="保存修改").click()
    expect(page.locator("p.error")).to_contain_text("结束日期不能早于开始日期")
    page.locator("#change-end").fill((today + timedelta(days=4)).isoformat())
    page.locator("#change-wait").fill("25")
    page.get_by_role("button", name="保存修改").click()
    expect(page.locator("#history")).to_contain_text("修改高峰期")
    shoot(page, "surge")

    # and ended early: today is its last day
    page.get_by_role("button", name="结束高峰期").click()
    expect(page.locator("#history")).to_contain_text("提前结束高峰期")
    expect(page.get_by_text(f"已于 {day()} 提前结束")).to_be_visible()
    expect(page.get_by_role("button", name="结束高峰期")).to_have_count(0)
    shoot(page, "surge-ended")

    surge = Surge.objects.get()
    assert (surge.ends_on, surge.ended_early_on, surge.expected_wait_minutes) == (today, today, 25)
    assert surge.assignments.get().ends_on == today
    assert list(SurgeChange.objects.values_list("kind", flat=True)) == [
        "declared",
        "assigned",
        "changed",
        "ended",
    ]
