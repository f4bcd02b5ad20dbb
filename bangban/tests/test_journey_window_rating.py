"""Journey (issue 14): a rating from the window's 评价器, in a real browser, across areas.

A finished case handled by the village agent; the coordinator enters the client's 不满意
from the window device. The evaluation is recorded with its channel, the bad review opens
a rectification, the agent is told in the outbox and finds it on their home, the client's
progress page shows the evaluation step, and the village's satisfaction figure counts it
once the figures job has run.
"""

from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from bangban.cases.access import Actor
from bangban.cases.tests.helpers import SIGNED, act, finish_items, to_handling
from bangban.cases.tests.helpers import open_case as open_case_for
from bangban.notifications.models import Message
from bangban.oversight.figures import metrics, rollup
from bangban.oversight.figures.jobs import count_new_events
from bangban.oversight.figures.metrics import Period, Scope
from bangban.oversight.models import Evaluation, Rectification
from bangban.testing import staff_signs_in as sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def finished_case(world):
    case = open_case_for(world)
    to_handling(case, world.agent_a)
    liaison_for = {"SCJG": world.liaison_market, "ZJ": world.liaison_housing}
    finish_items(case, world.agent_a, liaison_for)
    act(case, world.agent_a, "complete", confirmation=SIGNED)
    case.refresh_from_db()
    return case


def test_journey_a_window_device_rating_reaches_every_role(live_server, page: Page, world):
    case = finished_case(world)

    # the coordinator (who did not handle it) enters what the client pressed on the device
    sign_in(page, live_server, world.coordinator)
    page.goto(f"{live_server.url}/oversight/ratings/new/")
    page.get_by_label("办件编号").fill(case.number)
    page.get_by_label("窗口评价器").check()
    page.get_by_label("不满意", exact=True).check()
    page.get_by_label("意见建议（照录，可不填）").fill("窗口等了很久")
    page.get_by_role("button", name="录入").click()
    expect(page.get_by_text(f"已录入办件 {case.number} 的评价（窗口评价器）")).to_be_visible()

    evaluation = Evaluation.objects.get(case=case)
    assert evaluation.channel == "window_device" and evaluation.level == 2
    rectification = Rectification.objects.get(case=case)
    assert rectification.owner == world.agent_a

    # the agent is told (outbox) and finds the rectification on their home
    assert Message.objects.filter(
        template_key="staff.rectification_due", staff=world.agent_a, ref=case.number
    ).exists()
    sign_in(page, live_server, world.agent_a)
    loops = page.get_by_role("region", name="差评整改、投诉和回访")
    expect(loops).to_contain_text(case.number)

    # the client's progress page shows the evaluation as a step
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/track/")
    page.get_by_label("办件编号").fill(case.number)
    page.get_by_label("申请时登记的手机号码").fill("13812345678")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("main")).to_contain_text("服务评价")

    # the village's satisfaction figure counts it once the figures job has run
    count_new_events()
    today = timezone.localdate()
    scope = Scope(
        actor=Actor.of_staff(world.supervisor),
        period=Period(date(today.year, today.month, 1), today),
        site=world.village_a,
        today=today,
    )
    with rollup.reading():
        satisfaction = metrics.rate("satisfaction", scope)
    assert (satisfaction.met, satisfaction.total) == (0, 1)
