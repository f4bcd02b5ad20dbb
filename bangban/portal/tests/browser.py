"""Helpers for the portal's browser tests: a phone-sized page, axe-core, sizes read in Chromium."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import Page

from bangban.portal.identity import SESSION_KEY, PortalIdentity

PHONE = {"width": 390, "height": 844}
AXE = next((Path(settings.BASE_DIR) / "bangban" / "static" / "vendor").glob("axe-core-*.min.js"))
BLOCKING = {"serious", "critical"}


def axe_violations(page: Page) -> list[dict]:
    """Serious and critical axe-core findings on the page as it is now (once it has loaded:
    a click that navigates returns before the new document exists, and a loaded machine
    makes that gap long enough to inject axe into nothing)."""
    page.wait_for_load_state("load")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # by its static address: the Content-Security-Policy refuses an inline copy
        page.add_script_tag(url=f"{settings.STATIC_URL}vendor/{AXE.name}")
    found = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))
            }));
        }"""
    )
    return [v for v in found if v["impact"] in BLOCKING]


class Audit:
    """Runs axe on every page a journey passes, and says at the end what failed where."""

    def __init__(self, page: Page):
        self.page = page
        self.failures: dict[str, list] = {}
        self.seen: list[str] = []

    def __call__(self) -> None:
        url = self.page.url
        self.seen.append(url)
        found = axe_violations(self.page)
        if found:
            self.failures[url] = found

    def assert_clean(self) -> None:
        assert not self.failures, self.failures


# Everything a finger or a mouse is meant to hit that is not a link inside a sentence
# (inline links are the exception WCAG 2.5.8 makes; they flow with the text).
TARGETS = (
    "a.btn, button, input:not([type=hidden]):not([type=radio]):not([type=checkbox]), select, "
    "textarea, label.choice, .back, .tiles a, .top a, .top .link, .foot a, summary"
)

SIZES_JS = """(selector) => {
    const out = {targets: []};
    const px = v => parseFloat(v);
    const main = document.querySelector('main p') || document.querySelector('main');
    const ms = getComputedStyle(main);
    out.body = px(ms.fontSize);
    out.lineHeight = px(ms.lineHeight);
    out.paragraphGap = px(ms.marginBottom);
    out.fontFamily = ms.fontFamily;
    out.largest = Math.max(...[...document.querySelectorAll('body *')]
        .filter(e => e.offsetParent !== null && e.childNodes.length
                 && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
        .map(e => px(getComputedStyle(e).fontSize)));
    for (const el of document.querySelectorAll(selector)) {
        if (el.offsetParent === null) continue;
        const r = el.getBoundingClientRect();
        if (!r.width || !r.height) continue;
        out.targets.push({what: el.outerHTML.slice(0, 90), w: r.width, h: r.height});
    }
    return out;
}"""


def sizes(page: Page) -> dict:
    return page.evaluate(SIZES_JS, TARGETS)


def small_targets(page: Page, minimum: float) -> list[dict]:
    return [t for t in sizes(page)["targets"] if t["w"] < minimum - 0.5 or t["h"] < minimum - 0.5]


def citizen_signs_in(page: Page, base: str, mobile: str) -> None:
    """A citizen signed in to the portal with an SMS code for ``mobile``: the portal's own
    session, set without sending a code (other cookies, e.g. 长辈版, are kept)."""
    session = SessionStore()
    session[SESSION_KEY] = asdict(PortalIdentity.of_mobile(mobile))
    session.create()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": base}]
    )
