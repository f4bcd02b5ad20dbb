"""The citizen's remote help on the portal (视频求助, issue 17): ask from an item's guide, the
call page's honest status, the call-back, access, queries; and the call page in 长辈版 in
Chromium (one big button, the status in plain words, the INCLUSIVE.md figures)."""

from dataclasses import asdict

import pytest
from django.test import Client as Browser

from bangban.portal.identity import SESSION_KEY, PortalIdentity
from bangban.remote.models import HelpRequest, RequestState

pytestmark = pytest.mark.django_db


def citizen_browser(mobile="13812345678") -> Browser:
    browser = Browser()
    session = browser.session
    session[SESSION_KEY] = asdict(PortalIdentity.of_mobile(mobile))
    session.save()
    return browser


def test_the_citizen_asks_waits_calls_back_and_sees_only_their_own_call(world):
    citizen = citizen_browser()
    page = citizen.get("/items/SCJG-001/").content.decode()
    assert "/remote/ask/?item=SCJG-001" in page
    response = citizen.post("/remote/ask/", {"item": "SCJG-001"})
    request = HelpRequest.objects.get()
    assert response.url == f"/remote/calls/{request.pk}/"
    call = citizen.get(response.url).content.decode()
    assert "正在为您接通示范县政务服务中心…" in call and "已等待" in call
    assert citizen_browser("13900001111").get(response.url).status_code == 404
    citizen.post(f"/remote/calls/{request.pk}/call-back/", {"number": "12"})
    request.refresh_from_db()
    assert request.state == RequestState.WAITING  # a wrong number changes nothing
    citizen.post(f"/remote/calls/{request.pk}/call-back/", {"number": ""})
    request.refresh_from_db()
    assert request.state == RequestState.CALL_BACK
    assert "我们会尽快回电给您" in citizen.get(f"/remote/calls/{request.pk}/").content.decode()


def test_the_citizens_call_page_is_a_bounded_number_of_queries(
    world, django_assert_max_num_queries
):
    citizen = citizen_browser()
    citizen.post("/remote/ask/", {"item": "SCJG-001"})
    request = HelpRequest.objects.get()
    with django_assert_max_num_queries(8):
        assert citizen.get(f"/remote/calls/{request.pk}/?part=status").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_call_page_in_elder_mode_has_one_big_button_and_plain_status(live_server, page, world):
    """长辈版: the button is one big target, the status in plain Chinese, axe finds nothing."""
    from pathlib import Path

    from django.conf import settings
    from playwright.sync_api import expect

    from .browser import PHONE, axe_violations, small_targets
    from .test_inclusive import signed_in

    page.set_viewport_size(PHONE)
    base = live_server.url
    page.context.add_cookies([{"name": "elder", "value": "1", "url": base}])
    signed_in(page, base, {SESSION_KEY: asdict(PortalIdentity.of_mobile("13812345678"))})
    page.goto(base + "/remote/ask/?item=SCJG-001")
    button = page.get_by_role("button", name="视频求助")
    box = button.bounding_box()
    assert box["height"] >= 60 and box["width"] >= 300
    button.click()
    expect(page.locator("#call-status")).to_contain_text("正在为您接通示范县政务服务中心…")
    expect(page.locator("#call-status")).to_contain_text("已等待")
    assert not axe_violations(page)
    assert not small_targets(page, 60)
    shots = Path(settings.BASE_DIR) / "docs" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "remote-call-elder.png"), full_page=True)
    page.get_by_role("button", name="请回电给我").click()
    expect(page.locator("#call-status")).to_contain_text("我们会尽快回电给您")
