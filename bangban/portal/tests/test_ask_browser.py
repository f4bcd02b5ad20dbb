"""在线咨询 in Chromium on a phone, in both versions (shared/INCLUSIVE.md): axe-core finds
nothing serious, every target is big enough, nothing scrolls sideways, and a citizen asks
and reads the answer with the keyboard alone."""

import pytest
from playwright.sync_api import Page, expect

from bangban.consultations.models import Consultation
from bangban.consultations.services import consultation_reply

from .browser import PHONE, axe_violations, citizen_signs_in, small_targets

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "locale": "zh-CN"}


def _check(page: Page, minimum: int, name: str, failures: dict) -> None:
    found = axe_violations(page)
    if found:
        failures[name] = found
    tiny = small_targets(page, minimum)
    if tiny:
        failures[name + " targets"] = tiny
    wide = page.evaluate("document.documentElement.scrollWidth")
    if wide > PHONE["width"]:
        failures[name + " width"] = wide


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
def test_asking_online_is_accessible_by_keyboard_in_both_versions(
    live_server, page: Page, world, monkeypatch, elder
):
    monkeypatch.setattr("bangban.cases.messaging.send_sms", lambda phone, text: "test")
    base = live_server.url
    if elder:
        page.context.add_cookies([{"name": "elder", "value": "1", "url": base}])
    citizen_signs_in(page, base, "13812345678")
    failures: dict = {}
    minimum = 60 if elder else 44
    page.goto(base + "/ask/")
    _check(page, minimum, "/ask/", failures)

    button = "下一步" if elder else "提交咨询"
    page.get_by_role("button", name=button).click()
    expect(page.get_by_role("alert")).to_be_visible()
    _check(page, minimum, "/ask/（出错时）", failures)

    page.get_by_label("您的称呼").fill("张阿姨")
    page.get_by_label("向哪个服务点咨询").select_option(world.village_a.code)
    if elder:
        page.get_by_role("button", name="下一步").press("Enter")
    page.get_by_label("您想咨询的问题").fill("给孙子办出生医学证明要带什么？")
    page.get_by_role("button", name="提交咨询").press("Enter")
    expect(page.locator("#reply-due")).to_contain_text("前答复您")
    _check(page, minimum, "question", failures)

    consultation = Consultation.objects.get()
    consultation_reply(
        consultation=consultation, staff=consultation.handled_by, answer="带户口本和身份证。"
    )
    page.reload()
    expect(page.locator("#answer")).to_contain_text("带户口本和身份证。")
    _check(page, minimum, "answer", failures)
    assert not failures, failures
