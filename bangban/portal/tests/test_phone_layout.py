"""Phone layout (issue 14, 第9项): on a 390 px phone no portal page scrolls sideways, in the
standard version or in 长辈版, and its tables become stacked cards.

Every page of the portal's and the catalogue's address lists is opened at 390×844 with
content in it — a case waiting for a supplement whose pre-review note is one long unbroken
web address, a finished case, the guide of an item with materials, the 服务公开 pages, an
appointment, a home visit, a complaint — and measured in Chromium:

* the page is no wider than the screen (``scrollWidth <= innerWidth``);
* nothing inside it scrolls sideways either (a table in an ``overflow-x:auto`` box);
* every table shows one card per row, each cell under its column's name;
* axe-core finds nothing serious or critical in the card layout.

A page that fails is named, with what is too wide.
"""

import re
from dataclasses import asdict
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from bangban.cases.evaluation_links import token_for
from bangban.cases.models import MaterialStatus
from bangban.cases.tests.helpers import SIGNED, act, finish_items, open_case, to_handling
from bangban.catalogue import urls as catalogue_urls
from bangban.clients import pii
from bangban.consultations import services as consultations
from bangban.oversight.records import services as oversight
from bangban.portal import otp
from bangban.portal import urls as portal_urls
from bangban.portal.identity import SESSION_KEY, PortalIdentity
from bangban.portal.views.account import PENDING_PHONE
from bangban.remote import services as remote_help
from bangban.visits import services as booking

from .browser import PHONE, axe_violations
from .test_inclusive import as_staff, signed_in

pytestmark = pytest.mark.django_db(transaction=True)
CITIZEN = "13812345678"
# what a pre-review note may hold: a web address with no place to break a line
LONG_NOTE = "请按模板重新填写：https://zwfw.example.gov.cn/templates/shipinjingying/" + "x" * 60

# Addresses that are not pages a phone shows: what each is instead.
NOT_PAGES = {
    "portal:elder-toggle": "sets the cookie and goes back",
    "portal:logout": "POST only",
    "portal:apply-start": "goes to the first step (portal:apply)",
    "portal:supplement": "POST only",
    "portal:cancel": "POST only",
    "portal:track-document": "a PDF",
    "catalogue:material-file": "a file",
    "portal:remote-call-back": "POST only",
    "portal:remote-cancel": "POST only",
    "portal:vault-consent": "POST only",
    "portal:vault-withdraw": "POST only",
    "portal:remote-session": "the live session (bangban/remote's browser test); the call page before",
}
# Staff pages still served by the portal, measured signed in as a coordinator (none now: the
# coordinator's 上门服务安排 moved to the workbench, issue 14).
STAFF_PAGES: set[str] = set()


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "locale": "zh-CN"}


@pytest.fixture
def scene(world):
    me = PortalIdentity.of_mobile(CITIZEN)
    waiting = open_case(world)
    act(waiting, world.agent_a, "start_review")
    checks = [
        {
            "material_id": m.pk,
            "status": MaterialStatus.MISSING if m.required else MaterialStatus.RECEIVED,
            "note": LONG_NOTE if m.required else "",
        }
        for m in waiting.materials.all()
    ]
    act(waiting, world.agent_a, "pre_review", checks=checks)
    act(waiting, world.agent_a, "request_supplement")
    to_confirm = open_case(world)  # the 委托书 still to be confirmed
    done = open_case(world)
    to_handling(done, world.agent_a)
    finish_items(done, world.agent_a, {"SCJG": world.liaison_market, "ZJ": world.liaison_housing})
    act(done, world.agent_a, "complete", confirmation=SIGNED)
    day = timezone.localdate() + timedelta(days=1)
    slots = booking.slots_open(site=world.village_a, day=day, times=booking.OPENING_SLOTS)
    appointment = booking.appointment_book(
        slot=slots[0], identity=me, name="张三", purpose="开饭店"
    )
    booking.home_visit_request(  # shown on the citizen's own page
        identity=me,
        site=world.village_a,
        name="王奶奶",
        address="东街12号",
        is_elderly=True,
        is_disabled=False,
        needs="高龄津贴",
        preferred_times="上午",
    )
    complaint = oversight.complaint_submit(
        channel="online", complainant_name="张三", contact=CITIZEN, content="太慢", case=done
    )
    material = waiting.materials.filter(status=MaterialStatus.MISSING).first()
    asked = {}
    if "portal:ask-question" in url_names():  # 在线咨询 (the consultations area's question page)
        question = consultations.consultation_ask(
            site=world.village_a, client_name="张三", mobile=CITIZEN, content=LONG_NOTE
        )
        asked["portal:ask-question"] = consultations.page_path(question)
    call = remote_help.help_ask(me, question="怎么办", item=world.food, site=world.village_a)
    food = world.food.current_version
    pages = {
        "portal:remote-ask": "/remote/ask/?item=SCJG-001",
        "portal:remote-call": f"/remote/calls/{call.pk}/",
        "portal:home": "/",
        "portal:login": "/login/",
        "portal:login-code": "/login/code/",
        "portal:my": "/my/",
        "portal:vault": "/my/vault/",
        "portal:apply": "/apply/item/SCJG-001/service/",
        "portal:case": f"/my/cases/{waiting.number}/",
        "portal:upload": f"/my/cases/{waiting.number}/materials/{material.pk}/",
        "portal:confirm": f"/my/cases/{to_confirm.number}/confirm/entrustment/",
        "portal:delivery": f"/my/cases/{waiting.number}/delivery/",
        "portal:appointments": "/appointments/?site=V1",
        "portal:book": f"/appointments/slots/{slots[1].pk}/",
        "portal:reschedule": f"/appointments/{appointment.number}/reschedule/",
        "portal:home-visit": "/home-visit/",
        "portal:track": "/track/",
        "portal:track-case": f"/track/{done.number}/",
        "portal:evaluate": f"/track/{done.number}/evaluate/",
        # the evaluation SMS's personal link: an elderly client opens it on a phone
        "portal:evaluate-link": f"/e/{token_for(done)}/",
        # public too, though oversight's: the published evaluation results (001 §12.1)
        "oversight:published": "/oversight/published/",
        "portal:complaint-new": "/complaints/new/",
        "portal:complaint-track": "/complaints/track/",
        "portal:complaint": f"/complaints/{complaint.number}/",
        "portal:ask": "/ask/",
        "catalogue:item-list": "/items/?q=kfd",
        "catalogue:bundle-detail": "/items/bundles/B-FOOD/",
        "catalogue:item-detail": "/items/SCJG-001/",
        "catalogue:item-version": f"/items/SCJG-001/versions/{food.number}/",
        "catalogue:disclosure-list": "/disclosure/",
        "catalogue:disclosure-site": "/disclosure/V1/",
        **asked,
    }
    more = [  # a second look at pages that show other things in another state
        f"/my/cases/{done.number}/",
        f"/track/?number={waiting.number}",
        "/apply/item/SCJG-001/site/",
    ]
    return {"world": world, "me": me, "pages": pages, "more": more}


def url_names() -> set[str]:
    names = {f"portal:{p.name}" for p in portal_urls.portal_patterns if p.name}
    return names | {f"catalogue:{p.name}" for p in catalogue_urls.urlpatterns if p.name}


MEASURE_JS = """() => {
    const W = window.innerWidth, out = {page: document.documentElement.scrollWidth, width: W,
                                         scrolls: [], tables: [], wide: []};
    for (const e of document.querySelectorAll('body *')) {
        if (!e.offsetParent && e.tagName !== 'BODY') continue;
        const s = getComputedStyle(e), r = e.getBoundingClientRect();
        const what = e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')
                     + ' “' + (e.textContent || '').trim().slice(0, 20) + '”';
        if (['auto', 'scroll'].includes(s.overflowX) && e.scrollWidth > e.clientWidth + 1)
            out.scrolls.push(what + ' ' + e.scrollWidth + 'px');
        if (e.scrollWidth > e.clientWidth + 1 || r.right > W + 0.5)
            out.wide.push(what + ' ' + Math.max(e.scrollWidth, Math.round(r.right)) + 'px');
        if (e.tagName === 'TABLE' && s.display === 'table') out.tables.push(what);
    }
    out.wide = out.wide.slice(-2);  // the innermost are the last ones
    return out;
}"""


def measure(page: Page) -> dict:
    """What makes the page scroll sideways on this screen; empty when nothing does."""
    found = page.evaluate(MEASURE_JS)
    problems = {}
    if found["page"] > found["width"]:
        problems["页面宽度"] = f"{found['page']}px > {found['width']}px：{found['wide']}"
    if found["scrolls"]:
        problems["横向滚动的部分"] = found["scrolls"]
    if found["tables"]:
        problems["没有变成卡片的表格"] = found["tables"]
    return problems


def sweep(page: Page, base: str, scene, elder: bool) -> dict:
    failures = {}
    context = page.context
    if elder:
        context.add_cookies([{"name": "elder", "value": "1", "url": base}])
    signed_in(
        page,
        base,
        {
            SESSION_KEY: asdict(scene["me"]),
            PENDING_PHONE: pii.protect("mobile", otp.mobile_of(CITIZEN))[0],
        },
    )
    known = url_names()
    pages = {name: address for name, address in scene["pages"].items() if name in known}
    citizen_pages = [a for n, a in pages.items() if n not in STAFF_PAGES] + scene["more"]
    staff_pages = [a for n, a in pages.items() if n in STAFF_PAGES]

    def check(address: str) -> None:
        page.goto(base + address)
        found = measure(page)
        blocking = axe_violations(page)
        if blocking:
            found["axe"] = blocking
        if found:
            failures[address] = found

    for address in citizen_pages:
        check(address)
    as_staff(page, base, scene["world"].coordinator.user)
    for address in staff_pages:
        check(address)
    return failures


def test_every_portal_address_is_measured(scene):
    """A page added to the portal's or the catalogue's addresses is measured here too."""
    left_out = url_names() - set(scene["pages"]) - set(NOT_PAGES)
    assert not left_out, f"没有在手机宽度下检查的页面：{sorted(left_out)}"


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
def test_seam_phone_layout_no_portal_page_scrolls_sideways(live_server, page: Page, scene, elder):
    failures = sweep(page, live_server.url, scene, elder)
    assert not failures, failures


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
def test_the_guides_materials_become_cards_labelled_by_their_columns(
    live_server, page: Page, world, elder
):
    base = live_server.url
    if elder:
        page.context.add_cookies([{"name": "elder", "value": "1", "url": base}])
    page.goto(base + "/items/SCJG-001/")
    row = page.locator("table.cards tbody tr").first
    box = row.bounding_box()
    assert box["width"] > 250  # a card across the screen, not a column of one character
    name = row.locator("th")
    assert name.get_attribute("data-label") == "材料名称"
    label = name.evaluate("e => getComputedStyle(e, '::before').content")
    assert "材料名称" in label
    # screen readers still hear a table, with its column headers
    assert page.get_by_role("table").count() == 1
    assert page.get_by_role("columnheader", name="材料名称").count() == 1
    assert page.get_by_role("rowheader").count() == world.food.current_version.materials.count()
    text_width = name.evaluate(
        "e => { const r = document.createRange(); r.selectNodeContents(e);"
        " return r.getBoundingClientRect().width; }"
    )
    assert text_width > 150, "材料名称每行只有一两个字"


def test_the_measure_would_catch_a_page_too_wide(live_server, page: Page, world):
    """The harness: a table left as a table, a box that scrolls and a page that is too wide."""
    page.goto(live_server.url + "/items/SCJG-001/")
    assert measure(page) == {}
    page.evaluate(
        """() => {
            document.querySelector('table.cards').classList.remove('cards');
            const line = () => {
                const p = document.createElement('p');
                p.style.whiteSpace = 'nowrap';
                p.textContent = '很长的一行'.repeat(40);
                return p;
            };
            const box = document.createElement('div');
            box.style.overflowX = 'auto';
            box.append(line());
            document.querySelector('main').append(box, line());
        }"""
    )
    found = measure(page)
    assert set(found) == {"页面宽度", "横向滚动的部分", "没有变成卡片的表格"}, found
    assert re.search(r"\d+px > 390px", found["页面宽度"])
