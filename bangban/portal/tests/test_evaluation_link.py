"""The personal evaluation link (issue 14, item 3): the invitation SMS carries a link that
opens the rating of that one case, with nothing to type; it is signed, expires, and opens
nothing else."""

import re
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.test import Client
from django.utils import timezone

from bangban.cases import evaluation_links
from bangban.cases.tests.helpers import SIGNED, act, finish_items, open_case, to_handling
from bangban.notifications.models import Message
from bangban.oversight.models import Evaluation
from bangban.testing import travel_to

pytestmark = pytest.mark.django_db


def delivered(world):
    case = open_case(world)
    to_handling(case, world.agent_a)
    finish_items(case, world.agent_a, {"SCJG": world.liaison_market})
    act(case, world.agent_a, "complete", confirmation=SIGNED)
    act(case, world.agent_a, "deliver", method="in_person", recipient="张三", confirmation=SIGNED)
    return case


def link_in(case) -> str:
    sms = Message.objects.get(case=case, template_key="client.evaluation_invite", channel="sms")
    found = re.search(r"https?://\S+?/e/[^/\s]+/", sms.body)
    assert found, sms.body
    return urlparse(found.group(0)).path


def test_seam_the_evaluation_sms_links_to_the_rating_with_nothing_to_type(world):
    case = delivered(world)
    path = link_in(case)
    browser = Client()  # a phone that never looked the case up nor signed in
    page = browser.get(path)
    assert page.status_code == 200
    text = page.content.decode()
    assert "评价这次服务" in text and case.number in text
    assert 'name="number"' not in text and 'name="phone"' not in text
    answered = browser.post(path, {"level": "满意", "comment": "很方便"})
    assert "评价已提交" in answered.content.decode()
    evaluation = Evaluation.objects.get(case=case)
    assert evaluation.level == 4 and evaluation.channel == "sms" and evaluation.real_name
    # once: the link then says so, and a second rating is not taken
    assert "已经评价过" in browser.get(path).content.decode()
    browser.post(path, {"level": "不满意"})
    assert Evaluation.objects.count() == 1
    # the link opens the rating only, not the case page
    assert browser.get(f"/track/{case.number}/").status_code in {302, 404}


def test_a_forged_altered_or_expired_link_rates_nothing(world):
    case = delivered(world)
    other = delivered(world)
    path = link_in(case)
    token = path.split("/")[2]
    other_id_same_signature = token.replace(f"{case.pk}:", f"{other.pk}:", 1)
    for bad in (other_id_same_signature, token[:-2] + "xx", "1:abc:def"):
        response = Client().post(f"/e/{bad}/", {"level": "非常不满意"})
        assert response.status_code == 404
        assert "链接无效或已过期" in response.content.decode()
    days = evaluation_links.LINK_DAYS + 1
    with travel_to(timezone.localdate() + timedelta(days=days)):
        assert Client().post(path, {"level": "非常不满意"}).status_code == 404
    assert not Evaluation.objects.exists()
