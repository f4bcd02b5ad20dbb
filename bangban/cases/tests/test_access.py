"""Who sees what: ``visible_cases``, ``get_case_for`` and ``case_roles`` with the personas.

What a person may not see answers 404; a supervisor sees but never acts; a case relayed
up stays visible to the sites it passed through. The admin shows cases and changes none.
"""

import pytest
from django.contrib.auth import get_user_model
from django.http import Http404
from django.urls import reverse

from bangban.cases.access import Actor, actor_for_user, case_roles, get_case_for, visible_cases
from bangban.cases.models import Case
from bangban.cases.workflow import TransitionRefused

from .helpers import act, open_case, to_handling

pytestmark = pytest.mark.django_db


def staff(member) -> Actor:
    return Actor.of_staff(member)


def sees(actor, case) -> bool:
    """Both doors agree: in the list, and loadable by number (else 404)."""
    listed = visible_cases(actor).filter(pk=case.pk).exists()
    try:
        loaded = get_case_for(actor, case.number).pk == case.pk
    except Http404:
        loaded = False
    assert listed == loaded, "visible_cases and get_case_for must agree"
    return listed


@pytest.fixture
def food_case(world):
    """Village A's case for a market-regulation item."""
    return open_case(world)


@pytest.fixture
def building_case(world):
    """Village B's case for a housing item."""
    return open_case(world, agent=world.agent_b, items=[world.building])


def test_agent_of_village_a_sees_its_case(world, food_case):
    assert sees(staff(world.agent_a), food_case)
    assert sees(staff(world.agent_a2), food_case)  # any agent of the owning site
    assert case_roles(staff(world.agent_a), food_case) == {"agent"}


def test_agent_of_village_b_gets_404_and_no_list_entry(world, food_case):
    with pytest.raises(Http404):
        get_case_for(staff(world.agent_b), food_case.number)
    assert food_case not in visible_cases(staff(world.agent_b))
    assert case_roles(staff(world.agent_b), food_case) == frozenset()


def test_an_unknown_number_is_404_like_a_hidden_one(world, food_case):
    with pytest.raises(Http404):
        get_case_for(staff(world.agent_a), "BJ-V1-2026-999999")


def test_county_and_town_agents_do_not_see_a_village_case_that_was_not_relayed(world, food_case):
    assert not sees(staff(world.town_agent), food_case)
    assert not sees(staff(world.county_agent), food_case)


def test_a_relay_to_the_town_shows_the_case_there_and_keeps_it_visible_in_the_village(
    world, food_case
):
    town = staff(world.town_agent)
    assert not sees(town, food_case)
    act(food_case, world.agent_a, "relay_out", to_site=world.town.code, note="需镇级办理")
    assert sees(town, food_case)
    assert case_roles(town, food_case) == {"receiver"}
    act(food_case, world.town_agent, "relay_accept")
    assert sees(town, food_case)
    assert case_roles(town, food_case) == {"agent"}
    # village A passed it on: it still sees the case, but no longer acts on it
    assert sees(staff(world.agent_a), food_case)
    assert case_roles(staff(world.agent_a), food_case) == frozenset()
    assert not sees(staff(world.agent_b), food_case)
    assert not sees(staff(world.county_agent), food_case)


def test_a_returned_relay_leaves_the_case_with_the_village(world, food_case):
    act(food_case, world.agent_a, "relay_out", to_site=world.town.code, note="需镇级办理")
    act(food_case, world.town_agent, "relay_return", reason="本镇不办理此事项")
    assert not sees(staff(world.town_agent), food_case)
    assert case_roles(staff(world.agent_a), food_case) == {"agent"}


def test_coordinator_covering_the_county_sees_every_case(world, food_case, building_case):
    town2_case = open_case(world, agent=world.coordinator, site=world.town2)
    coordinator = staff(world.coordinator)
    for case in (food_case, building_case, town2_case):
        assert sees(coordinator, case)
        assert "coordinator" in case_roles(coordinator, case)
    assert visible_cases(coordinator).count() == 3


def test_a_coordinator_of_one_town_sees_only_that_town(world, food_case):
    from bangban.testing import _staff

    other_town = _staff("coordinator_t2", world.town2, is_coordinator=True)
    other_town.covered_sites.add(world.town2)
    town2_case = open_case(world, agent=world.coordinator, site=world.town2)
    assert sees(staff(other_town), town2_case)
    assert not sees(staff(other_town), food_case)
    assert case_roles(staff(other_town), food_case) == frozenset()


def test_liaison_sees_only_cases_with_an_item_of_its_department(world, food_case, building_case):
    market, housing = staff(world.liaison_market), staff(world.liaison_housing)
    assert not sees(market, food_case)  # nothing handed to the department yet
    for case, agent in ((food_case, world.agent_a), (building_case, world.agent_b)):
        to_handling(case, agent)
        act(case, agent, "file_with_department", case_item_id=case.items.get().pk)
    assert sees(market, food_case) and not sees(market, building_case)
    assert sees(housing, building_case) and not sees(housing, food_case)
    bundle_case = open_case(world, bundle=True)
    to_handling(bundle_case, world.agent_a)
    food_item = bundle_case.items.get(department=world.market)
    act(bundle_case, world.agent_a, "file_with_department", case_item_id=food_item.pk)
    assert sees(market, bundle_case) and not sees(housing, bundle_case)
    assert case_roles(market, food_case) == {"liaison"}
    assert case_roles(housing, food_case) == frozenset()


def test_supervisor_sees_everything_in_its_jurisdiction_but_holds_no_acting_role(
    world, food_case, building_case
):
    supervisor = staff(world.supervisor)
    assert sees(supervisor, food_case) and sees(supervisor, building_case)
    assert case_roles(supervisor, food_case) == {"supervisor"}
    for event, details in [
        ("start_review", {}),
        ("note", {"text": "督查"}),
        ("terminate", {"reason_code": "other", "reason": "督查"}),
    ]:
        with pytest.raises(TransitionRefused, match="没有权限"):
            act(food_case, world.supervisor, event, **details)
    assert Case.objects.get(pk=food_case.pk).version == 0


def test_citizen_sees_only_own_cases(world, food_case, building_case):
    citizen = Actor.of_client(world.citizen)
    assert sees(citizen, food_case) and sees(citizen, building_case)
    assert case_roles(citizen, food_case) == {"client"}
    stranger_case = open_case(world)
    Case.objects.filter(pk=stranger_case.pk).update(client=world.other_citizen)
    assert not sees(citizen, stranger_case)


def test_another_citizen_sees_none_of_them(world, food_case, building_case):
    other = Actor.of_client(world.other_citizen)
    assert visible_cases(other).count() == 0
    with pytest.raises(Http404):
        get_case_for(other, food_case.number)
    assert case_roles(other, food_case) == frozenset()
    with pytest.raises(TransitionRefused, match="没有权限"):
        act(food_case, other, "confirm", form="application")


def test_a_deactivated_staff_member_sees_nothing_and_does_nothing(world, food_case):
    world.agent_a.is_active = False
    world.agent_a.save()
    actor = staff(world.agent_a)
    assert visible_cases(actor).count() == 0
    with pytest.raises(Http404):
        get_case_for(actor, food_case.number)
    assert case_roles(actor, food_case) == frozenset()
    with pytest.raises(TransitionRefused, match="没有权限"):
        act(food_case, world.agent_a, "start_review")
    assert actor_for_user(world.agent_a.user) is None


def test_no_actor_sees_nothing(world, food_case):
    assert visible_cases(None).count() == 0
    with pytest.raises(Http404):
        get_case_for(None, food_case.number)


def test_get_case_for_narrows_a_given_queryset_and_still_checks_access(world, food_case):
    received = Case.objects.filter(state="received")
    assert get_case_for(staff(world.agent_a), food_case.number, queryset=received) == food_case
    with pytest.raises(Http404):
        get_case_for(staff(world.agent_b), food_case.number, queryset=received)


# --- the admin: a window, not a door ------------------------------------------------


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("root", password="pw-root")
    client.force_login(user)
    return client


def test_admin_lists_and_shows_cases_read_only(admin_client, food_case):
    listing = admin_client.get(reverse("admin:cases_case_changelist"), {"q": food_case.number})
    assert listing.status_code == 200 and food_case.number in listing.text
    page = admin_client.get(reverse("admin:cases_case_change", args=[food_case.pk]))
    assert page.status_code == 200
    assert food_case.number in page.text and 'name="_save"' not in page.text
    assert 'name="state"' not in page.text


def test_admin_cannot_add_change_or_delete_a_case(admin_client, food_case):
    assert admin_client.get(reverse("admin:cases_case_add")).status_code == 403
    delete_url = reverse("admin:cases_case_delete", args=[food_case.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    change_url = reverse("admin:cases_case_change", args=[food_case.pk])
    assert admin_client.post(change_url, {"state": "archived"}).status_code == 403
    food_case.refresh_from_db()
    assert food_case.state == "received" and food_case.version == 0
