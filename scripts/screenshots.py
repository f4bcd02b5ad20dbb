"""Screenshots for docs/screenshots/, taken in Debian's Chromium on the demo data. One command:

    .venv/bin/python scripts/screenshots.py            # every page below into docs/screenshots/
    .venv/bin/python scripts/screenshots.py --only portal-case workbench-supervisor-home

It loads the demo (``manage.py demo``) into a fresh SQLite database in a temporary directory
(``--data-dir`` keeps it somewhere else), adds the portal applicant 王五 (13700001234) through
the services — a 开饭店 case waiting for a supplement, a finished case, an appointment and a
home-visit request — starts ``runserver`` on a free port, and saves:

* ``workbench-<role>-home.png``: each role's 工作台 home at 1280 px, signed in as the demo
  login that ``manage.py demo`` prints for it (agent, county agent, coordinator, liaison,
  supervisor, administrator);
* ``portal-<page>-phone.png`` and ``portal-<page>-elder.png``: the portal pages at 390 px,
  whole page, in the standard version and in 长辈版 (the ``elder`` cookie);
* ``home.png``, ``catalogue.png``, ``bundle.png``, ``disclosure.png`` (1280 px) and
  ``home-phone-elder.png``.

It also says which portal page scrolls sideways at 390 px (there should be none; the browser
test bangban/portal/tests/test_phone_layout.py fails on it).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MOBILE = "13700001234"
BODY = "33010219600101002"  # 王五's ID number before its check character
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
ANONYMOUS = {"login", "track"}  # portal pages as someone not signed in sees them

# (file name without .png, demo login) — the logins `manage.py demo` prints
HOMES = [
    ("workbench-agent-home", "agent_t01v01_1"),
    ("workbench-county-agent-home", "agent_c01_1"),
    ("workbench-coordinator-home", "coordinator"),
    ("workbench-liaison-home", "liaison_scjg"),
    ("workbench-supervisor-home", "supervisor"),
    ("workbench-administrator-home", "admin"),
]
# (address, file name) at 1280 px, and the one phone shot of the home page in 长辈版
PUBLIC = [
    ("/", "home"),
    ("/items/", "catalogue"),
    ("/items/bundles/KYFD/", "bundle"),
    ("/disclosure/C01/", "disclosure"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description="docs/screenshots/ 截图（演示数据）")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument(
        "--data-dir", help="where the SQLite database goes (default: a new temp dir)"
    )
    parser.add_argument("--only", nargs="*", help="file names (without .png) to take")
    args = parser.parse_args()
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="bangban-shots-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["BANGBAN_DATA_DIR"] = str(data_dir)
    os.environ["BANGBAN_DATABASE_URL"] = ""  # SQLite in the data dir, never a configured server
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangban.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from bangban.network.models import Site

    call_command("migrate", verbosity=0)
    if not Site.objects.exists():
        call_command("demo")
    scene = make_scene()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(base)
        shoot(base, Path(args.out), scene, set(args.only or []))
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"数据库在 {data_dir}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(base: str) -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"服务器没有启动：{base}")


def make_scene() -> dict:
    """王五's cases, appointment and home-visit request, made through the services (once)."""
    from bangban.cases.access import Actor
    from bangban.cases.models import Case, MaterialStatus
    from bangban.cases.services import case_submit, case_transition
    from bangban.catalogue.models import Bundle, ServiceItem
    from bangban.clients.identity import resident_id_check_char
    from bangban.clients.models import Client
    from bangban.clients.services import ClientInput, client_register
    from bangban.network.models import Site
    from bangban.portal.identity import PortalIdentity
    from bangban.staff.models import StaffMember
    from bangban.visits import services as booking

    town = Site.objects.get(code="T01")
    agent = (
        StaffMember.objects.filter(site=town, is_agent=True, is_active=True).order_by("pk").first()
    )

    def act(case, event, staff=agent, **details):
        case_transition(case=case, event=event, actor=Actor.of_staff(staff), **details)

    def review(case, missing=()):
        checks = [
            {
                "material_id": m.pk,
                "status": MaterialStatus.MISSING if m.name in missing else MaterialStatus.RECEIVED,
                "note": "未提供" if m.name in missing else "",
            }
            for m in case.materials.all()
        ]
        act(case, "pre_review", checks=checks)

    identity = PortalIdentity.of_mobile(MOBILE)
    client = Client.objects.filter(mobile_hash=identity.mobile_hash).first() or client_register(
        data=ClientInput(
            kind="person",
            name="王五",
            id_number=BODY + resident_id_check_char(BODY),
            mobile=MOBILE,
            is_elderly=True,
        )
    )
    actor = Actor.of_client(client)
    waiting = Case.objects.filter(client=client, bundle_version__isnull=False).first()
    if waiting is None:
        waiting = case_submit(
            actor=actor,
            client=client,
            service_type="proxy",
            channel="online",
            site=town,
            bundle_version=Bundle.objects.get(code="KYFD").current_version,
        )
        act(waiting, "start_review")
        review(waiting, missing={"食品安全管理制度文本", "经营场所平面图"})
        act(waiting, "request_supplement")
    done = Case.objects.filter(client=client, bundle_version__isnull=True).first()
    if done is None:
        done = case_submit(
            actor=actor,
            client=client,
            service_type="proxy",
            channel="online",
            site=town,
            item_versions=[ServiceItem.objects.get(code="SCJG-005").current_version],
        )
        signed = {"method": "sms_code", "signer": "王五"}
        act(done, "start_review")
        review(done)
        act(done, "accept", confirmation=signed)
        act(done, "start_handling")
        for case_item in done.items.all():
            act(done, "file_with_department", case_item_id=case_item.pk)
            liaison = StaffMember.objects.filter(
                is_liaison=True, department_id=case_item.department_id
            ).first()
            act(
                done,
                "department_step",
                staff=liaison,
                case_item_id=case_item.pk,
                status="approved",
                result="准予许可",
            )
        act(done, "complete", confirmation=signed)
    if not booking.upcoming_of(identity).exists():
        slot = booking.slots_bookable(town).first()
        booking.appointment_book(slot=slot, identity=identity, name="王五", purpose="开饭店")
        booking.home_visit_request(
            identity=identity,
            site=town,
            name="王五",
            address="示范县城关镇人民路12号3楼",
            is_elderly=True,
            is_disabled=False,
            needs="办理老年人优待证",
            preferred_times="工作日上午",
        )
    return {"client": client, "identity": identity, "waiting": waiting, "done": done, "town": town}


def portal_pages(scene) -> list[tuple[str, str]]:
    from bangban.cases.models import MaterialStatus

    waiting, done = scene["waiting"], scene["done"]
    material = waiting.materials.filter(status=MaterialStatus.MISSING).first()
    return [
        ("home", "/"),
        ("search", "/items/?q=%E5%BC%80%E9%A5%AD%E5%BA%97"),
        ("bundle", "/items/bundles/KYFD/"),
        ("item", "/items/SCJG-005/"),
        ("disclosure", "/disclosure/C01/"),
        ("apply", "/apply/bundle/KYFD/service/"),
        ("case", f"/my/cases/{waiting.number}/"),
        ("upload", f"/my/cases/{waiting.number}/materials/{material.pk}/"),
        ("my", "/my/"),
        ("appointments", f"/appointments/?site={scene['town'].code}"),
        ("home-visit", "/home-visit/"),
        ("track", f"/track/?number={done.number}"),
        ("track-result", f"/track/{done.number}/"),
        ("evaluate", f"/track/{done.number}/evaluate/"),
        ("complaint", f"/complaints/new/?number={done.number}"),
        ("login", "/login/"),
    ]


def staff_cookie(username: str) -> str:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def client_cookie(scene) -> str:
    from django.contrib.sessions.backends.db import SessionStore

    from bangban.portal.identity import SESSION_KEY

    session = SessionStore()
    session[SESSION_KEY] = asdict(scene["identity"])
    session["portal_tracked"] = {scene["done"].number: scene["client"].mobile_hash}
    session.create()
    return session.session_key


def shrink(path: Path) -> None:
    """128 colours are plenty for text on flat colours; the files are a third of the size."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def shoot(base: str, out: Path, scene, only: set[str]) -> None:
    from django.conf import settings
    from playwright.sync_api import sync_playwright

    from bangban.browser import CHROMIUM, CHROMIUM_ARGS

    out.mkdir(parents=True, exist_ok=True)
    wanted = (lambda name: name in only) if only else (lambda name: True)
    session_name = settings.SESSION_COOKIE_NAME
    sideways = []
    # the sessions first: Django refuses database calls inside Playwright's event loop
    staff_sessions = {name: staff_cookie(username) for name, username in HOMES if wanted(name)}
    signed_in = {"name": session_name, "value": client_cookie(scene), "url": base}
    pages = portal_pages(scene)

    def save(page, name: str, full_page: bool = True) -> None:
        target = out / f"{name}.png"
        page.screenshot(path=str(target), full_page=full_page)
        shrink(target)
        print(target)

    with sync_playwright() as p:
        browser = p.chromium.launch(  # Chinese browser UI too (the file picker's button)
            executable_path=CHROMIUM,
            args=[*CHROMIUM_ARGS, "--lang=zh-CN"],
            env={**os.environ, "LANGUAGE": "zh_CN:zh", "LANG": "zh_CN.UTF-8"},
        )
        # each role's home on the workbench
        for name, session_key in staff_sessions.items():
            context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
            context.add_cookies([{"name": session_name, "value": session_key, "url": base}])
            page = context.new_page()
            page.goto(base + "/work/")
            save(page, name)
            context.close()
        # public pages at desktop width
        for address, name in PUBLIC:
            if not wanted(name):
                continue
            context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
            page = context.new_page()
            page.goto(base + address)
            save(page, name, full_page=False)
            context.close()
        # the portal on a phone, standard and 长辈版
        for elder in (False, True):
            context = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=1)
            page = context.new_page()
            for name, address in pages + ([("home-phone-elder", "/")] if elder else []):
                file_name = (
                    name
                    if name == "home-phone-elder"
                    else f"portal-{name}-" + ("elder" if elder else "phone")
                )
                context.clear_cookies()
                cookies = [] if name in ANONYMOUS else [signed_in]
                if elder:
                    cookies.append({"name": "elder", "value": "1", "url": base})
                if cookies:
                    context.add_cookies(cookies)
                page.goto(base + address)
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > page.viewport_size["width"]:
                    sideways.append(f"{address}（{'长辈版' if elder else '标准版'}）：{width}px")
                if wanted(file_name):
                    save(page, file_name)
            context.close()
        browser.close()
    if sideways:
        print("390 px 宽时横向滚动的页面：\n  " + "\n  ".join(sideways))


if __name__ == "__main__":
    main()
