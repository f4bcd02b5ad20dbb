"""The home's and the ledger's panels of cases are cached, and a cached panel is never stale
or foreign (issue 15): the key holds the change counters of every site the viewer's lists
read (bumped by the write path in its transaction), the viewer, the day and the calendar."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bangban.cases.models import Case
from bangban.workbench.views import home as home_view

from .conftest import accepted, act, handling, open_case

pytestmark = pytest.mark.django_db


def row_of(text: str, number: str) -> str:
    """The table row that lists case ``number``."""
    at = text.index(number)
    return text[text.rindex("<tr", 0, at) : text.index("</tr>", at)]


def test_a_cached_home_changes_as_soon_as_a_case_of_the_site_changes(signed_in, world, monkeypatch):
    case = open_case(world, agent=world.agent_a)
    client = signed_in(world.agent_a)
    before = client.get("/work/").content.decode()
    assert "未受理（未计时）" in row_of(before, case.number)
    worked_out = home_view._agent_panels
    with monkeypatch.context() as patch:  # nothing changed: served from the cache
        patch.setattr(home_view, "_agent_panels", lambda *a: pytest.fail("not cached"))
        assert row_of(client.get("/work/").content.decode(), case.number) == row_of(
            before, case.number
        )
    assert home_view._agent_panels is worked_out

    accepted(case, world.agent_a)
    after = client.get("/work/").content.decode()
    assert "未受理（未计时）" not in row_of(after, case.number)
    assert "已受理" in row_of(after, case.number)

    newer = open_case(world, agent=world.agent_a)  # a case opened at the site shows at once
    assert newer.number in client.get("/work/").content.decode()


def test_a_case_handed_to_a_site_reaches_that_sites_cached_home(signed_in, world):
    case = open_case(world, agent=world.agent_b)
    town = signed_in(world.town_agent)
    assert case.number not in town.get("/work/").content.decode()
    act(case, world.agent_b, "relay_out", to_site=world.town.code, note="需到镇里办理")
    assert case.number in town.get("/work/").content.decode()
    coordinator = signed_in(world.coordinator)
    assert case.number in coordinator.get("/work/").content.decode()
    act(case, world.town_agent, "relay_accept")  # no longer waiting: off the coordinator's list
    assert case.number not in coordinator.get("/work/").content.decode()


def test_another_agent_site_or_role_never_sees_this_viewers_cached_home(signed_in, world):
    mine = accepted(open_case(world, agent=world.agent_a), world.agent_a)
    theirs = open_case(world, agent=world.agent_b)
    assert mine.number in signed_in(world.agent_a).get("/work/").content.decode()

    # another site's agent: its own cases, never the first viewer's
    text = signed_in(world.agent_b).get("/work/").content.decode()
    assert theirs.number in text and mine.number not in text
    # the same site, another agent: not the first agent's own list
    text = signed_in(world.agent_a2).get("/work/").content.decode()
    assert "我承办的办件" in text and mine.number not in text
    # one who may not see the case still gets 404 for it
    assert signed_in(world.agent_b).get(f"/work/cases/{mine.number}/").status_code == 404
    # a role added: the page is worked out again with the new role's panels
    world.agent_a.is_coordinator = True
    world.agent_a.save()
    world.agent_a.covered_sites.add(world.village_a)
    text = signed_in(world.agent_a).get("/work/").content.decode()
    assert "临期和超期办件" in text


def test_the_cached_home_rolls_over_with_the_date(signed_in, world, monkeypatch):
    case = handling(open_case(world, agent=world.agent_a), world.agent_a)
    today = timezone.localdate()
    Case.objects.filter(pk=case.pk).update(due_on=today + timedelta(days=1))
    client = signed_in(world.agent_a)
    assert "已超期" not in row_of(client.get("/work/").content.decode(), case.number)
    later = today + timedelta(days=10)
    monkeypatch.setattr(home_view.timezone, "localdate", lambda *args: later)
    assert "已超期" in row_of(client.get("/work/").content.decode(), case.number)


def test_a_client_flagged_after_the_home_was_cached_shows_flagged(signed_in, world):
    case = open_case(world, agent=world.agent_a)
    client = signed_in(world.agent_a)
    assert "特殊群体" not in row_of(client.get("/work/").content.decode(), case.number)
    world.citizen.is_elderly = True
    world.citizen.save()
    assert "特殊群体" in row_of(client.get("/work/").content.decode(), case.number)


def test_a_renamed_agent_shows_renamed_in_cached_lists(signed_in, world):
    case = open_case(world, agent=world.agent_a)
    client = signed_in(world.coordinator)
    client.get("/work/ledger/")
    world.agent_a.name = "村A代办员（新）"
    world.agent_a.save()
    assert "村A代办员（新）" in row_of(client.get("/work/ledger/").content.decode(), case.number)


def test_a_cached_ledger_changes_as_soon_as_a_case_changes_and_is_never_another_viewers(
    signed_in, world
):
    case = open_case(world, agent=world.agent_a)
    client = signed_in(world.agent_a)
    assert "已申请（待处理）" in row_of(client.get("/work/ledger/").content.decode(), case.number)
    accepted(case, world.agent_a)
    assert "已受理" in row_of(client.get("/work/ledger/").content.decode(), case.number)
    assert case.number not in signed_in(world.agent_b).get("/work/ledger/").content.decode()
    # the filters are part of the key: another filter, another page
    text = signed_in(world.agent_a).get("/work/ledger/?state=received").content.decode()
    assert case.number not in text


def test_a_liaisons_home_is_never_cached(signed_in, world):
    from bangban.workbench.versions import cache_key
    from bangban.workdays.services import current_calendar

    today = timezone.localdate()
    assert cache_key("home", world.liaison_market, today, current_calendar()) is None
    assert cache_key("home", world.agent_a, today, current_calendar()) is not None


# --- query budgets: a cold cache (first view) and a warm one (nothing changed) ------------

# cold: the session, user, staff (and covered sites) and calendar, the version, one query
# per panel of cases, one to learn which of the other areas' lists have rows (all empty
# here); warm: the same less the panels of cases, which come from the cache
COLD_HOME = 13
WARM_AGENT_HOME = 7  # the visits, oversight and consultation lists are asked fresh
WARM_COORDINATOR_HOME = 8
COLD_LEDGER = 11
WARM_LEDGER = 7


def test_the_agents_home_and_ledger_query_budgets(signed_in, world, django_assert_max_num_queries):
    for _ in range(3):
        handling(open_case(world), world.agent_a)
    client = signed_in(world.agent_a)
    with django_assert_max_num_queries(COLD_HOME):
        assert client.get("/work/").status_code == 200
    with django_assert_max_num_queries(WARM_AGENT_HOME):
        assert client.get("/work/").status_code == 200
    with django_assert_max_num_queries(COLD_LEDGER):
        assert client.get("/work/ledger/").status_code == 200
    with django_assert_max_num_queries(WARM_LEDGER):
        assert client.get("/work/ledger/").status_code == 200


def test_the_coordinators_home_and_ledger_query_budgets(
    signed_in, world, django_assert_max_num_queries
):
    for _ in range(3):
        handling(open_case(world), world.agent_a)
    client = signed_in(world.coordinator)
    with django_assert_max_num_queries(COLD_HOME):
        assert client.get("/work/").status_code == 200
    with django_assert_max_num_queries(WARM_COORDINATOR_HOME):
        assert client.get("/work/").status_code == 200
    with django_assert_max_num_queries(COLD_LEDGER):
        assert client.get("/work/ledger/").status_code == 200
    with django_assert_max_num_queries(WARM_LEDGER):
        assert client.get("/work/ledger/").status_code == 200
