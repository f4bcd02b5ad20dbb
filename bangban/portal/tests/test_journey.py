"""The whole journey on a phone, in Debian's Chromium: find 开饭店, entrust a proxy, upload,
get the one-time notice, supplement, confirm, and later track, evaluate and complain —
in the standard version and in 长辈版, with axe-core run on every page passed."""

import re

import pytest
from playwright.sync_api import Page, expect

from bangban.cases.models import Case
from bangban.cases.tests.helpers import SIGNED, act, finish_items, review_all
from bangban.oversight.models import Complaint, Evaluation
from bangban.testing import make_resident_id

from .browser import PHONE, Audit, small_targets
from .conftest import pdf_bytes

pytestmark = pytest.mark.django_db(transaction=True)
MOBILE = "13700001234"
ID_NUMBER = make_resident_id("33010219600101002")


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "locale": "zh-CN", "has_touch": True}


@pytest.fixture
def catalogue(world):
    world.food.keywords = "开饭店 开餐馆 餐饮 小吃店"
    world.food.save()
    return world


def upload(page: Page, audit: Audit, name: str):
    page.get_by_role("link", name=re.compile(f"上传“{name}”")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    audit()
    page.get_by_label("选择文件").set_input_files(
        files=[{"name": f"{name}.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}]
    )
    page.get_by_role("button", name="上传", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("已上传")


def journey(page: Page, base: str, world, sms, elder: bool):
    audit = Audit(page)
    minimum = 60 if elder else 44
    page.goto(base + "/")
    if elder:
        page.get_by_role("link", name="长辈版").click()
        expect(page.locator("html")).to_have_class(re.compile("elder"))
    audit()

    # 1. find the restaurant from everyday words
    page.get_by_label("想办什么事？").fill("开饭店")
    page.get_by_role("button", name="搜索").click()
    expect(page.get_by_role("link", name="开饭店一件事")).to_be_visible()
    expect(page.get_by_role("link", name="食品经营许可")).to_be_visible()
    audit()
    assert not small_targets(page, minimum), small_targets(page, minimum)
    page.get_by_role("link", name="开饭店一件事").click()
    audit()

    # 2. apply for a proxy; sign in with the phone on the way
    page.get_by_role("link", name="网上申请帮办代办").click()
    expect(page.get_by_role("heading", name="用手机号码登录")).to_be_visible()
    audit()
    page.get_by_label("手机号码").fill(MOBILE)
    page.get_by_role("button", name="获取短信验证码").click()
    audit()
    page.get_by_label("短信验证码").fill(sms.last_code(MOBILE))
    page.get_by_role("button", name="登录").click()

    expect(page.get_by_role("heading", name="选择服务方式")).to_be_visible()
    audit()
    assert not small_targets(page, minimum), small_targets(page, minimum)
    page.get_by_label("代办：您委托工作人员全程替您办理").check()
    page.get_by_role("button", name="下一步").click()
    expect(page.get_by_role("heading", name="选择办理地点")).to_be_visible()
    audit()
    page.get_by_label("在哪个服务点办理").select_option(label="东街社区便民服务站")
    page.get_by_role("button", name="下一步").click()
    audit()
    page.get_by_label("个人（首次申请，填写身份信息）").check()
    page.get_by_role("button", name="下一步").click()
    audit()
    page.get_by_label("姓名").fill("王五")
    page.get_by_label("居民身份证号码").fill("330102196001010021")  # a wrong check digit
    page.get_by_role("button", name="下一步").click()
    expect(page.get_by_role("alert")).to_contain_text("居民身份证号码")
    audit()
    page.get_by_label("居民身份证号码").fill(ID_NUMBER)
    page.get_by_label("我是老年人").check()
    page.get_by_role("button", name="下一步").click()
    expect(page.get_by_role("heading", name="核对并提交")).to_be_visible()
    audit()
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_role("status").first).to_contain_text("申请已提交")
    audit()
    case = Case.objects.get(client__name="王五")
    assert case.service_type == "proxy" and case.bundle_version_id

    # 3. upload materials against the checklist
    upload(page, audit, "食品经营许可申请书")
    upload(page, audit, "营业执照")
    upload(page, audit, "施工许可申请表")
    upload(page, audit, "施工合同")

    # 4. the agent pre-reviews: one material missing; one notice says everything
    agent = world.agent_a
    act(case, agent, "start_review")
    review_all(case, agent, 食品安全管理制度="missing", 场所平面图="missing")
    act(case, agent, "request_supplement")
    page.reload()
    notice = page.get_by_role("region", name="一次性告知：请补正以下材料")
    expect(notice).to_contain_text("食品安全管理制度")
    audit()

    # 5. supplement, and confirm the entrustment with a code
    upload(page, audit, "食品安全管理制度")
    page.get_by_role("button", name="提交补正材料").click()
    expect(page.get_by_role("status").first).to_contain_text("补正材料已提交")
    audit()
    page.get_by_role("link", name="阅读并确认《代办服务委托书》").click()
    audit()
    page.get_by_role("button", name="发送验证码").click()
    page.get_by_label("短信验证码").fill(sms.last_code(MOBILE))
    page.get_by_role("button", name="确认并签署").click()
    expect(page.get_by_role("status").first).to_contain_text("已确认《代办服务委托书》")
    page.get_by_role("link", name="选择领取方式").click()
    audit()
    page.get_by_label("邮寄到家").check()
    page.get_by_label("邮寄地址（选择邮寄时填写）").fill("示范县人民路1号")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status").first).to_contain_text("已记下")

    # 6. staff finish the case
    case.refresh_from_db()
    review_all(case, agent)
    act(case, agent, "accept")
    act(case, agent, "start_handling")
    finish_items(case, agent, {"SCJG": world.liaison_market, "ZJ": world.liaison_housing})
    act(case, agent, "complete", confirmation=SIGNED)

    # 7. later, from the QR code: track with the number and the phone
    page.goto(base + "/my/")
    audit()
    page.get_by_role("button", name="退出登录").click()
    page.goto(base + f"/track/?number={case.number}")
    audit()
    page.get_by_label("申请时登记的手机号码").fill(MOBILE)
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_text("已办结").first).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("一次性告知单"))).to_be_visible()
    audit()

    # 8. evaluate, once
    page.get_by_role("link", name="评价这次服务").click()
    audit()
    page.get_by_label("满意", exact=True).check()
    page.get_by_label("想说的话（可不填）").fill("材料一次说清，很方便")
    page.get_by_role("button", name="提交评价").click()
    expect(page.get_by_role("status").first).to_contain_text("感谢您的评价")
    expect(page.get_by_role("link", name="评价这次服务")).to_have_count(0)
    assert Evaluation.objects.get(case=case).get_level_display() == "满意"

    # 9. complain about the case, get a number, follow it
    page.get_by_role("link", name="投诉").click()
    audit()
    if elder:  # one task per screen
        page.get_by_role("button", name="下一步").click()
        page.get_by_label("您的称呼").fill("王五")
        page.get_by_label("联系电话").fill(MOBILE)
        audit()
        page.get_by_role("button", name="下一步").click()
    else:
        page.get_by_label("您的称呼").fill("王五")
        page.get_by_label("联系电话").fill(MOBILE)
    page.get_by_label("投诉内容").fill("邮寄太慢")
    audit()
    page.get_by_role("button", name="提交投诉").click()
    complaint = Complaint.objects.get(case=case)
    expect(page.get_by_role("heading", level=1)).to_contain_text(complaint.number)
    expect(page.get_by_text("已受理").first).to_be_visible()
    audit()
    audit.assert_clean()
    return audit


def test_the_whole_journey_on_a_phone(live_server, page: Page, catalogue, sms):
    audit = journey(page, live_server.url, catalogue, sms, elder=False)
    assert len(audit.seen) >= 25


def test_the_whole_journey_in_elder_mode(live_server, page: Page, catalogue, sms):
    journey(page, live_server.url, catalogue, sms, elder=True)
    expect(page.locator("html")).to_have_class(re.compile("elder"))
