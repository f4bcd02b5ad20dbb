"""The signature pad in a real browser (Debian's Chromium): drawn with a mouse, and with a
finger on a phone-sized touch screen; the PNG lands on the case's confirmation."""

import io
import os

import pytest
from django.test import Client
from PIL import Image
from playwright.sync_api import Page, expect

from bangban.cases.models import Confirmation
from bangban.cases.tests.helpers import open_case
from bangban.documents import signatures

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("bangban.documents.tests.urls"),
]


def signed_in(page: Page, live_server, staff) -> None:
    client = Client()
    client.force_login(staff.user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def ink_of(confirmation) -> int:
    png = signatures.signature_bytes(confirmation.signature)  # stored encrypted
    with Image.open(io.BytesIO(png)) as image:
        return image.convert("L").point(lambda v: 255 if v < 128 else 0).histogram()[255]


def test_a_signature_drawn_with_the_mouse_is_stored(live_server, page: Page, world):
    case = open_case(world)
    signed_in(page, live_server, world.agent_a)
    page.goto(f"{live_server.url}/documents/cases/{case.number}/sign/entrustment/")
    page.get_by_role("button", name="确认签名").click()
    expect(page.locator("#sign-error")).to_have_text("请先在签名框内签名")  # nothing drawn yet
    box = page.locator("#signpad").bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 150)
    page.mouse.down()
    for step in range(1, 30):
        page.mouse.move(box["x"] + 30 + step * 12, box["y"] + 150 - (step % 6) * 18)
    page.mouse.up()
    page.get_by_role("button", name="确认签名").click()
    expect(page.get_by_text("已记录服务对象对《代办服务委托书》的手写签名")).to_be_visible()
    confirmation = Confirmation.objects.get(case=case)
    assert confirmation.method == "signature" and ink_of(confirmation) > 200


def test_a_signature_drawn_with_a_finger_on_a_phone_is_stored(live_server, browser, world):
    case = open_case(world)
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    page = context.new_page()
    signed_in(page, live_server, world.agent_a)
    page.goto(f"{live_server.url}/documents/cases/{case.number}/sign/entrustment/")
    box = page.locator("#signpad").bounding_box()
    assert box["width"] <= 390  # the pad fits the phone's screen
    cdp = context.new_cdp_session(page)
    x, y = box["x"] + 20, box["y"] + 120
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for step in range(1, 25):
        point = {"x": x + step * 12, "y": y + ((step % 4) - 2) * 20}
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    if os.environ.get("BANGBAN_FORM_SAMPLES"):  # the picture in docs/forms.md
        page.screenshot(path=f"{os.environ['BANGBAN_FORM_SAMPLES']}/signpad-phone.png")
    page.get_by_role("button", name="确认签名").click()
    expect(page.get_by_text("已记录服务对象对《代办服务委托书》的手写签名")).to_be_visible()
    assert ink_of(Confirmation.objects.get(case=case)) > 200
    context.close()
