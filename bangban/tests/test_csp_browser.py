"""The Content-Security-Policy in a real browser (Debian's Chromium): every main page, with
its htmx actions, charts and signature pad working, and not one violation reported.

Violations are caught twice: the page's ``securitypolicyviolation`` events (reported to
the test through an exposed function, so none is lost on navigation) and Chromium's
console messages about the policy.
"""

from __future__ import annotations

import re
from dataclasses import asdict

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import Page, expect

from bangban.cases.tests.helpers import open_case
from bangban.oversight.tests.helpers import completed_case
from bangban.portal.identity import SESSION_KEY, PortalIdentity

pytestmark = pytest.mark.django_db(transaction=True)

WATCH = """
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolation([e.violatedDirective, e.blockedURI, e.sourceFile + ':' + e.lineNumber,
                         e.sample, location.pathname].join(' | '));
});
"""


class Policy:
    """What the browser refused on the pages visited so far."""

    def __init__(self, page: Page):
        self.page = page
        self.violations: list[str] = []
        self.headers: dict[str, str] = {}
        page.expose_function("__cspViolation", self._report)
        page.add_init_script(WATCH)
        page.on("console", self._console)
        page.on("response", self._response)

    def _report(self, text: str) -> None:
        self.violations.append(text)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.violations.append(f"console: {message.text}")

    def _response(self, response) -> None:
        if response.request.resource_type == "document":
            self.headers[response.url] = response.headers.get("content-security-policy", "")

    def settle(self) -> None:
        """Let events of the page as it is now reach the test."""
        self.page.wait_for_timeout(50)

    def assert_clean(self) -> None:
        self.settle()
        assert not self.violations, "\n".join(self.violations)
        assert self.headers and all("script-src 'self'" in h for h in self.headers.values()), (
            self.headers
        )


def sign_in(page: Page, base: str, username: str, password: str, path: str = "/work/") -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/?next={path}")
    page.get_by_label("账号").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page).not_to_have_url(re.compile("/accounts/login/"))


def test_the_portal_pages_run_under_the_policy(live_server, page: Page, world):
    page.set_default_timeout(15_000)
    case = open_case(world)
    policy = Policy(page)
    base = live_server.url
    page.goto(base + "/")
    expect(page.get_by_role("heading", name="帮办代办服务平台")).to_be_visible()
    page.goto(base + "/items/?q=食品")
    expect(page.locator("main")).to_contain_text("食品经营许可")
    page.goto(f"{base}/items/{world.food.code}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("食品经营许可")
    page.goto(f"{base}/items/bundles/B-FOOD/")
    page.goto(base + "/login/")
    page.get_by_role("button", name="获取短信验证码").click()  # empty: the error summary
    expect(page.locator("#error-summary")).to_be_visible()
    page.goto(base + "/track/")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#error-summary")).to_be_visible()
    page.goto(f"{base}/track/?number={case.number}")
    # a citizen signed in (as the portal's one-time code would): the apply form
    client = Client()
    session = client.session
    session[SESSION_KEY] = asdict(PortalIdentity.of_mobile("13812345678"))
    session.save()
    page.context.add_cookies([{"name": "sessionid", "value": session.session_key, "url": base}])
    page.goto(f"{base}/apply/item/{world.food.code}/")
    expect(page.get_by_role("heading", name="选择服务方式")).to_be_visible()
    page.goto(base + "/my/")
    page.goto(f"{base}/my/cases/{case.number}/")
    expect(page.locator("main")).to_contain_text(case.number)
    page.goto(base + "/disclosure/")
    page.goto(base + "/complaints/new/")
    page.get_by_role("link", name="长辈版").click()
    expect(page.locator("html")).to_have_class(re.compile("elder"))
    policy.assert_clean()


def test_the_workbench_with_its_htmx_actions_runs_under_the_policy(live_server, page: Page, world):
    page.set_default_timeout(15_000)
    case = open_case(world)
    policy = Policy(page)
    base = live_server.url
    sign_in(page, base, "agent_a", "pw-agent_a")
    expect(page.locator(".wb-who")).to_contain_text(world.agent_a.name)

    # the desk: the item search fills its list through htmx; Enter there submits nothing
    page.goto(base + "/work/desk/")
    search = page.get_by_label("咨询事项（可不选）")
    search.fill("食品")
    expect(page.get_by_label(re.compile("食品经营许可"))).to_be_visible()
    search.press("Enter")
    expect(page).to_have_url(re.compile("/work/desk/$"))

    # the case page: open an action form, cancel it, open it again and carry it out
    page.goto(f"{base}/work/cases/{case.number}/")
    bar = page.locator(".actions")
    panel = page.locator("#action-panel")
    bar.get_by_role("button", name="开始预审").click()
    expect(panel.get_by_role("heading", name="开始预审")).to_be_visible()
    panel.get_by_role("button", name="取消（Esc）").click()
    expect(panel).to_be_empty()
    bar.get_by_role("button", name="开始预审").click()
    panel.get_by_role("button", name="确认开始预审").click()
    expect(page.locator("#case-flash")).to_contain_text("已完成：开始预审")
    # pre-review one material through htmx
    licence = page.get_by_role("form", name="预审：营业执照")
    licence.get_by_role("button", name="缺少").click()
    expect(page.locator("#case-flash")).to_contain_text("预审：营业执照，缺少")
    # the keyboard help dialog
    page.locator("body").press("?")
    expect(page.locator("#wb-keys-dialog")).to_be_visible()
    page.keyboard.press("Escape")

    page.goto(base + "/work/ledger/")
    page.goto(base + "/work/log/")
    expect(page.get_by_role("button", name="打印")).to_be_visible()
    page.goto(base + "/work/")

    # the signature pad: drawn, kept through a resize (a data: image), stored
    page.goto(f"{base}/documents/cases/{case.number}/sign/entrustment/")
    box = page.locator("#signpad").bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 100)
    page.mouse.down()
    for step in range(1, 20):
        page.mouse.move(box["x"] + 30 + step * 12, box["y"] + 100 - (step % 5) * 15)
    page.mouse.up()
    page.set_viewport_size({"width": 1000, "height": 800})
    page.wait_for_timeout(400)  # the pad redraws 150 ms after a resize
    page.get_by_role("button", name="确认签名").click()
    expect(page.get_by_text("已记录服务对象对《代办服务委托书》的手写签名")).to_be_visible()
    page.goto(f"{base}/documents/cases/{case.number}/")
    policy.assert_clean()


def test_the_oversight_dashboard_draws_its_charts_under_the_policy(live_server, page: Page, world):
    page.set_default_timeout(15_000)
    completed_case(world)
    policy = Policy(page)
    base = live_server.url
    sign_in(page, base, "supervisor", "pw-supervisor", "/oversight/")
    page.goto(base + "/oversight/?preset=12m")
    page.wait_for_selector("#trend-chart svg path", state="attached")
    page.wait_for_selector("#rank-chart svg path", state="attached")
    assert "目标" in page.locator("#trend-chart").inner_text()
    # a tooltip on each chart (drawn in the chart: ECharts' HTML ones carry style="")
    for chart in ("#trend-chart", "#rank-chart"):
        page.locator(chart).scroll_into_view_if_needed()
        before = page.locator(chart).inner_text().count("按时办结率")
        box = page.locator(chart).bounding_box()
        page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.5)
        page.mouse.move(box["x"] + box["width"] * 0.62, box["y"] + box["height"] * 0.52)
        page.wait_for_function(
            "([sel, n]) => document.querySelector(sel).innerText.split('按时办结率').length - 1 > n",
            arg=[chart, before],
        )
    # choosing another ranking submits the filter form (no inline onchange)
    select = page.locator("select[name=rank]")
    other = select.locator("option").nth(1).get_attribute("value")
    select.select_option(other)
    expect(page).to_have_url(re.compile(f"rank={other}"))
    page.wait_for_selector("#rank-chart svg path", state="attached")
    page.goto(base + "/oversight/disclosure/")
    policy.assert_clean()


def test_the_admin_and_the_api_docs_run_under_the_policy(live_server, page: Page, world):
    page.set_default_timeout(15_000)
    get_user_model().objects.create_superuser("root", "root@example.cn", "pw-root-2026")
    policy = Policy(page)
    base = live_server.url
    page.goto(base + "/admin/login/")
    page.get_by_label("用户名").fill("root")
    page.get_by_label("密码").fill("pw-root-2026")
    page.get_by_role("button", name="登录").click()
    expect(page.locator("#site-name")).to_contain_text("帮办代办服务平台")
    page.goto(base + "/admin/axes/accessattempt/")
    page.goto(base + "/admin/staff/staffmember/")
    page.goto(f"{base}/admin/staff/staffmember/{world.agent_a.pk}/change/")
    page.goto(base + "/api/docs")
    page.wait_for_selector(".swagger-ui .info")
    policy.assert_clean()


def test_the_locked_out_page_is_chinese_in_the_site_layout(live_server, page: Page, world):
    page.set_default_timeout(15_000)
    policy = Policy(page)
    base = live_server.url
    for _ in range(5):
        page.goto(base + "/accounts/login/")
        page.get_by_label("账号").fill("agent_b")
        page.get_by_label("密码").fill("not-the-password")
        page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="账号已暂时锁定")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("请 15 分钟后再试")
    expect(page.locator("header.top")).to_be_visible()  # the site's own layout
    # the right password changes nothing while the lock lasts
    page.goto(base + "/accounts/login/")
    page.get_by_label("账号").fill("agent_b")
    page.get_by_label("密码").fill("pw-agent_b")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="账号已暂时锁定")).to_be_visible()
    policy.assert_clean()


def test_the_harness_would_catch_a_real_violation(live_server, page: Page, world):
    policy = Policy(page)
    page.goto(live_server.url + "/track/")
    page.evaluate(
        """() => document.querySelector('main').insertAdjacentHTML(
               'beforeend', '<p style="color:red">x</p><img src="https://example.invalid/x.png">')"""
    )
    policy.settle()
    page.wait_for_timeout(300)
    assert any("style-src" in v for v in policy.violations), policy.violations
    assert any("img-src" in v for v in policy.violations), policy.violations
