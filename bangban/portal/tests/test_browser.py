"""The public pages in a real browser (Debian's Chromium): Chinese text, 长辈版 that persists."""

import re

import pytest
from playwright.sync_api import Page, expect

from bangban.network.models import Site, SiteLevel

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def county(db):
    return Site.objects.create(
        name="示范县政务服务中心", code="C01", level=SiteLevel.COUNTY, phone="0571-88000001"
    )


def test_home_page_shows_the_service_in_chinese(live_server, page: Page, county):
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="帮办代办服务平台")).to_be_visible()
    expect(page.get_by_role("region", name="服务网点")).to_contain_text("示范县政务服务中心")


def test_elder_mode_enlarges_text_and_is_remembered(live_server, page: Page, county):
    page.goto(live_server.url + "/")
    normal = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('main p')).fontSize)"
    )
    page.get_by_role("link", name="长辈版").click()
    expect(page.locator("html")).to_have_class(re.compile("elder"))
    page.goto(live_server.url + "/")  # a later visit keeps the choice
    body_px = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('main p')).fontSize)"
    )
    assert body_px >= 24 > normal  # INCLUSIVE.md: main text at least 18 pt (24 px) in 长辈版
    toggle = page.get_by_role("link", name="标准版")
    box = toggle.bounding_box()
    assert box["height"] >= 60  # 长辈版 targets at least 60 px
    toggle.click()
    expect(page.locator("html")).not_to_have_class(re.compile("elder"))
