"""One rating scale (issue 14, item 3): the SMS, the portal page, the paper evaluation form
and the API offer the levels of the case's county centre — GB/T 39734's five by default, or
seed 003 附件4's four (很满意/较满意/一般/不满意), stored on the five levels
(``bangban.cases.ratings``)."""

import re
from typing import get_args
from urllib.parse import urlparse

import pytest
from django.core.cache import cache
from django.test import Client

from bangban.apiauth.testing import ApiClient
from bangban.cases import ratings
from bangban.cases.access import Actor
from bangban.cases.tests.helpers import SIGNED, act, finish_items, open_case, to_handling
from bangban.documents.kinds import KINDS, Kind
from bangban.documents.rendering import render_html
from bangban.documents.services import document_issue_on_demand
from bangban.notifications.models import Message
from bangban.oversight.models import CentrePolicy, Evaluation

pytestmark = pytest.mark.django_db

FOUR = ["很满意", "较满意", "一般", "不满意"]
FIVE = ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]


@pytest.fixture(autouse=True)
def _no_throttle_left_over():
    cache.clear()


def delivered(world):
    case = open_case(world)
    to_handling(case, world.agent_a)
    finish_items(case, world.agent_a, {"SCJG": world.liaison_market})
    act(case, world.agent_a, "complete", confirmation=SIGNED)
    act(case, world.agent_a, "deliver", method="in_person", recipient="张三", confirmation=SIGNED)
    return case


def invitation(case) -> str:
    return Message.objects.get(
        case=case, template_key="client.evaluation_invite", channel="sms"
    ).body


def printed_levels(case, world) -> str:
    document = document_issue_on_demand(
        case=case, kind=Kind.EVALUATION.value, actor=Actor.of_staff(world.agent_a)
    )
    return render_html(document.fields, KINDS[Kind.EVALUATION].template)


def test_seam_one_scale_everywhere_with_the_four_level_county_option(world):
    # Default: GB/T 39734's five levels, in the SMS and on the page.
    five = delivered(world)
    assert "（非常满意、满意、基本满意、不满意、非常不满意）" in invitation(five)

    # The county centre picks seed 003 附件4's four levels.
    CentrePolicy.objects.create(centre=world.county, rating_scale=ratings.FOUR_LEVELS.key)
    case = delivered(world)
    sms = invitation(case)
    assert "（很满意、较满意、一般、不满意）" in sms and "非常满意" not in sms

    link = urlparse(re.search(r"https?://\S+?/e/[^/\s]+/", sms).group(0)).path
    page = Client().get(link).content.decode()
    offered = re.findall(r'name="level" value="([^"]+)"', page)
    assert offered == FOUR

    paper = printed_levels(case, world)
    assert all(level in paper for level in FOUR) and "非常满意" not in paper

    # 一般 is stored as 基本满意 (3): a good rating, no rectification.
    Client().post(link, {"level": "一般"})
    evaluation = Evaluation.objects.get(case=case)
    assert evaluation.level == 3 and not hasattr(evaluation, "rectification")
    # The printed form ticks the box of the centre's scale.
    assert re.search(r"√</span>一般", printed_levels(case, world))

    # The API takes the same words (较满意 → 满意, 4).
    other = delivered(world)
    body = {"number": other.number, "phone": "13812345678", "level": "较满意"}
    assert ApiClient().post("/progress/evaluation", body).status_code == 201
    assert Evaluation.objects.get(case=other).level == 4

    # One list of words: the API's type is the scales' labels.
    assert set(get_args(ratings.Label)) == set(ratings.ALL_LABELS)
    assert ratings.FIVE_LEVELS.labels == FIVE and ratings.FOUR_LEVELS.labels == FOUR
    assert [ratings.FOUR_LEVELS.label_of(level) for level in (5, 4, 3, 2, 1)] == [
        "很满意",
        "较满意",
        "一般",
        "不满意",
        "不满意",
    ]


def test_the_models_level_choices_are_the_five_level_scale():
    """oversight.Level is the database's choices for the one five-level list."""
    from bangban.oversight.models import Level

    assert [(label, value) for value, label in Level.choices] == list(ratings.FIVE_LEVELS.options)
