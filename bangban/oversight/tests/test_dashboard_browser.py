"""The dashboard in Debian's Chromium: the charts draw, with target lines and red misses."""

from datetime import date

import pytest

from .helpers import completed_case


@pytest.mark.django_db(transaction=True)
def test_the_dashboard_draws_its_charts(world, live_server, page):
    completed_case(world)  # completed today: on time
    completed_case(world, accepted=date(2026, 9, 1), on=date(2026, 10, 30))  # late, in October
    user = world.supervisor.user
    user.set_password("pw-supervisor-2026")
    user.save()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", "supervisor")
    page.fill("input[name=password]", "pw-supervisor-2026")
    page.click("button[type=submit], input[type=submit]")
    page.goto(live_server.url + "/oversight/?preset=12m")
    page.wait_for_selector("#trend-chart svg")
    page.wait_for_selector("#rank-chart svg")
    assert page.locator("#trend-chart svg path").count() > 0
    assert "目标" in page.locator("#trend-chart").inner_text()
    assert page.locator(".kpi-miss").count() >= 1  # on time: 1 of 2
    assert "未达标" in page.locator(".kpi-miss").first.inner_text()
