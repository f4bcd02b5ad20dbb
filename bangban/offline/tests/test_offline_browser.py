"""Issue 19.1 in Chromium with the network switched off: a village station records a
consultation, registers a client, photographs a material and starts a draft case; with the
network back everything syncs exactly once, a second sync adds nothing, a client changed on
the server meanwhile is a conflict the agent resolves, and after logout IndexedDB holds only
ciphertext and the key is gone."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image
from playwright.sync_api import Page, expect

from bangban.cases.access import Actor
from bangban.cases.clients import client_correct
from bangban.cases.models import Case, MaterialStatus, MaterialUpload
from bangban.cases.services import case_submit
from bangban.clients import pii
from bangban.clients.models import Client
from bangban.consultations.models import Consultation
from bangban.offline.models import OfflineRecord
from bangban.testing import make_resident_id
from bangban.testing import staff_signs_in as sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 820, "height": 1180}
SHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"
NEW_ID = make_resident_id("33012219500101001")

DUMP_DB = """async () => {
  const db = await new Promise((ok, no) => { const r = indexedDB.open('bangban-offline', 1);
    r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
  const rows = await new Promise((ok) => { const r = db.transaction('outbox').objectStore('outbox').getAll();
    r.onsuccess = () => ok(r.result); });
  db.close();
  return rows;
}"""


def shoot(page: Page, name: str):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("phone", PHONE), ("tablet", TABLET)):
        page.set_viewport_size(size)
        page.screenshot(path=str(SHOTS / f"offline-{name}-{label}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def counts():
    return (
        Consultation.objects.count(),
        Client.objects.count(),
        Case.objects.count(),
        MaterialUpload.objects.count(),
    )


def test_offline_station_syncs_once_resolves_a_conflict_and_leaves_only_ciphertext(
    live_server, page: Page, world, tmp_path
):
    # the citizen is known at the station (a case there), so a conflict can be shown
    case_submit(
        actor=Actor.of_staff(world.agent_a2),
        client=world.citizen,
        service_type="proxy",
        channel="window",
        site=world.agent_a2.site,
        item_versions=[world.food.current_version],
    )
    photo = tmp_path / "licence.png"
    Image.new("RGB", (1200, 900), "white").save(photo)
    before = counts()

    sign_in(page, live_server, world.agent_a, "/work/")
    page.goto(f"{live_server.url}/work/offline/")
    expect(page.locator("#offline-ready")).to_have_attribute("data-ready", "1")
    page.wait_for_function(
        "navigator.serviceWorker.controller !== null || navigator.serviceWorker.ready"
    )

    page.context.set_offline(True)
    # look an item up in the kept catalogue
    page.get_by_label("事项名称或关键词").fill("食品")
    page.locator("#item-results summary").first.click()
    expect(page.locator("#item-results")).to_contain_text("营业执照")

    # a consultation
    page.get_by_label("服务对象姓名或名称").fill("王大爷")
    page.get_by_label("联系方式（手机或固定电话）").fill("13700001111")
    page.get_by_label("咨询内容").fill("离线咨询：想开小饭店")
    page.get_by_role("button", name="保存咨询").click()
    expect(page.locator("#offline-ready")).to_contain_text("咨询已保存，联网后自动同步")

    # a client: the ID number is checked here as the server checks it
    form = page.locator("#form-client")
    form.get_by_label("姓名").fill("赵六")
    form.get_by_label("身份证号码").fill(NEW_ID[:-1] + ("0" if NEW_ID[-1] != "0" else "1"))
    expect(page.locator("#p-id-check")).to_contain_text("校验位错误")
    form.get_by_label("身份证号码").fill(NEW_ID)
    expect(page.locator("#p-id-check")).to_have_text("身份证号码有效")
    form.get_by_label("手机号码").fill("1370000")
    form.get_by_role("button", name="保存服务对象").click()
    expect(form.locator("[data-errors]")).to_contain_text("手机号码格式不正确")
    form.get_by_label("手机号码").fill("13700002222")
    form.get_by_role("button", name="保存服务对象").click()
    expect(page.locator("#offline-ready")).to_contain_text("服务对象已保存")

    # the same citizen the server knows, with the mobile it had before a correction
    form.get_by_label("姓名").fill("张三")
    form.get_by_label("身份证号码").fill(make_resident_id())
    form.get_by_label("手机号码").fill("13812345678")
    form.get_by_role("button", name="保存服务对象").click()
    # the status line already says 服务对象已保存 from 赵六: wait for 张三 in the draft's list
    expect(page.locator("#d-client option", has_text="张三")).to_have_count(1)

    # a draft case for the new client, a photo of a material and its pre-review
    draft = page.locator("#form-draft")
    zhao = draft.locator("#d-client option", has_text="赵六").get_attribute("value")
    draft.get_by_label("服务对象", exact=True).select_option(zhao)
    draft.get_by_label("办理事项").select_option(world.food.code)
    draft.get_by_role("radio", name=re.compile("代办")).check()
    licence = world.food.current_version.materials.get(name="营业执照")
    draft.locator(f"#photo-{licence.pk}").set_input_files(str(photo))
    draft.locator(f"#review-{licence.pk}").select_option("received")
    draft.get_by_role("button", name="保存办件草稿").click()
    expect(page.locator("#offline-ready")).to_contain_text(
        "材料照片 1 张，预审 1 份", timeout=20_000
    )

    banner = page.locator("#offline-banner")
    expect(banner).to_contain_text("离线状态：网络已断开")
    expect(banner).to_contain_text("等待同步：6 条（最早记录于")
    expect(page.locator("#queue-list > li")).to_have_count(6)
    assert counts() == before  # nothing reached the server
    shoot(page, "queue")

    # meanwhile the citizen's mobile is corrected at the desk
    client_correct(
        staff=world.agent_a2,
        client=world.citizen,
        field="mobile",
        value="13900009999",
        reason="服务对象来电告知换号",
    )

    page.context.set_offline(False)
    expect(page.locator("#queue-list > li")).to_have_count(1, timeout=20_000)
    conflict = page.locator("#queue-list > li.queue-conflict")
    expect(conflict).to_contain_text("有冲突")
    expect(conflict).to_contain_text("在平台更正")
    expect(conflict).to_contain_text("139****9999")
    expect(banner).to_contain_text("有冲突：1 条")
    shoot(page, "conflict")

    after = counts()
    assert after == (before[0] + 1, before[1] + 1, before[2] + 1, before[3] + 1)
    assert Consultation.objects.filter(content="离线咨询：想开小饭店").count() == 1
    case = Case.objects.get(client__name="赵六")
    assert case.state == "reviewing"
    material = case.materials.get(material=licence)
    assert material.file and material.status == MaterialStatus.RECEIVED
    assert OfflineRecord.objects.filter(staff=world.agent_a).count() == 5
    expect(page.locator("#synced-list")).to_contain_text(case.number)

    # syncing again adds nothing
    page.get_by_role("button", name="立即同步").click()
    page.wait_for_function(
        "!document.querySelector('#offline-banner').textContent.includes('等待同步')"
    )
    assert counts() == after

    # logout with the conflict unresolved: only ciphertext stays, the key is gone
    page.get_by_role("button", name="退出").click()
    expect(page).not_to_have_url(re.compile("/work/offline/"))
    page.wait_for_load_state("load")
    rows = page.evaluate(DUMP_DB)
    assert len(rows) == 1 and rows[0]["status"] == "conflict"
    dump = str(rows)
    for plain in ("张三", "13812345678", make_resident_id(), "139****9999", "13900009999"):
        assert plain not in dump
    assert set(rows[0]["sealed"]) == {"iv", "data"} and set(rows[0]["sealedServer"]) == {
        "iv",
        "data",
    }
    assert page.evaluate("sessionStorage.getItem('bangban.offline.key')") is None

    # signing in again reads the draft again (nothing lost); the agent takes the server's
    sign_in(page, live_server, world.agent_a, "/work/")
    page.goto(f"{live_server.url}/work/offline/")
    conflict = page.locator("#queue-list > li.queue-conflict")
    expect(conflict).to_contain_text("张三")
    conflict.get_by_role("button", name="采用平台的信息").click()
    expect(page.locator("#queue-empty")).to_be_visible(timeout=20_000)
    world.citizen.refresh_from_db()
    assert world.citizen.mobile_hash == pii.lookup("mobile", "13900009999")
    assert counts() == after
