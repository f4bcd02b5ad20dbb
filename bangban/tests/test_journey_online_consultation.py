"""Journey (issue 14): an assist case from an online consultation, in a real browser.

A citizen asks online; the question reaches the village agent's home; the agent answers,
and the answer reaches the citizen by SMS and on their page; the agent then opens an
assist case from the consultation, and nothing the citizen gave is typed again.
"""

from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from bangban.cases.access import Actor
from bangban.cases.models import Case
from bangban.clients import pii
from bangban.consultations.models import Consultation
from bangban.notifications.models import Message, MessageState
from bangban.oversight.figures import metrics, rollup
from bangban.oversight.figures.jobs import count_new_events
from bangban.oversight.figures.metrics import Period, Rate, Scope
from bangban.portal.tests.browser import citizen_signs_in
from bangban.testing import make_resident_id
from bangban.testing import staff_signs_in as sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = "13812345678"
QUESTION = "想在村里开一家小饭店，要办什么证？"


def test_journey_an_assist_case_from_an_online_consultation(
    live_server, page: Page, world, monkeypatch
):
    sent: list[tuple[str, str]] = []
    monkeypatch.setattr(
        "bangban.cases.messaging.send_sms", lambda phone, text: sent.append((phone, text)) or "t"
    )
    # what the outbox's delivery worker hands the gateway (run after each commit in tests)
    delivered: list[tuple[str, str]] = []
    monkeypatch.setattr(
        "bangban.notifications.delivery.send_sms",
        lambda phone, text, **key: delivered.append((phone, text)) or "t",
    )
    base = live_server.url
    page.set_default_timeout(15_000)

    # 1. the citizen asks online about the item they read in the guide
    citizen_signs_in(page, base, PHONE)
    page.goto(f"{base}/ask/?item={world.food.code}")
    page.get_by_label("您的称呼").fill("张三")
    page.get_by_label("向哪个服务点咨询").select_option(world.village_a.code)
    page.get_by_label("您想咨询的问题").fill(QUESTION)
    page.get_by_role("button", name="提交咨询").click()
    expect(page.locator("#reply-due")).to_contain_text("前答复您")
    question_url = page.url
    consultation = Consultation.objects.get(content=QUESTION)
    assert consultation.channel == "online" and consultation.handled_by == world.agent_a

    # 2. it waits on the village agent's home; the agent answers it
    sign_in(page, live_server, world.agent_a)
    waiting = page.get_by_role("region", name="待答复的咨询")
    expect(waiting).to_contain_text("张三")
    waiting.get_by_role("link", name="张三").click()
    page.get_by_label("答复内容").fill("需办理食品经营许可，可以委托我们代办。")
    page.get_by_role("button", name="记录答复").click()
    expect(page.get_by_text("需办理食品经营许可，可以委托我们代办。").first).to_be_visible()

    # 3. the answer reaches the citizen by SMS through the outbox, with a link to their
    #    page, and on that page
    answered = Message.objects.get(template_key="client.consultation_answered")
    assert answered.state == MessageState.SENT and answered.case is None
    assert [phone for phone, _ in delivered] == [PHONE]
    assert "/ask/" in delivered[0][1]
    citizen_signs_in(page, base, PHONE)
    page.goto(question_url)
    expect(page.locator("#answer")).to_contain_text("需办理食品经营许可")

    # 4. the agent opens an assist case from it: the phone and the question carry over
    sign_in(page, live_server, world.agent_a, f"/work/desk/consultations/{consultation.pk}/")
    page.get_by_label("身份证号码或统一社会信用代码").fill(make_resident_id("33012219800101001"))
    page.get_by_role("radio", name="帮办（服务对象自己办理").check()
    page.locator("#open-case-submit").click()
    expect(page.locator(".case-head")).to_be_visible()
    case = Case.objects.get(consultation=consultation)
    assert case.service_type == "assist"
    assert case.client.name == "张三" and pii.reveal(case.client.mobile_cipher) == PHONE
    assert case.needs == QUESTION
    assert [ci.item_version.item for ci in case.items.all()] == [world.food]

    # 5. the village's 咨询及时处理率 counts the answer, once the figures job has run
    count_new_events()
    today = timezone.localdate()
    scope = Scope(
        actor=Actor.of_staff(world.supervisor),
        period=Period(date(today.year, today.month, 1), today),
        site=world.village_a,
        today=today,
    )
    with rollup.reading():
        assert metrics.rate("timely_consultations", scope) == Rate(1, 1)
