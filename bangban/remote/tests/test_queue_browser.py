"""The live queue in Chromium: a request shows with its waiting time (and the screenshot)."""

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from bangban.remote.services import help_ask
from bangban.testing import staff_signs_in

from .conftest import staff

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_queue_shows_the_waiting_request_and_refreshes(live_server, page, rota):
    world = rota
    staff_signs_in(page, live_server, world.town_agent, "/work/remote/queue/")
    expect(page.get_by_text("暂无等待接听的求助")).to_be_visible()
    help_ask(staff(world.agent_a), question="营业执照经营范围怎么填？")
    expect(page.get_by_text("营业执照经营范围怎么填？")).to_be_visible(timeout=10_000)
    expect(page.get_by_role("button", name="接听")).to_be_visible()
    shots = Path(settings.BASE_DIR) / "docs" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "remote-queue.png"), full_page=True)
