"""/notifications/: a staff member's notices, unread count, mark read, preferences."""

import pytest
from django.contrib.auth import get_user_model

from bangban.cases.tests.helpers import act, open_case
from bangban.notifications.models import Notice, StaffPreference
from bangban.notifications.selectors import unread_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def relayed(world):
    case = open_case(world)
    act(case, world.agent_a, "relay_out", to_site=world.town.code, note="需镇级办理")
    act(case, world.town_agent, "relay_return", reason="本镇不办理")
    act(case, world.agent_a, "relay_out", to_site=world.town.code, note="补充说明后再次移交")
    return case


def test_someone_not_logged_in_is_sent_to_the_login_page(client):
    answer = client.get("/notifications/")
    assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/")


def test_a_login_that_is_not_staff_gets_404(client):
    client.force_login(get_user_model().objects.create_user("visitor", password="pw"))
    assert client.get("/notifications/").status_code == 404


def test_the_page_lists_my_notices_with_the_unread_count(client, world, relayed):
    client.force_login(world.town_agent.user)
    page = client.get("/notifications/").content.decode()
    assert "2 条未读" in page and "补充说明后再次移交" in page and relayed.number in page
    assert "本镇不办理" not in page  # that notice went to the village agent


def test_marking_one_read_then_all(client, world, relayed):
    client.force_login(world.town_agent.user)
    first = Notice.objects.filter(staff=world.town_agent).first()
    answer = client.post("/notifications/read/", {"notice": first.pk})
    assert answer.status_code == 302
    assert unread_count(world.town_agent) == 1
    client.post("/notifications/read/", {})
    assert unread_count(world.town_agent) == 0


def test_nobody_can_mark_someone_elses_notice(client, world, relayed):
    theirs = Notice.objects.get(staff=world.agent_a)
    client.force_login(world.town_agent.user)
    client.post("/notifications/read/", {"notice": theirs.pk})
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.post("/notifications/read/", {"notice": "x"}).status_code == 404


def test_a_staff_member_chooses_the_daily_digest(client, world):
    client.force_login(world.agent_a.user)
    answer = client.post("/notifications/preferences/", {"mode": "digest", "by_email": "on"})
    assert answer.status_code == 302
    preference = StaffPreference.objects.get(staff=world.agent_a)
    assert (preference.mode, preference.by_email, preference.by_sms) == ("digest", True, False)
    assert "通知设置已保存" in client.get("/notifications/").content.decode()
