"""Screenshots of the portal for docs/screenshots/portal-*.png, phone-sized, standard and 长辈版.

    BANGBAN_DATA_DIR=/tmp/bbpt manage.py migrate && manage.py demo && manage.py runserver 8765 &
    BANGBAN_DATA_DIR=/tmp/bbpt manage.py portal_screenshots http://127.0.0.1:8765 docs/screenshots

Against the demo data: opens window slots, then makes one applicant (王五, 13700001234)
with a 开饭店 case waiting for a supplement, a finished case, an appointment and a
home-visit request — all through the services — signs the browser in and takes the pages.
"""

import os
from dataclasses import asdict
from pathlib import Path

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.management.base import BaseCommand

from bangban.browser import CHROMIUM, CHROMIUM_ARGS
from bangban.cases.access import Actor
from bangban.cases.models import Case, MaterialStatus
from bangban.cases.services import case_submit, case_transition
from bangban.catalogue.models import Bundle, ServiceItem
from bangban.clients.identity import resident_id_check_char
from bangban.clients.services import ClientInput, client_register
from bangban.network.models import Site
from bangban.staff.models import StaffMember
from bangban.visits import services as booking
from bangban.visits.models import TimeSlot

from ... import demo
from ...identity import SESSION_KEY, PortalIdentity

MOBILE = "13700001234"
BODY = "33010219600101002"  # 王五's ID number before its check character
PHONE = {"width": 390, "height": 844}
ANONYMOUS = {"login", "track"}  # pages as someone not signed in sees them


def _agent(site):
    return (
        StaffMember.objects.filter(site=site, is_agent=True, is_active=True).order_by("pk").first()
    )


def _act(case, staff, event, **details):
    return case_transition(case=case, event=event, actor=Actor.of_staff(staff), **details)


def _review(case, staff, missing=()):
    checks = [
        {
            "material_id": m.pk,
            "status": MaterialStatus.MISSING if m.name in missing else MaterialStatus.RECEIVED,
            "note": "未提供" if m.name in missing else "",
        }
        for m in case.materials.all()
    ]
    _act(case, staff, "pre_review", checks=checks)


def _shrink(path: Path) -> None:
    """128 colours are plenty for text on flat colours; the files are a third of the size."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


class Command(BaseCommand):
    help = "门户页面截图（手机尺寸，标准版和长辈版）"

    def add_arguments(self, parser):
        parser.add_argument("base")
        parser.add_argument("out")

    def handle(self, base, out, **options):
        if not TimeSlot.objects.exists():
            demo.load()
        scene = self.scene()
        pages = self.pages(scene)
        from playwright.sync_api import sync_playwright

        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        session = SessionStore()
        session[SESSION_KEY] = asdict(PortalIdentity.of_mobile(MOBILE))
        session["portal_tracked"] = {scene["done"].number: scene["client"].mobile_hash}
        session.create()
        with sync_playwright() as p:
            browser = p.chromium.launch(  # Chinese browser UI too (the file picker's button)
                executable_path=CHROMIUM,
                args=[*CHROMIUM_ARGS, "--lang=zh-CN"],
                env={**os.environ, "LANGUAGE": "zh_CN:zh", "LANG": "zh_CN.UTF-8"},
            )
            for elder in (False, True):
                context = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=1)
                cookies = [
                    {
                        "name": settings.SESSION_COOKIE_NAME,
                        "value": session.session_key,
                        "url": base,
                    }
                ]
                if elder:
                    cookies.append({"name": "elder", "value": "1", "url": base})
                page = context.new_page()
                for name, path in pages:
                    context.clear_cookies()
                    anonymous = name in ANONYMOUS
                    context.add_cookies(
                        [c for c in cookies if not anonymous or c["name"] == "elder"]
                    )
                    page.goto(base + path)
                    target = out / f"portal-{name}-{'elder' if elder else 'phone'}.png"
                    page.screenshot(path=str(target), full_page=True)
                    _shrink(target)
                    self.stdout.write(str(target))
                context.close()
            browser.close()

    def scene(self) -> dict:
        client = client_register(
            data=ClientInput(
                kind="person",
                name="王五",
                id_number=BODY + resident_id_check_char(BODY),
                mobile=MOBILE,
                is_elderly=True,
            )
        )
        actor = Actor.of_client(client)
        town = Site.objects.get(code="T01")
        agent = _agent(town)
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
            _act(waiting, agent, "start_review")
            _review(waiting, agent, missing={"食品安全管理制度文本", "经营场所平面图"})
            _act(waiting, agent, "request_supplement")
        done = Case.objects.filter(client=client, bundle_version__isnull=True).first()
        if done is None:
            item = ServiceItem.objects.get(code="SCJG-005")
            done = case_submit(
                actor=actor,
                client=client,
                service_type="proxy",
                channel="online",
                site=town,
                item_versions=[item.current_version],
            )
            signed = {"method": "sms_code", "signer": "王五"}
            _act(done, agent, "start_review")
            _review(done, agent)
            _act(done, agent, "accept", confirmation=signed)
            _act(done, agent, "start_handling")
            for case_item in done.items.all():
                _act(done, agent, "file_with_department", case_item_id=case_item.pk)
                liaison = StaffMember.objects.filter(
                    is_liaison=True, department_id=case_item.department_id
                ).first()
                _act(
                    done,
                    liaison,
                    "department_step",
                    case_item_id=case_item.pk,
                    status="approved",
                    result="准予许可",
                )
            _act(done, agent, "complete", confirmation=signed)
        identity = PortalIdentity.of_mobile(MOBILE)
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
        return {"client": client, "waiting": waiting, "done": done, "town": town}

    def pages(self, scene) -> list[tuple[str, str]]:
        waiting, done = scene["waiting"], scene["done"]
        material = waiting.materials.filter(status=MaterialStatus.MISSING).first()
        return [
            ("home", "/"),
            ("search", "/items/?q=%E5%BC%80%E9%A5%AD%E5%BA%97"),
            ("bundle", "/items/bundles/KYFD/"),
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
