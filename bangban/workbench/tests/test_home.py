"""The workbench home: each role sees what it has to do next, and nothing it may not see."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from bangban.cases.access import Actor
from bangban.cases.models import Case
from bangban.cases.services import case_submit
from bangban.staff.models import StaffMember

from .conftest import act, handling, open_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(world):
    """Cases at two villages, a hand-over to the town, and two departments' work."""
    case_a = handling(open_case(world, agent=world.agent_a), world.agent_a)
    online_a = case_submit(
        actor=Actor.of_client(world.citizen),
        client=world.citizen,
        service_type="assist",
        channel="online",
        site=world.village_a,
        item_versions=[world.food.current_version],
    )
    case_b = open_case(world, agent=world.agent_b)
    relay_b = open_case(world, agent=world.agent_b)
    act(relay_b, world.agent_b, "relay_out", to_site=world.town.code, note="需到镇里办理")
    county_market = handling(open_case(world, agent=world.county_agent), world.county_agent)
    item = county_market.items.get()
    act(county_market, world.county_agent, "file_with_department", case_item_id=item.pk)
    act(county_market, world.coordinator, "expedite", case_item_id=item.pk, message="请加快")
    county_housing = handling(
        open_case(world, agent=world.county_agent, items=[world.building]), world.county_agent
    )
    act(
        county_housing,
        world.county_agent,
        "file_with_department",
        case_item_id=county_housing.items.get().pk,
    )
    return {
        "case_a": case_a.number,
        "online_a": online_a.number,
        "case_b": case_b.number,
        "relay_b": relay_b.number,
        "county_market": county_market.number,
        "county_housing": county_housing.number,
    }


def shown(content: bytes, scene: dict) -> set[str]:
    text = content.decode()
    return {name for name, number in scene.items() if number in text}


def test_signed_out_people_are_sent_to_the_login_page(client):
    response = client.get("/work/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_an_account_without_an_active_staff_member_is_refused(client, world):
    user = get_user_model().objects.create_user("citizen_user", password="x")
    client.force_login(user)
    assert client.get("/work/").status_code == 403
    world.agent_a.is_active = False
    world.agent_a.save()
    client.force_login(world.agent_a.user)
    assert client.get("/work/").status_code == 403


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        # an agent: own site's cases (handled, new online application), nothing of village B
        ("agent_a", {"case_a", "online_a"}),
        # village B's agent: its own case and the one it handed over (still its own)
        ("agent_b", {"case_b", "relay_b"}),
        # the town agent: only the hand-over waiting for the town
        ("town_agent", {"relay_b"}),
        # the county agent: its own cases (the expedite is for the liaison to answer)
        ("county_agent", {"county_market", "county_housing"}),
        # the coordinator covering the county: unassigned, hand-overs, unanswered expedites
        ("coordinator", {"online_a", "relay_b", "county_market"}),
        # liaisons: only their own department's filed items and expedite requests
        ("liaison_market", {"county_market"}),
        ("liaison_housing", {"county_housing"}),
        # a supervisor has no work list of its own
        ("supervisor", set()),
    ],
)
def test_each_role_home_shows_only_what_that_role_at_that_site_may_see(
    signed_in, world, scene, persona, expected
):
    response = signed_in(getattr(world, persona)).get("/work/")
    assert response.status_code == 200
    assert shown(response.content, scene) == expected


def test_a_coordinator_of_another_town_sees_nothing_of_this_one(signed_in, world, scene):
    user = get_user_model().objects.create_user("coordinator_t2", password="x")
    other = StaffMember.objects.create(
        user=user, name="青山镇协调员", site=world.town2, is_coordinator=True
    )
    other.covered_sites.add(world.town2)
    assert shown(signed_in(other).get("/work/").content, scene) == set()


def test_my_cases_are_ordered_by_time_left_with_words_not_only_colour(signed_in, world):
    late = handling(open_case(world), world.agent_a)
    soon = handling(open_case(world), world.agent_a)
    fresh = open_case(world)
    today = timezone.localdate()
    Case.objects.filter(pk=late.pk).update(due_on=today - timedelta(days=7))
    Case.objects.filter(pk=soon.pk).update(due_on=today)
    text = signed_in(world.agent_a).get("/work/").content.decode()
    positions = [text.index(c.number) for c in (late, soon, fresh)]
    assert positions == sorted(positions)
    assert "已超期" in text and "超期" in text and "个工作日" in text
    assert "今日到期" in text and "即将到期" in text
    assert "未受理（未计时）" in text


def test_the_home_costs_the_same_few_queries_however_many_cases(
    signed_in, world, django_assert_max_num_queries
):
    for _ in range(3):
        handling(open_case(world), world.agent_a)
    client = signed_in(world.agent_a)
    client.get("/work/")  # warm the calendar cache, as a running server has
    with django_assert_max_num_queries(20):
        assert client.get("/work/").status_code == 200
    for _ in range(12):
        handling(open_case(world), world.agent_a)
    with django_assert_max_num_queries(20):
        assert client.get("/work/").status_code == 200


def test_the_coordinator_home_is_bounded_too(
    signed_in, world, scene, django_assert_max_num_queries
):
    client = signed_in(world.coordinator)
    client.get("/work/")
    with django_assert_max_num_queries(18):
        assert client.get("/work/").status_code == 200


def test_a_case_number_jumps_to_the_case_or_says_it_is_not_found(signed_in, world, scene):
    client = signed_in(world.agent_a)
    response = client.get("/work/go/", {"number": scene["case_a"].lower()})
    assert response.status_code == 302 and response["Location"] == f"/work/cases/{scene['case_a']}/"
    response = client.get("/work/go/", {"number": scene["case_b"]})
    assert response.status_code == 404
    assert "无权查看" in response.content.decode()
