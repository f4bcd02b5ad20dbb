"""Issue 17's browser test: two Chromium instances with fake camera, microphone and screen.

A village agent asks; nobody at the town answers within the target, so the request rings
the county, whose agent answers from the live queue. Then, through the real ASGI server
(daphne, as ``make run`` serves it: HTTP and WebSockets on one port):

- both sides' RTCPeerConnection reach ``connected``;
- a chat message and a photo cross;
- the village agent shares a screen, the county agent sees it and points on it, and the
  pointer shows on the village agent's page;
- the county agent ends it; the record has the waiting time and the duration.

The server is daphne in a thread of the test process, on the test database (SQLite in
memory, shared between threads), started once per run (Twisted's reactor starts once).
"""

from __future__ import annotations

import os
import threading
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from bangban.browser import CHROMIUM, CHROMIUM_ARGS
from bangban.remote import services
from bangban.remote.models import HelpRequest, HelpSession, SessionPhoto
from bangban.testing import staff_signs_in

from .conftest import staff

FAKE_MEDIA = [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--auto-select-desktop-capture-source=Entire screen",
    "--autoplay-policy=no-user-gesture-required",
]
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(scope="session")
def asgi_server():
    """daphne serving bangban.asgi (with the static files, as runserver does) in a thread."""
    from daphne.endpoints import build_endpoint_description_strings
    from daphne.server import Server
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    from bangban.asgi import application

    server = Server(
        ASGIStaticFilesHandler(application),
        endpoints=build_endpoint_description_strings(host="127.0.0.1", port=0),
        signal_handlers=False,
        verbosity=0,
    )
    threading.Thread(target=server.run, daemon=True, name="daphne").start()
    deadline = time.monotonic() + 30
    while not server.listening_addresses:
        assert time.monotonic() < deadline, "daphne did not start"
        time.sleep(0.05)
    host, port = server.listening_addresses[0]
    return SimpleNamespace(url=f"http://{host}:{port}")


@pytest.fixture
def chromium_pair(browser_type, browser_type_launch_args):
    """Two separate Chromium instances, each with fake media devices and screen."""
    args = [*CHROMIUM_ARGS, *FAKE_MEDIA]
    browsers = [
        browser_type.launch(executable_path=CHROMIUM, args=args, headless=True) for _ in range(2)
    ]
    pages = []
    for browser in browsers:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page = context.new_page()
        name = "village" if not pages else "county"
        page.on("console", lambda m, name=name: print(f"[{name}] {m.type}: {m.text}"))
        pages.append(page)
    yield pages
    for browser in browsers:
        browser.close()


def wait_until(page, expression: str, timeout: float = 30) -> None:
    """Poll ``expression`` in the page (Playwright's wait_for_function evaluates strings
    with eval, which the site's Content-Security-Policy refuses)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"not true within {timeout}s: {expression}"
        page.wait_for_timeout(100)


@pytest.mark.browser
def test_two_chromiums_talk_share_a_screen_chat_send_a_photo_and_end(
    asgi_server, chromium_pair, transactional_db, rota, tmp_path
):
    world = rota
    village, county = chromium_pair
    asked = services.help_ask(staff(world.agent_a), question="食品经营许可的平面图怎么画？")
    # nobody at the town answered within the target: it rings the county centre now
    services.help_escalate_due(asked.asked_at + timedelta(seconds=asked.target_seconds + 1))
    asked.refresh_from_db()
    assert asked.ring_site == world.county

    staff_signs_in(village, asgi_server, world.agent_a, f"/work/remote/asked/{asked.pk}/")
    staff_signs_in(county, asgi_server, world.county_agent, "/work/remote/queue/")
    county.get_by_role("button", name="接听").click()
    expect(county.locator("[data-remote-session]")).to_be_visible()
    village.goto(f"{asgi_server.url}/work/remote/sessions/{asked.session.pk}/live/")

    # both peer connections connect (fake camera and microphone on both sides)
    for page in (village, county):
        expect(page.locator("[data-remote-session]")).to_have_attribute(
            "data-rtc", "connected", timeout=30_000
        )
    expect(county.locator("#rs-status")).to_contain_text("已接通")

    # chat crosses, both ways shown, stored once
    village.get_by_label("输入文字").fill("平面图要标出操作间吗？")
    village.get_by_role("button", name="发送", exact=True).click()
    expect(county.locator("#rs-chat")).to_contain_text("平面图要标出操作间吗？")
    expect(village.locator("#rs-chat")).to_contain_text("平面图要标出操作间吗？")

    # a photo crosses (from a file; the camera snapshot posts the same way)
    photo = tmp_path / "平面图.png"
    photo.write_bytes(PNG)
    village.get_by_label("拍照或选择照片（材料、证件）").set_input_files(str(photo))
    village.get_by_role("button", name="发送照片").click()
    expect(county.locator("#rs-photo-list img")).to_have_count(1)
    expect(county.locator("#rs-photo-list img")).to_have_attribute("alt", "照片：平面图.png")
    # the county agent may fetch it
    wait_until(county, "document.querySelector('#rs-photo-list img').naturalWidth === 1")

    # the village agent shares a screen; the county agent sees it and points on it
    village.get_by_role("button", name="共享我的屏幕").click()
    expect(village.locator("[data-remote-session]")).to_have_attribute("data-screen", "local")
    expect(county.locator("[data-remote-session]")).to_have_attribute("data-screen", "remote")
    wait_until(county, "document.getElementById('rs-screen-video').videoWidth > 0")
    county.locator("#rs-screen-wrap").click()  # scrolled into view, pressed in the middle
    expect(village.locator("#rs-pointer")).to_be_visible()

    shots = os.environ.get("BANGBAN_REMOTE_SCREENSHOT")
    if shots:
        county.screenshot(path=shots, full_page=True)

    # the county agent ends it: both pages say so
    county.once("dialog", lambda dialog: dialog.accept())
    county.get_by_label("结果").select_option("answered")
    county.get_by_role("button", name="结束远程帮办").click()
    expect(village.locator("#rs-status")).to_contain_text("已结束本次远程帮办")
    expect(county.locator("#rs-status")).to_contain_text("已结束本次远程帮办")

    record = HelpSession.objects.select_related("request").get(pk=asked.session.pk)
    assert record.request.wait_seconds is not None and record.request.wait_seconds >= 0
    assert record.duration_seconds is not None and record.ended_at is not None
    assert record.outcome == "answered"
    assert record.used_video and record.used_audio and record.used_screen
    assert record.messages.get().text == "平面图要标出操作间吗？"
    assert SessionPhoto.objects.filter(session=record).count() == 1
    assert HelpRequest.objects.get(pk=asked.pk).closed_at is not None


@pytest.fixture
def one_without_devices(browser_type):
    """Two Chromium instances: the first without a camera or microphone (no fake devices,
    and the site is not allowed to use them), the second with fake ones."""
    plain = browser_type.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    fake = browser_type.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *FAKE_MEDIA], headless=True
    )
    pages = []
    for browser, name in ((plain, "village"), (fake, "county")):
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="zh-CN", permissions=[]
        )
        page = context.new_page()
        page.on("console", lambda m, name=name: print(f"[{name}] {m.type}: {m.text}"))
        pages.append(page)
    yield pages
    plain.close()
    fake.close()


@pytest.mark.browser
def test_without_camera_or_microphone_the_session_goes_on_as_chat_and_photos(
    asgi_server, one_without_devices, transactional_db, rota
):
    world = rota
    village, county = one_without_devices
    asked = services.help_ask(staff(world.agent_a), question="没有摄像头也能求助吗？")
    session = services.help_answer(world.town_agent, asked)
    live = f"{asgi_server.url}/work/remote/sessions/{session.pk}/live/"
    for page, member in ((village, world.agent_a), (county, world.town_agent)):
        staff_signs_in(page, asgi_server, member)
        page.goto(live)

    # the page says so, in Chinese, and keeps chat and photos
    expect(village.locator("#rs-note")).to_contain_text("以文字和照片", timeout=30_000)
    expect(village.get_by_label("拍照或选择照片（材料、证件）")).to_be_enabled()
    expect(village.get_by_role("button", name="用摄像头拍一张")).to_be_disabled()

    # a chat message still crosses, both ways
    wait_until(village, "window.remoteSession.socket === 'open'")
    wait_until(county, "window.remoteSession.socket === 'open'")
    village.get_by_label("输入文字").fill("我这边没有摄像头")
    village.get_by_role("button", name="发送", exact=True).click()
    expect(county.locator("#rs-chat")).to_contain_text("我这边没有摄像头")
    county.get_by_label("输入文字").fill("没关系，发照片给我")
    county.get_by_role("button", name="发送", exact=True).click()
    expect(village.locator("#rs-chat")).to_contain_text("没关系，发照片给我")
    assert [m.text for m in session.messages.order_by("at", "id")] == [
        "我这边没有摄像头",
        "没关系，发照片给我",
    ]


@pytest.mark.browser
def test_the_queue_page_reloads_its_list_when_the_queue_socket_says_changed(
    asgi_server, chromium_pair, transactional_db, rota
):
    from bangban.consultations.services import consultation_record

    world = rota
    village, town = chromium_pair
    consultation = consultation_record(
        staff=world.agent_a, client_name="张三", contact="13812345678", channel="visit", content="?"
    )
    staff_signs_in(town, asgi_server, world.town_agent, "/work/remote/queue/")
    expect(town.locator("#queue")).to_have_attribute("data-live", "yes", timeout=15_000)
    # what the socket told the page, apart from the polling
    town.evaluate(
        "document.body.addEventListener('remote-queue',"
        " () => { document.body.dataset.pushed = 'yes'; })"
    )
    staff_signs_in(
        village, asgi_server, world.agent_a, f"/work/desk/consultations/{consultation.pk}/"
    )
    village.get_by_label("向上级求助的问题").fill("这个咨询我答不上")
    village.get_by_role("button", name="远程求助").click()
    wait_until(town, "document.body.dataset.pushed === 'yes'", timeout=15)
    expect(town.get_by_text("这个咨询我答不上")).to_be_visible()
